"""The ledger core's rules through the real application on a SQLite file (sections 1–3):
given a small bureau (tests/conftest.py) → a command → the events written and the figures."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from ledger.application import commands as c
from ledger.domain.actors import Actor
from ledger.domain.errors import DomainError
from api.service import LedgerService
from projections.tables import PROJECTED_TABLES
from tests.conftest import LEADING, OFFICE, SUPERVISION, Bureau, build_bureau

R = c.Responsible


def unit_deduction(bureau: Bureau, points: str = "2", responsible: list[R] | None = None, item: str = "K1", **kw: Any) -> dict[str, Any]:
    """An assessor (P09, on D01's panel for B01) deducts B01's Q1 key work for a fact of 10 February."""
    return bureau.run(
        bureau.assessor,
        c.RecordDeduction(
            unit="B01", track="key", points=points, item=item, basis="重点工作未按序时进度完成", occurred_on=date(2026, 2, 10),
            responsible=responsible if responsible is not None else [R(person="P03")], **kw,
        ),
    )  # fmt: skip


def score(bureau: Bureau, sheet: str) -> str:
    return bureau.sheet(sheet)["score"]


def refused(bureau: Bureau, actor: Actor, command: c.Command, code: str) -> None:
    """The command is refused with `code`, writes no event, and the refusal is logged (R-ORG-4)."""
    before = bureau.events()
    logged = len(bureau.service.queries.refusals(limit=500))
    with pytest.raises(DomainError) as error:
        bureau.run(actor, command)
    assert error.value.code == code
    assert bureau.events() == before
    latest = bureau.service.queries.refusals(limit=500)
    assert len(latest) == logged + 1 and (latest[0]["code"], latest[0]["user_id"], latest[0]["command"]) == (code, actor.user_id, type(command).__name__)


# -- R-ORG-1..3 -------------------------------------------------------------------------------


def test_sheets_exist_for_every_target_and_period_R_SHEET_1_R_ORG_1(bureau: Bureau) -> None:
    """Branches get a key-work sheet per quarter and a routine sheet per half; departments a
    half-year sheet; every person a monthly sheet; each starts at 100.00."""
    q = bureau.service.queries
    assert {s["code"] for s in q.sheets(period="2026-Q1")} == {"B01:2026-Q1:key", "B02:2026-Q1:key"}
    assert {s["code"] for s in q.sheets(period="2026-H1")} == {"B01:2026-H1:routine", "B02:2026-H1:routine", "D01:2026-H1:half", "D02:2026-H1:half"}
    assert len(q.sheets(period="2026-02")) == 11
    assert score(bureau, "P02:2026-02:monthly") == "100.00"


def test_a_transfer_moves_the_person_to_the_new_units_head_from_its_date_R_ORG_2(bureau: Bureau) -> None:
    """P04 moves from B01 to B02 on 1 March: B02's head (P05) deducts P04's March sheet, not
    January's; B01's head (P01) can no longer deduct P04 in March."""
    bureau.run(OFFICE, c.TransferPerson(person="P04", unit="B02", effective_from=date(2026, 3, 1)))
    march = c.RecordDeduction(person="P04", points="1", basis="迟到", occurred_on=date(2026, 3, 9), item="M1")
    bureau.run(bureau.head_b02, march)
    assert score(bureau, "P04:2026-03:monthly") == "99.00"
    refused(bureau, bureau.head_b02, c.RecordDeduction(person="P04", points="1", basis="迟到", occurred_on=date(2026, 1, 9), item="M1"), "NOT_UNIT_HEAD")
    refused(bureau, bureau.head_b01, march, "NOT_UNIT_HEAD")


def test_the_head_on_the_day_of_the_fact_is_doubled_R_ORG_1_R_CASCADE_2(bureau: Bureau) -> None:
    """P04 becomes head of B01 from 1 March. A finding of 1 point on P03 (fact on 12 January,
    found on 5 March) doubles on the head who failed to deduct, the head on the fact's day:
    P01. P01's sheet for the month of the finding loses 2 × 1 = 2 → 98.00; P04's is untouched."""
    bureau.run(OFFICE, c.AppointHead(unit="B01", person="P04", effective_from=date(2026, 3, 1)))
    out = bureau.run(OFFICE, c.RecordMissedDeduction(person="P03", points="1", basis="未扣", occurred_on=date(2026, 1, 12), found_on=date(2026, 3, 5)))
    assert out["head"] == "P01"
    assert score(bureau, "P01:2026-03:monthly") == "98.00"
    assert score(bureau, "P04:2026-03:monthly") == "100.00"


def test_age_class_is_shown_on_the_cut_off_R_ORG_3(bureau: Bureau) -> None:
    """P05 陈志强, male, born 1 December 1970, is 55 on 30 November 2026: regular. P10 吴海峰,
    born 7 July 1972, is 54: regular. A man born 1 January 1970 enrolled now is 56: senior."""
    bureau.run(OFFICE, c.EnrolPerson(code="P12", name="郑国庆", gender="male", birth_date=date(1970, 1, 1), unit="D02", joined_on=date(2026, 1, 1)))
    q = bureau.service.queries
    assert q.person("P05", 2026)["age_class"] == "regular"
    assert q.person("P12", 2026)["age_class"] == "senior"


# -- R-SHEET-2..5, R-SUP-1 ------------------------------------------------------------------------


def test_a_deduction_lowers_the_sheet_score_exactly_R_SHEET_4(bureau: Bureau) -> None:
    """Three deductions 0.5 + 1.25 + 2 = 3.75 → 100 − 3.75 = 96.25."""
    for points in ("0.5", "1.25", "2"):
        bureau.run(bureau.head_b01, c.RecordDeduction(person="P02", points=points, basis="工作差错", occurred_on=date(2026, 1, 20), item="M1"))
    sheet = bureau.sheet("P02:2026-01:monthly")
    assert (sheet["score"], sheet["deducted"], sheet["rate"]) == ("96.25", "3.75", "0.9625")


def test_points_beyond_an_items_cap_are_refused_R_SHEET_2(bureau: Bureau) -> None:
    """K2 carries 40 points: 39.5 deducted, another 0.5 reaches the cap exactly, 0.01 more is refused."""
    unit_deduction(bureau, points="39.5", item="K2")
    unit_deduction(bureau, points="0.5", item="K2")
    refused(bureau, bureau.assessor, c.RecordDeduction(unit="B01", track="key", points="0.01", item="K2", basis="x", occurred_on=date(2026, 2, 10), responsible=[R(person="P03")]), "ITEM_CAP_EXCEEDED")


def test_sheet_life_open_submitted_published_R_SHEET_3(bureau: Bureau) -> None:
    """Publishing before submission is refused; once published, the assessor can no longer
    deduct; the supervision office still can, and the entry is accepted and marked late."""
    refused(bureau, OFFICE, c.PublishSheet(sheet="B01:2026-Q1:key"), "SHEET_STATE_INVALID")
    bureau.run(bureau.assessor, c.SubmitSheet(sheet="B01:2026-Q1:key"))
    bureau.run(OFFICE, c.PublishSheet(sheet="B01:2026-Q1:key"))
    refused(bureau, bureau.assessor, c.RecordDeduction(unit="B01", track="key", points="1", item="K1", basis="x", occurred_on=date(2026, 2, 10), responsible=[R(person="P03")]), "SHEET_CLOSED")
    late = bureau.run(SUPERVISION, c.RecordDeduction(unit="B01", track="key", points="1", basis="效能监察", occurred_on=date(2026, 2, 10), form_no="JC-9", responsible=[R(person="P03")]))
    assert bureau.service.queries.entry(late["entry_id"])["late"] is True
    bureau.run(LEADING, c.ReopenSheet(sheet="B01:2026-Q1:key", reason="补充考核", decision_ref="绩领〔2026〕8号"))
    assert bureau.sheet("B01:2026-Q1:key")["status"] == "open"


def test_only_the_periods_panel_assesses_a_unit_R_SHEET_5(bureau: Bureau) -> None:
    """P11 is on D02's panel for D01/D02, not for B01."""
    refused(bureau, bureau.other_assessor, c.RecordDeduction(unit="B01", track="key", points="1", item="K1", basis="x", occurred_on=date(2026, 2, 10), responsible=[R(person="P03")]), "ASSESSOR_NOT_ON_PANEL")
    bureau.run(bureau.other_assessor, c.RecordDeduction(unit="D01", points="1", basis="半年工作滞后", occurred_on=date(2026, 3, 2), responsible=[R(person="P09")]))
    assert score(bureau, "D01:2026-H1:half") == "99.00"


def test_supervision_deducts_anyone_with_its_feedback_form_R_SUP_1(bureau: Bureau) -> None:
    out = bureau.run(SUPERVISION, c.RecordDeduction(person="P10", points="2", basis="上班时间网购", occurred_on=date(2026, 3, 3), form_no="JC-2026-011"))
    assert bureau.service.queries.entry(out["entry_id"])["form_no"] == "JC-2026-011"
    refused(bureau, SUPERVISION, c.RecordDeduction(person="P10", points="2", basis="x", occurred_on=date(2026, 3, 3)), "FORM_NUMBER_REQUIRED")


@pytest.mark.parametrize(
    ("who", "command", "code"),
    [
        ("staff", c.RecordDeduction(person="P03", points="1", basis="x", occurred_on=date(2026, 1, 5)), "FORBIDDEN"),
        ("head_b02", c.RecordDeduction(person="P02", points="1", basis="x", occurred_on=date(2026, 1, 5)), "NOT_UNIT_HEAD"),
        ("head_b01", c.RecordDeduction(unit="B01", track="key", points="1", basis="x", occurred_on=date(2026, 1, 5)), "FORBIDDEN"),
        ("office", c.ReverseEntry(entry_id="P02:2026-01:monthly:1", reason="x", decision_ref="r"), "FORBIDDEN"),
        ("assessor", c.RecordDeduction(unit="B99", track="key", points="1", basis="x", occurred_on=date(2026, 1, 5)), "UNIT_NOT_FOUND"),
        ("head_b01", c.RecordDeduction(person="P99", points="1", basis="x", occurred_on=date(2026, 1, 5)), "PERSON_NOT_FOUND"),
        ("head_b01", c.RecordDeduction(person="P02", points="0", basis="x", occurred_on=date(2026, 1, 5)), "INVALID_POINTS"),
        ("head_b01", c.RecordDeduction(person="P02", points="-1", basis="x", occurred_on=date(2026, 1, 5)), "INVALID_POINTS"),
        ("head_b01", c.RecordDeduction(person="P02", points="0.125", basis="x", occurred_on=date(2026, 1, 5)), "INVALID_POINTS"),
        ("head_b01", c.RecordDeduction(person="P02", points="1", basis="x", occurred_on=date(2026, 7, 5)), "PERIOD_NOT_OPEN"),
        ("assessor", c.RecordDeduction(unit="B01", track="key", points="1", item="K1", basis="x", occurred_on=date(2026, 2, 5)), "RESPONSIBLE_REQUIRED"),
        ("assessor", c.RecordDeduction(unit="B01", track="key", points="1", item="K1", basis="x", occurred_on=date(2026, 2, 5), responsible=[R(person="P06")]), "RESPONSIBLE_NOT_IN_UNIT"),
    ],
)
def test_bad_commands_are_refused_logged_and_write_nothing_R_ORG_4(bureau: Bureau, who: str, command: c.Command, code: str) -> None:
    actors = {"staff": bureau.staff_p02, "head_b01": bureau.head_b01, "head_b02": bureau.head_b02, "assessor": bureau.assessor, "office": OFFICE}
    if code == "FORBIDDEN" and who == "office":
        bureau.run(bureau.head_b01, c.RecordDeduction(person="P02", points="1", basis="x", occurred_on=date(2026, 1, 5), item="M1"))
    refused(bureau, actors[who], command, code)


# -- R-CASCADE-1/2 -----------------------------------------------------------------------------


def test_a_unit_deduction_cascades_to_the_responsible_in_one_transaction_R_CASCADE_1(bureau: Bureau) -> None:
    """B01 −2 (K1) with P03 (same 2 points) and head P01 (1 point stated): B01 Q1 100 − 2 = 98.00;
    P03 February 100 − 2 = 98.00; P01 February 100 − 1 = 99.00. Three events, one save."""
    before = bureau.events()
    out = unit_deduction(bureau, responsible=[R(person="P03"), R(person="P01", points="1")])
    assert bureau.events() == before + 3 and out["position"] == before + 3
    assert (score(bureau, "B01:2026-Q1:key"), score(bureau, "P03:2026-02:monthly"), score(bureau, "P01:2026-02:monthly")) == ("98.00", "98.00", "99.00")
    unit_entry = bureau.service.queries.entry(out["entry_id"])
    assert [e["entry_id"] for e in unit_entry["cascades"]] == out["cascaded"]
    assert all(e["source"] == "cascade" and e["cascaded_from"] == out["entry_id"] for e in unit_entry["cascades"])


def test_a_missed_deduction_doubles_on_the_head_R_CASCADE_2(bureau: Bureau) -> None:
    """Finding: P03 should have lost 1.5 in January (found 20 February). P03 January:
    100 − 1.5 = 98.50; head P01 February: 100 − 2 × 1.5 = 97.00."""
    out = bureau.run(OFFICE, c.RecordMissedDeduction(person="P03", points="1.5", basis="执法记录仪未使用", occurred_on=date(2026, 1, 15), found_on=date(2026, 2, 20)))
    assert (score(bureau, "P03:2026-01:monthly"), score(bureau, "P01:2026-02:monthly")) == ("98.50", "97.00")
    double = bureau.service.queries.entry(out["head_entry_id"])
    assert (double["source"], double["points"], double["cascaded_from"]) == ("missed_double", "3.00", out["entry_id"])


# -- R-FIX-1 ------------------------------------------------------------------------------------


def test_a_reversal_takes_its_cascades_and_keeps_the_entry_R_FIX_1(bureau: Bureau) -> None:
    out = unit_deduction(bureau, responsible=[R(person="P03")])
    done = bureau.run(LEADING, c.ReverseEntry(entry_id=out["entry_id"], reason="误扣", decision_ref="绩领〔2026〕1号"))
    assert done["reversed"] == [out["entry_id"], *out["cascaded"]]
    assert (score(bureau, "B01:2026-Q1:key"), score(bureau, "P03:2026-02:monthly")) == ("100.00", "100.00")
    entry = bureau.service.queries.entry(out["entry_id"])
    assert (entry["status"], entry["reversal_ref"], entry["points"]) == ("reversed", "绩领〔2026〕1号", "2.00")
    refused(bureau, LEADING, c.ReverseEntry(entry_id=out["entry_id"], reason="再次", decision_ref="r"), "ENTRY_ALREADY_REVERSED")
    refused(bureau, LEADING, c.ReverseEntry(entry_id=out["cascaded"][0], reason="x", decision_ref="r"), "ENTRY_ALREADY_REVERSED")


def test_a_cascaded_entry_is_corrected_through_its_unit_entry_R_FIX_1_R_CASCADE_1(bureau: Bureau) -> None:
    out = unit_deduction(bureau)
    refused(bureau, LEADING, c.ReverseEntry(entry_id=out["cascaded"][0], reason="x", decision_ref="r"), "ENTRY_IS_CASCADED")


def test_an_amendment_replaces_the_entry_and_its_cascades_R_FIX_1(bureau: Bureau) -> None:
    """2 points amended to 0.5: B01 100 − 0.5 = 99.50; P03 100 − 0.5 = 99.50; the old entry is
    'amended' and linked to its replacement."""
    out = unit_deduction(bureau)
    amended = bureau.run(LEADING, c.AmendEntry(entry_id=out["entry_id"], points="0.5", reason="口径有误", decision_ref="绩领〔2026〕2号"))
    assert (score(bureau, "B01:2026-Q1:key"), score(bureau, "P03:2026-02:monthly")) == ("99.50", "99.50")
    old, new = bureau.service.queries.entry(out["entry_id"]), bureau.service.queries.entry(amended["entry_id"])
    assert (old["status"], old["amended_by"], new["amends"], new["points"]) == ("amended", amended["entry_id"], out["entry_id"], "0.50")
    ledger = bureau.service.queries.ledger("P03", 2026)
    assert [(e["points"], e["status"]) for e in ledger["entries"]] == [("2.00", "reversed"), ("0.50", "active")]


def test_policy_defaults_and_an_approved_change_R_PLAN_2(bureau: Bureau) -> None:
    plan = bureau.service.queries.plan(2026)
    assert (plan["policy"]["bonus_cap_points"], plan["policy"]["excellent_quota_rate"], plan["policy"]["grade_excellent_min"]) == ("10", "0.15", "95")
    bureau.run(LEADING, c.ChangePolicy(year=2026, key="bonus_cap_points", value="8", reason="上级要求", decision_ref="绩领〔2026〕9号", effective_from=date(2026, 6, 1)))
    assert bureau.service.queries.plan(2026)["policy"]["bonus_cap_points"] == "8"
    refused(bureau, OFFICE, c.ChangePolicy(year=2026, key="bonus_cap_points", value="9", reason="x", decision_ref="r", effective_from=date(2026, 6, 1)), "FORBIDDEN")
    refused(bureau, LEADING, c.ChangePolicy(year=2026, key="no_such_key", value="9", reason="x", decision_ref="r", effective_from=date(2026, 6, 1)), "INVALID_INPUT")


# -- rebuild, restart, idempotency -----------------------------------------------------------------


def _story(bureau: Bureau) -> None:
    out = unit_deduction(bureau, responsible=[R(person="P03"), R(person="P01", points="1")])
    unit_deduction(bureau, points="1.5", item="K2")
    bureau.run(SUPERVISION, c.RecordDeduction(person="P10", points="2", basis="上班时间网购", occurred_on=date(2026, 3, 3), form_no="JC-1"))
    bureau.run(OFFICE, c.RecordMissedDeduction(person="P03", points="1.5", basis="未扣", occurred_on=date(2026, 1, 15), found_on=date(2026, 2, 20)))
    bureau.run(LEADING, c.AmendEntry(entry_id=out["entry_id"], points="0.5", reason="口径", decision_ref="r1"))
    bureau.run(OFFICE, c.TransferPerson(person="P04", unit="B02", effective_from=date(2026, 3, 1)))
    bureau.run(bureau.assessor, c.SubmitSheet(sheet="B01:2026-Q1:key"))
    bureau.run(OFFICE, c.PublishSheet(sheet="B01:2026-Q1:key"))


def _dump(service: LedgerService) -> dict[str, list[dict[str, Any]]]:
    with service.engine.connect() as conn:
        return {t.name: sorted((dict(r._mapping) for r in conn.execute(select(t))), key=repr) for t in PROJECTED_TABLES}


def test_a_rebuild_gives_exactly_the_live_projections(bureau: Bureau) -> None:
    """`jixiao rebuild` replays the log through the same projector: every row of every projected
    table, including each row's log position, comes back identical."""
    _story(bureau)
    live = _dump(bureau.service)
    assert sum(len(rows) for rows in live.values()) > 50
    assert bureau.service.rebuild() == bureau.events()
    assert _dump(bureau.service) == live


def test_state_survives_a_restart_and_commands_go_on(db_url: str) -> None:
    service = LedgerService(db_url)
    bureau = build_bureau(service)
    _story(bureau)
    before = _dump(service)
    events = bureau.events()
    service.close()
    again = LedgerService(db_url)
    try:
        assert _dump(again) == before
        bureau.service = again
        bureau.run(bureau.head_b01, c.RecordDeduction(person="P02", points="1", basis="迟到", occurred_on=date(2026, 1, 6), item="M1"))
        assert again.queries.event_count() == events + 1
        assert score(bureau, "P02:2026-01:monthly") == "99.00"
        assert again.ledger.verify().ok
    finally:
        again.close()


def test_an_idempotency_key_applies_a_command_once(bureau: Bureau) -> None:
    command = c.RecordDeduction(person="P02", points="1", basis="迟到", occurred_on=date(2026, 1, 6), item="M1")
    key = ("key-1", bureau.head_b01.user_id, "fingerprint-1")
    first = bureau.service.ledger.execute(bureau.head_b01, command, key)
    events = bureau.events()
    second = bureau.service.ledger.execute(bureau.head_b01, command, key)
    assert bureau.events() == events and second["entry_id"] == first["entry_id"] and second["replayed"] is True
    assert score(bureau, "P02:2026-01:monthly") == "99.00"
    with pytest.raises(DomainError) as reused:
        bureau.service.ledger.execute(bureau.head_b01, command, ("key-1", bureau.head_b01.user_id, "another"))
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"

