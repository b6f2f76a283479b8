"""The security audit log (安全审计日志), through HTTP on the real store: one record for every command
(accepted, in the command's own transaction; refused, in the refusal's) and for every read of
another person's or unit's records; tamper-evident; read by the security auditor, who reads
nothing else."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from pydantic import ValidationError

from ledger.settings import Settings
from tests.api.conftest import Api
from tests.conftest import tamper

DEDUCTION = {"person": "P02", "points": "1", "item": "M1", "basis": "会议无故缺席", "occurred_on": "2026-01-20"}


def audit(api: Api, **filters: Any) -> list[dict[str, Any]]:
    return api.read("security_auditor", "/audit", **filters)  # type: ignore[no-any-return]


def test_an_accepted_command_leaves_exactly_one_record_with_its_position(api: Api) -> None:
    before = len(audit(api, action="command:", limit=500))
    done = api.ok("unit_head", "/deductions", DEDUCTION)
    records = audit(api, action="command:", limit=500)
    assert len(records) == before + 1
    newest = records[0]
    assert (newest["user_id"], newest["role"], newest["action"], newest["target"], newest["outcome"], newest["code"]) == (
        "u-head-p01", "unit_head", "command:RecordDeduction", "P02", "accepted", None,
    )  # fmt: skip
    assert newest["position"] == done["position"] and newest["client"] == "testclient"
    assert newest["at_beijing"][:4] == newest["at"][:4] and len(newest["at_beijing"]) == 19


def test_a_refused_command_leaves_exactly_one_record_with_its_code_and_no_event(api: Api) -> None:
    before = len(audit(api, outcome="refused", limit=500))
    api.refused("viewer", "/deductions", DEDUCTION, 403, "FORBIDDEN")
    api.refused("unit_head", "/deductions", {**DEDUCTION, "person": "P01"}, 403, "SELF_DEDUCTION")
    refused = audit(api, outcome="refused", limit=500)
    assert len(refused) == before + 2
    assert [(r["user_id"], r["code"], r["position"]) for r in refused[:2]] == [("u-head-p01", "SELF_DEDUCTION", None), ("u-viewer", "FORBIDDEN", None)]


def test_reading_another_persons_records_is_recorded_reading_ones_own_is_not(api: Api) -> None:
    before = len(audit(api, action="read:", limit=500))
    api.read("staff", "/ledgers/P02", year=2026)  # P02 reads their own ledger
    assert len(audit(api, action="read:", limit=500)) == before
    api.read("unit_head", "/ledgers/P02", year=2026)  # the head reads a member's
    api.read("office", "/results/2026")  # a whole-bureau list
    reads = audit(api, action="read:", limit=500)
    assert [(r["user_id"], r["action"], r["target"], r["outcome"]) for r in reads[:2]] == [
        ("u-office", "read:/results/{year}", None, "read"),
        ("u-head-p01", "read:/ledgers/{target}", "P02", "read"),
    ]


def test_the_auditor_reads_the_audit_log_and_nothing_else(api: Api) -> None:
    """三员分立: the security auditor runs no command and reads no score; nobody else reads the log."""
    api.refused("security_auditor", "/deductions", DEDUCTION, 403, "FORBIDDEN")
    for path in ("/ledgers/P02?year=2026", "/units", "/sheets?target=B01", "/results/2026", "/plans/2026", "/bulletins"):
        api.problem(api.client.get(path, headers=api.headers("security_auditor")), 403, "FORBIDDEN")
    assert api.read("security_auditor", "/me")["role"] == "security_auditor"
    for role in ("office", "leading_group", "viewer", "supervision", "staff"):
        api.problem(api.get(role, "/audit"), 403, "FORBIDDEN")
        api.problem(api.get(role, "/audit.csv"), 403, "FORBIDDEN")


def test_the_audit_log_filters_by_user_action_outcome_and_time(api: Api) -> None:
    api.ok("unit_head", "/deductions", DEDUCTION)
    api.refused("viewer", "/deductions", DEDUCTION, 403, "FORBIDDEN")
    assert {r["user_id"] for r in audit(api, user="u-viewer", limit=500)} == {"u-viewer"}
    assert {r["outcome"] for r in audit(api, outcome="accepted", limit=500)} == {"accepted"}
    assert audit(api, since="2099-01-01") == []
    assert audit(api, until="2000-01-01") == []
    newest = audit(api, limit=1)[0]
    assert audit(api, since=newest["at"], limit=500)[0]["id"] == newest["id"]
    api.problem(api.get("security_auditor", "/audit", since="not-a-time"), 422, "INVALID_INPUT")


def test_the_audit_log_exports_as_csv_for_excel(api: Api) -> None:
    api.ok("unit_head", "/deductions", DEDUCTION)
    r = api.get("security_auditor", "/audit.csv", action="command:")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())  # Excel reads UTF-8 with its byte-order mark
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["时间（北京时间）", "用户", "角色", "客户端地址", "操作", "对象", "结果", "代码", "日志位置"]
    assert rows[1][1:7] == ["u-head-p01", "unit_head", "testclient", "command:RecordDeduction", "P02", "accepted"]
    assert len(rows) - 1 == len(audit(api, action="command:", limit=500))


def _sql(api: Api, statement: str) -> None:
    with tamper(api.service) as db:
        assert db.execute(statement).rowcount >= 1


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ("UPDATE audit_log SET outcome = 'accepted', code = NULL WHERE outcome = 'refused'", "audit_modified"),
        ("INSERT INTO audit_log (at, user_id, role, action, outcome, mac) VALUES ('2026-01-01', 'x', 'office', 'command:X', 'accepted', 'ff')", "audit_modified"),
        ("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)", "audit_deleted"),
    ],
    ids=["edited", "inserted", "deleted"],
)
def test_an_audit_record_edited_inserted_or_deleted_in_the_database_fails_verify(api: Api, statement: str, kind: str) -> None:
    api.ok("unit_head", "/deductions", DEDUCTION)
    api.refused("viewer", "/deductions", DEDUCTION, 403, "FORBIDDEN")
    api.ok("unit_head", "/deductions", {**DEDUCTION, "basis": "迟到"})
    assert api.service.verify().ok
    _sql(api, statement)
    problems = api.service.verify().problems
    assert kind in {p.kind for p in problems}
    assert any("audit record" in p.detail for p in problems)


def test_a_retention_under_180_days_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(audit_retention_days=90)
    assert Settings().audit_retention_days == 180
