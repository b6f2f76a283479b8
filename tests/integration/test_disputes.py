"""R-DISPUTE-1: file → supervision review → leading-group decision, the decision carried out by
R-FIX-1 in the same transaction; the entry counts and shows as disputed while open."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.clock import Clock
from ledger.application import commands as c
from ledger.domain.actors import Actor, Role
from ledger.domain.errors import DomainError
from tests.conftest import LEADING, OFFICE, PARTY, SUPERVISION, Bureau

ENTRY = "P02:2026-01:monthly:1"


def _deduct_and_publish(bureau: Bureau, points: str = "15") -> dict:
    """A supervision deduction on P02's January sheet, published on Monday 2 February 2026."""
    ledger = bureau.service.ledger
    ledger.clock = Clock(date(2026, 2, 2))
    out = bureau.run(SUPERVISION, c.RecordDeduction(person="P02", points=points, basis="工作日午间饮酒", occurred_on=date(2026, 1, 12), form_no="JC-2026-007"))
    bureau.run(OFFICE, c.SubmitSheet(sheet="P02:2026-01:monthly"))
    bureau.run(OFFICE, c.PublishSheet(sheet="P02:2026-01:monthly"))
    return out


def _year_inputs(bureau: Bureau) -> None:
    bureau.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P02", rate="0.90"))
    bureau.run(PARTY, c.SetTargetBonus(year=2026, bases={"科员": "8000"}, point_value="50"))


def test_a_full_dispute_story_changes_rate_grade_and_payout_R_DISPUTE_1_R_FIX_1(bureau: Bureau) -> None:
    """P02 (科员, democratic rate 0.90, three monthly sheets) is deducted 15 points in January.

    Before: monthly mean = (85 + 100 + 100) / 3 = 95.00% → 95 × 70% + 90 × 30% = 66.5 + 27 = 93.50
    → good (80 ≤ 93.50 < 95); payout = 8000 − 15 × 50 = 7250.00 yuan (R-BONUS-T-2/3).
    After the leading group reverses the entry: mean 100% → 70 + 27 = 97.00 → excellent;
    payout = 8000 − 0 = 8000.00 yuan."""
    _deduct_and_publish(bureau)
    _year_inputs(bureau)
    before = bureau.service.annual.year(2026)["persons_by_code"]["P02"]
    assert (before["annual_rate"], before["grade"], before["payout_yuan"]) == ("93.50", "good", "7250.00")

    ledger = bureau.service.ledger
    ledger.clock = Clock(date(2026, 2, 5))
    filed = bureau.run(bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="当日为调休加班，午间未饮酒"))
    # Published Monday 2 Feb; five working days: 3, 4, 5, 6, 9 February → window closes 9 Feb.
    assert (filed["status"], filed["window_closes"]) == ("filed", "2026-02-09")
    open_ = bureau.service.annual.year(2026)["persons_by_code"]["P02"]
    assert open_["annual_rate"] == "93.50", "the disputed entry still counts"
    assert open_["provisional"] and open_["disputed_entries"] == [ENTRY]
    sheet = bureau.sheet("P02:2026-01:monthly")
    assert sheet["provisional"] and sheet["entries"][0]["disputed"] and sheet["score"] == "85.00"

    reviewed = bureau.run(SUPERVISION, c.ReviewDispute(entry_id=ENTRY, recommendation="reverse", findings="经调阅考勤及证人证言，扣分事实不成立"))
    decided = bureau.run(LEADING, c.DecideDispute(entry_id=ENTRY, decision="reverse", reason="事实不成立", decision_ref="绩领〔2026〕3号"))
    # R-Q-3: asked as of the position before the decision, the old figures stand.
    then = bureau.service.annual.at(reviewed["position"]).year(2026)["persons_by_code"]["P02"]
    assert (then["annual_rate"], then["grade"], then["payout_yuan"], then["provisional"]) == ("93.50", "good", "7250.00", True)
    assert decided["reversed"] == [ENTRY] and decided["decision"] == "reverse"

    after = bureau.service.annual.year(2026)["persons_by_code"]["P02"]
    assert (after["annual_rate"], after["grade"], after["payout_yuan"]) == ("97.00", "excellent", "8000.00")
    assert after["disputed_entries"] == []
    entry = bureau.service.queries.entry(ENTRY)
    assert (entry["status"], entry["dispute"], entry["disputed"], entry["reversal_ref"]) == ("reversed", "decided:reverse", False, "绩领〔2026〕3号")
    record = bureau.service.queries.dispute(ENTRY)
    assert (record["recommendation"], record["decision"], record["reviewed_by"], record["decided_by"]) == ("reverse", "reverse", "supervision", "leading")
    assert [d["entry_id"] for d in bureau.service.queries.disputes(target="P02")] == [ENTRY]


def test_a_ledger_page_marks_the_disputed_sheet_provisional_now_and_as_of_R_DISPUTE_1_R_Q_3(bureau: Bureau) -> None:
    """P02: one entry on the published January sheet, two on February. The ledger lists them
    January 1, February 1, February 2; a page of one from offset 1 is February 1. While the
    January entry's dispute is open (filed, then reviewed) the January sheet is provisional on
    every page, asked now or as of then; before the filing and after the decision it is not."""
    _deduct_and_publish(bureau)
    for n in (1, 2):
        bureau.run(SUPERVISION, c.RecordDeduction(person="P02", points="1", basis=f"迟到{n}", occurred_on=date(2026, 2, 2), form_no=f"JC-{n}"))
    before = bureau.events()
    bureau.service.ledger.clock = Clock(date(2026, 2, 3))
    filed = bureau.run(bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="不服"))
    reviewed = bureau.run(SUPERVISION, c.ReviewDispute(entry_id=ENTRY, recommendation="uphold", findings="事实清楚"))
    decided = bureau.run(LEADING, c.DecideDispute(entry_id=ENTRY, decision="uphold", reason="维持", decision_ref="绩领〔2026〕7号"))
    q = bureau.service.queries

    def provisional(queries) -> tuple[bool, list[str]]:  # type: ignore[no-untyped-def]
        page = queries.ledger("P02", 2026, limit=1, offset=1)
        full = queries.ledger("P02", 2026)
        assert page == {**full, "entries": full["entries"][1:2], "offset": 1}
        assert page["entries_total"] == 3
        return next(s["provisional"] for s in page["sheets"] if s["period"] == "2026-01"), [e["entry_id"] for e in page["entries"]]

    assert provisional(q.at(before)) == (False, ["P02:2026-02:monthly:1"])
    assert provisional(q.at(filed["position"]))[0] and provisional(q.at(reviewed["position"]))[0]
    assert provisional(q.at(decided["position"])) == provisional(q) == (False, ["P02:2026-02:monthly:1"])
    assert q.ledger("P02", 2026, limit=5, offset=3)["entries"] == []  # past the end: an empty page


def test_the_decision_and_its_correction_are_one_transaction_R_DISPUTE_1(bureau: Bureau) -> None:
    """Deciding writes the Decided event and the reversal at consecutive positions."""
    _deduct_and_publish(bureau)
    bureau.service.ledger.clock = Clock(date(2026, 2, 3))
    bureau.run(bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="不服"))
    bureau.run(SUPERVISION, c.ReviewDispute(entry_id=ENTRY, recommendation="reverse", findings="依据不足"))
    before = bureau.events()
    out = bureau.run(LEADING, c.DecideDispute(entry_id=ENTRY, decision="reverse", reason="依据不足", decision_ref="绩领〔2026〕4号"))
    assert bureau.events() == before + 2 and out["position"] == before + 2
    record = bureau.service.queries.dispute(ENTRY)
    entry = bureau.service.queries.entry(ENTRY)
    assert {record["decided_position"], entry["position"]} == {before + 1, before + 2}


def test_an_amend_decision_replaces_the_entry_R_DISPUTE_1_R_FIX_1(bureau: Bureau) -> None:
    """Amended from 15 to 5 points: the January score goes 85.00 → 95.00 (100 − 5)."""
    _deduct_and_publish(bureau)
    bureau.service.ledger.clock = Clock(date(2026, 2, 3))
    bureau.run(bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="情节轻微"))
    bureau.run(SUPERVISION, c.ReviewDispute(entry_id=ENTRY, recommendation="amend", findings="情节较轻，建议减为5分"))
    out = bureau.run(LEADING, c.DecideDispute(entry_id=ENTRY, decision="amend", points="5", reason="情节较轻", decision_ref="绩领〔2026〕5号"))
    assert out["entry_id"] == "P02:2026-01:monthly:2"
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "95.00"
    assert bureau.service.queries.dispute(ENTRY)["replacement"] == "P02:2026-01:monthly:2"


def test_an_upheld_entry_keeps_counting_and_is_no_longer_disputed_R_DISPUTE_1(bureau: Bureau) -> None:
    _deduct_and_publish(bureau)
    bureau.service.ledger.clock = Clock(date(2026, 2, 3))
    bureau.run(bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="不服"))
    bureau.run(SUPERVISION, c.ReviewDispute(entry_id=ENTRY, recommendation="uphold", findings="事实清楚"))
    bureau.run(LEADING, c.DecideDispute(entry_id=ENTRY, decision="uphold", reason="维持", decision_ref="绩领〔2026〕6号"))
    sheet = bureau.sheet("P02:2026-01:monthly")
    assert (sheet["score"], sheet["provisional"], sheet["entries"][0]["status"]) == ("85.00", False, "active")


def test_a_unit_head_disputes_a_unit_entry_and_the_reversal_takes_the_cascade_R_DISPUTE_1_R_CASCADE_1(bureau: Bureau) -> None:
    """An assessor deducts B01 2 points with P03 responsible (cascade 2 points to P03's
    February sheet). B01's head disputes; reversal restores both: 100.00 and 100.00."""
    ledger = bureau.service.ledger
    ledger.clock = Clock(date(2026, 4, 1))
    out = bureau.run(
        bureau.assessor,
        c.RecordDeduction(unit="B01", track="key", points="2", item="K1", basis="进度滞后", occurred_on=date(2026, 2, 10), responsible=[c.Responsible(person="P03")]),
    )
    bureau.run(bureau.assessor, c.SubmitSheet(sheet="B01:2026-Q1:key"))
    bureau.run(OFFICE, c.PublishSheet(sheet="B01:2026-Q1:key"))
    bureau.run(bureau.head_b01, c.FileDispute(entry_id=out["entry_id"], reason="进度按计划完成"))
    bureau.run(SUPERVISION, c.ReviewDispute(entry_id=out["entry_id"], recommendation="reverse", findings="进度符合计划"))
    decided = bureau.run(LEADING, c.DecideDispute(entry_id=out["entry_id"], decision="reverse", reason="误扣", decision_ref="绩领〔2026〕7号"))
    assert decided["reversed"] == [out["entry_id"], *out["cascaded"]]
    assert bureau.sheet("B01:2026-Q1:key")["score"] == "100.00"
    assert bureau.sheet("P03:2026-02:monthly")["score"] == "100.00"


ALICE = Actor("staff-p03", Role.STAFF, person="P03")


@pytest.mark.parametrize(
    ("step", "code"),
    [
        ("other_person", "NOT_AFFECTED"),
        ("not_published", "SHEET_NOT_PUBLISHED"),
        ("window_closed", "DISPUTE_WINDOW_CLOSED"),
        ("twice", "ALREADY_EXISTS"),
        ("decide_before_review", "DISPUTE_STATE_INVALID"),
        ("review_twice", "DISPUTE_STATE_INVALID"),
        ("unknown_dispute", "DISPUTE_NOT_FOUND"),
        ("amend_without_points", "INVALID_INPUT"),
        ("staff_reviews", "FORBIDDEN"),
    ],
)
def test_bad_dispute_commands_are_refused_and_write_nothing_R_DISPUTE_1(bureau: Bureau, step: str, code: str) -> None:
    ledger = bureau.service.ledger
    if step == "not_published":
        ledger.clock = Clock(date(2026, 2, 2))
        bureau.run(SUPERVISION, c.RecordDeduction(person="P02", points="1", basis="迟到", occurred_on=date(2026, 1, 12), form_no="JC-1"))
        attempt = (bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="x"))
    else:
        _deduct_and_publish(bureau)
        ledger.clock = Clock(date(2026, 2, 9))  # the last day of the window
        attempts = {
            "other_person": (ALICE, c.FileDispute(entry_id=ENTRY, reason="x")),
            "window_closed": (bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="x")),
            "twice": (bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="again")),
            "decide_before_review": (LEADING, c.DecideDispute(entry_id=ENTRY, decision="reverse", reason="x", decision_ref="r")),
            "review_twice": (SUPERVISION, c.ReviewDispute(entry_id=ENTRY, recommendation="uphold", findings="again")),
            "unknown_dispute": (SUPERVISION, c.ReviewDispute(entry_id="P03:2026-01:monthly:1", recommendation="uphold", findings="x")),
            "amend_without_points": (LEADING, c.DecideDispute(entry_id=ENTRY, decision="amend", reason="x", decision_ref="r")),
            "staff_reviews": (bureau.staff_p02, c.ReviewDispute(entry_id=ENTRY, recommendation="uphold", findings="x")),
        }
        if step in ("twice", "decide_before_review", "review_twice", "amend_without_points", "staff_reviews"):
            bureau.run(bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="不服"))
        if step in ("review_twice", "amend_without_points"):
            bureau.run(SUPERVISION, c.ReviewDispute(entry_id=ENTRY, recommendation="reverse", findings="依据不足"))
        if step == "window_closed":
            ledger.clock = Clock(date(2026, 2, 10))  # one working day after 9 February
        attempt = attempts[step]
    before = bureau.events()
    with pytest.raises(DomainError) as refused:
        bureau.run(*attempt)
    assert refused.value.code == code
    assert bureau.events() == before
