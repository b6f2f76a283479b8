"""Public notice (公示) and the office's batches over HTTP, on the small bureau: what each role
sees, and that every refusal is a problem that writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.clock import Clock
from test_commands import BODIES

MONDAY = date(2026, 11, 2)


def _on(api: Any, day: date) -> None:
    api.service.ledger.clock = Clock(day)
    api.service.queries.clock = Clock(day)


def test_every_member_reads_the_published_list_without_payouts_and_only_oversight_the_changes__R_Q_1(api: Any) -> None:
    """Noticed Mon 2 Nov 2026 to Mon 9 Nov (five working days: 3, 4, 5, 6, 9). Staff and heads read
    the list: units' scores and outcomes, persons' grades — never a payout or a rate."""
    _on(api, MONDAY)
    short = api.refused("office", "/notices", {"scope": "2026", "starts_on": "2026-11-02", "ends_on": "2026-11-06"}, 422, "NOTICE_TOO_SHORT")
    assert short["earliest_end"] == "2026-11-09" and "2026-11-09" in short["detail_zh"]
    api.refused("unit_head", "/notices", {"scope": "2026", "starts_on": "2026-11-02", "ends_on": "2026-11-09"}, 403, "FORBIDDEN")
    api.ok("office", "/notices", {"scope": "2026", "starts_on": "2026-11-02", "ends_on": "2026-11-09"})

    for role in ("staff", "unit_head", "assessor", "viewer"):
        board = api.read(role, "/notices/2026")
        assert (board["stage_zh"], board["starts_on"], board["ends_on"]) == ("公示中", "2026-11-02", "2026-11-09")
        assert {u["name"] for u in board["units"]} == {"城东分局", "城西分局", "人教科", "法制科"}
        person = next(p for p in board["persons"] if p["person"] == "P02")
        assert person["name"] == "李秀兰" and person["unit_name"] == "城东分局"
        assert not {"payout_yuan", "annual_rate", "monthly_total"} & set(person)
    assert [n["scope"] for n in api.read("staff", "/notices")] == ["2026"]
    assert api.get("staff", "/notices/2026/changes").status_code == 403
    assert api.read("leading_group", "/notices/2026/changes")["persons"] == []
    assert api.get("staff", "/notices/2025").json()["code"] == "NOTICE_NOT_FOUND"

    # confirmed after the notice ends: not before
    api.refused("leading_group", "/notices/confirmations", {"scope": "2026"}, 409, "NOTICE_NOT_ENDED")
    _on(api, MONDAY + timedelta(days=8))
    api.ok("leading_group", "/notices/confirmations", {"scope": "2026"})
    assert api.read("staff", "/notices/2026")["stage_zh"] == "已确认"


def test_a_batch_of_claim_approvals_lists_every_refused_claim_and_writes_nothing(api: Any) -> None:
    """Three approvals, two naming claims that do not exist: one BATCH_REFUSED names items 1 and 2;
    the good claim is not approved either (one transaction). Alone, it is."""
    api.ok("office", "/bonus-items", BODIES["/bonus-items"])
    api.ok("unit_head", "/bonus-claims", BODIES["/bonus-claims"])
    good = BODIES["/bonus-claims/approvals"]
    batch = {"claims": [good, {"target": "B01", "basis_ref": "无此文件"}, {"target": "B02", "basis_ref": "无此文件"}]}
    problem = api.refused("office", "/bonus-claims/approvals/batch", batch, 422, "BATCH_REFUSED")
    assert [p["index"] for p in problem["problems"]] == [1, 2]
    assert all(p["detail_zh"] for p in problem["problems"])
    assert api.read("office", "/bonus-claims", target="B01")[0]["status"] == "filed"
    api.refused("unit_head", "/bonus-claims/approvals/batch", {"claims": [good]}, 403, "FORBIDDEN")
    done = api.ok("office", "/bonus-claims/approvals/batch", {"claims": [good]})
    assert done["items"] == 1 and api.read("office", "/bonus-claims", target="B01")[0]["status"] == "approved"


def test_record_forms_filed_for_several_units_in_one_command__R_CAL_3(api: Any) -> None:
    """The office files Q1's record forms for B01 and B02 together; a second batch naming B01
    again and an unknown unit is refused whole, listing both."""
    done = api.ok("office", "/record-forms/batch", {"quarter": "2026-Q1", "units": ["B01", "B02"]})
    assert done["items"] == 2
    problem = api.refused("office", "/record-forms/batch", {"quarter": "2026-Q1", "units": ["D01", "B01", "X99"]}, 422, "BATCH_REFUSED")
    assert [(p["index"], p["code"]) for p in problem["problems"]] == [(1, "ALREADY_EXISTS"), (2, "UNIT_NOT_FOUND")]


def test_the_printed_notice_names_units_and_persons_and_shows_a_change_after_confirmation__R_FIX_1(api: Any) -> None:
    """The 公示 as a PDF (for the notice board) and as Excel: the title, the period and the names.
    After confirmation the leading group reverses P02's only deduction (R-FIX-1): the printed list
    keeps the confirmed figure and prints the new one beside it."""
    import shutil
    import subprocess
    from io import BytesIO

    import openpyxl

    _on(api, MONDAY)
    api.ok("unit_head", "/deductions", BODIES["/deductions"])  # P02's January sheet: one deduction
    api.ok("unit_head", "/sheets/submissions", BODIES["/sheets/submissions"])
    api.ok("unit_head", "/sheets/publications", BODIES["/sheets/publications"])
    api.ok("office", "/notices", {"scope": "2026-01", "starts_on": "2026-11-02", "ends_on": "2026-11-05"})
    _on(api, MONDAY + timedelta(days=4))
    api.ok("leading_group", "/notices/confirmations", {"scope": "2026-01"})
    before = api.read("staff", "/notices/2026-01")
    p02 = next(p for p in before["persons"] if p["person"] == "P02")
    api.ok("leading_group", "/reversals", BODIES["/reversals"])
    after = next(p for p in api.read("staff", "/notices/2026-01")["persons"] if p["person"] == "P02")
    assert after["score"] == p02["score"] and after["changed"] == {"score": {"then": p02["score"], "now": "100.00"}}

    r = api.get("staff", "/documents/public-notices/2026-01", format="xlsx")
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["content-disposition"]
    sheet = openpyxl.load_workbook(BytesIO(r.content)).worksheets[0]
    assert sheet["A1"].value == "区工商局2026年1月工作人员月度考核结果公示"
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "李秀兰" in cells and f"{p02['score']}（确认后变更为 100.00）" in cells

    r = api.get("staff", "/documents/public-notices/2026-01")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=r.content, capture_output=True, check=True).stdout.decode()
        assert "区工商局2026年1月工作人员月度考核结果公示" in text and "李秀兰" in text and "确认后变更为" in text
