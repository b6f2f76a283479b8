"""The Sheet aggregate (考核表) on its own, no I/O: R-SHEET-1..4 and R-FIX-1.

Each test reads given (a sheet and the events it already holds) → when (one command) → then
(the events it emitted, in the past tense, and its state), or the refusal's stable code and no
event at all (a command checks, then emits).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from ledger.domain.actors import Actor, Role
from ledger.domain.errors import DomainError
from ledger.domain.sheet import Sheet, SheetStatus, Source, sheet_id

OFFICE = Actor("office", Role.OFFICE).stamp()
ASSESSOR = Actor("assessor-p09", Role.ASSESSOR, person="P09").stamp()
SUPERVISION = Actor("supervision", Role.SUPERVISION).stamp()
LEADING = Actor("leading", Role.LEADING_GROUP).stamp()

KEY_ITEMS = [{"code": "K1", "title": "重点工作完成", "points_max": "60"}, {"code": "K2", "title": "工作进度", "points_max": "40"}]
CODE = "B01:2026-Q1:key"
FACT_DAY = date(2026, 2, 10)


def given_sheet(items: list[dict[str, str]] | None = None, code: str = CODE) -> Sheet:
    """An open sheet whose `Opened` event has already been collected (stored)."""
    sheet = Sheet(code=code, target_kind="unit", target="B01", unit="B01", period="2026-Q1", track="key", items=KEY_ITEMS if items is None else items, actor=OFFICE)
    sheet.collect_events()
    return sheet


def deduct(
    sheet: Sheet,
    points: str,
    item: str | None = "K1",
    *,
    source: Source = Source.ASSESSMENT,
    cascaded_from: str | None = None,
    cascaded_to: list[str] | None = None,
    amends: str | None = None,
    form_no: str | None = None,
    actor: dict[str, Any] = ASSESSOR,
) -> str:
    return sheet.record_deduction(
        points=D(points), item=item, basis="重点工作未按序时进度完成", occurred_on=FACT_DAY, source=source, form_no=form_no,
        attachments=[], cascaded_from=cascaded_from, cascaded_to=cascaded_to or [], amends=amends, actor=actor,
    )  # fmt: skip


def refused_with(code: str, sheet: Sheet, command: Any, *args: Any, **kwargs: Any) -> DomainError:
    """The command raises the domain error `code`, emits nothing and leaves the entries alone."""
    sheet.collect_events()  # what happened before is the "given": as if stored
    entries_before = {no: dict(e) for no, e in sheet.entries.items()}
    status_before, version_before = sheet.status, sheet.version
    with pytest.raises(DomainError) as error:
        command(*args, **kwargs)
    assert error.value.code == code
    assert sheet.collect_events() == []
    assert (sheet.entries, sheet.status, sheet.version) == (entries_before, status_before, version_before)
    return error.value


def names(events: list[Any]) -> list[str]:
    return [type(e).__name__ for e in events]


# -- opening and recording (R-SHEET-1, R-SHEET-4) ---------------------------------------------------


def test_opening_a_sheet_records_opened_with_its_items__R_SHEET_1_R_SHEET_2() -> None:
    """When the office opens a sheet, then one `Opened` event holds the facts (no score: scores are
    derived in projections); the sheet is open, has no entries and its items keep exact maxima."""
    sheet = Sheet(code=CODE, target_kind="unit", target="B01", unit="B01", period="2026-Q1", track="key", items=KEY_ITEMS, actor=OFFICE)

    events = sheet.collect_events()
    assert names(events) == ["Opened"]
    assert (events[0].code, events[0].target, events[0].items, events[0].actor) == (CODE, "B01", KEY_ITEMS, OFFICE)
    assert not hasattr(events[0], "score")
    assert sheet.id == sheet_id(CODE)  # one sheet per code: the id is derived from it
    assert (sheet.status, sheet.entries, sheet.active_points()) == (SheetStatus.OPEN.value, {}, D(0))
    assert sheet.items == {"K1": D("60"), "K2": D("40")} and all(isinstance(v, D) for v in sheet.items.values())


def test_a_deduction_is_recorded_with_its_facts_and_exact_points__R_SHEET_4() -> None:
    """Given an open sheet, when an assessor deducts 0.5 on K1, then `DeductionRecorded` carries
    the points as a Decimal, the item, basis, fact date, source and actor, and the entry is :1."""
    sheet = given_sheet()

    entry_id = deduct(sheet, "0.5", "K1")

    assert entry_id == f"{CODE}:1"
    [event] = sheet.collect_events()
    assert type(event).__name__ == "DeductionRecorded"
    assert (event.no, event.points, event.item, event.occurred_on, event.source, event.late, event.actor) == (1, D("0.5"), "K1", FACT_DAY, "assessment", False, ASSESSOR)
    assert isinstance(event.points, D)
    assert sheet.entry(1)["reversed"] is False
    assert sheet.active_points() == D("0.5")


def test_entries_are_numbered_in_order_on_their_sheet__R_SHEET_4() -> None:
    sheet = given_sheet()
    assert [deduct(sheet, "1", "K1"), deduct(sheet, "2", "K2"), deduct(sheet, "0.25", "K1")] == [f"{CODE}:1", f"{CODE}:2", f"{CODE}:3"]
    assert [e.no for e in sheet.collect_events()] == [1, 2, 3]
    # 1 + 0.25 = 1.25 on K1; 1.25 + 2 = 3.25 on the sheet
    assert (sheet.active_points("K1"), sheet.active_points("K2"), sheet.active_points()) == (D("1.25"), D("2"), D("3.25"))


def test_an_unknown_entry_number_is_refused__R_FIX_1() -> None:
    sheet = given_sheet()
    error = refused_with("ENTRY_NOT_FOUND", sheet, sheet.reverse_entry, 7, reason="误扣", decision_ref="r", amended_by=None, following=None, actor=LEADING)
    assert error.facts == {"entry_id": f"{CODE}:7"}


# -- items and caps (R-SHEET-2) -------------------------------------------------------------------


def test_deductions_may_reach_an_items_cap_exactly__R_SHEET_2() -> None:
    """K1's maximum is 60: 59.5 + 0.5 = 60 is allowed (the cap is inclusive)."""
    sheet = given_sheet()
    deduct(sheet, "59.5", "K1")
    deduct(sheet, "0.5", "K1")
    assert names(sheet.collect_events()) == ["DeductionRecorded", "DeductionRecorded"]
    assert sheet.active_points("K1") == D("60")


def test_deduction_over_item_cap_is_refused__R_SHEET_2() -> None:
    """K1's maximum is 60 and 59.5 is already deducted: 59.5 + 0.51 = 60.01 > 60 is refused, and
    the refusal names the facts."""
    sheet = given_sheet()
    deduct(sheet, "59.5", "K1")
    sheet.collect_events()

    error = refused_with("ITEM_CAP_EXCEEDED", sheet, deduct, sheet, "0.51", "K1")

    assert (error.facts["item"], D(error.facts["points_max"]), D(error.facts["already"]), D(error.facts["points"])) == ("K1", D("60"), D("59.5"), D("0.51"))


def test_a_single_deduction_over_the_items_cap_is_refused__R_SHEET_2() -> None:
    sheet = given_sheet()
    refused_with("ITEM_CAP_EXCEEDED", sheet, deduct, sheet, "40.01", "K2")


def test_each_item_has_its_own_cap__R_SHEET_2() -> None:
    """K1 is full (60 of 60); K2 still takes its own 40."""
    sheet = given_sheet()
    deduct(sheet, "60", "K1")
    deduct(sheet, "40", "K2")
    assert sheet.active_points() == D("100")
    refused_with("ITEM_CAP_EXCEEDED", sheet, deduct, sheet, "0.01", "K1")


def test_a_reversed_deduction_no_longer_counts_against_the_cap__R_SHEET_2_R_FIX_1() -> None:
    """60 on K1 reversed → 0 active on K1, so a new 60 fits again."""
    sheet = given_sheet()
    deduct(sheet, "60", "K1")
    sheet.reverse_entry(1, reason="误扣", decision_ref="绩领〔2026〕1号", amended_by=None, following=None, actor=LEADING)
    deduct(sheet, "60", "K1")
    assert sheet.active_points("K1") == D("60")


def test_a_sheet_with_items_requires_an_item_on_a_hand_recorded_deduction__R_SHEET_2() -> None:
    sheet = given_sheet()
    error = refused_with("ITEM_REQUIRED", sheet, deduct, sheet, "1", None)
    assert error.facts["items"] == ["K1", "K2"]
    refused_with("ITEM_REQUIRED", sheet, deduct, sheet, "1", None, source=Source.UNIT_REVIEW)


def test_an_item_the_sheet_does_not_define_is_refused__R_SHEET_2() -> None:
    sheet = given_sheet()
    error = refused_with("ITEM_UNKNOWN", sheet, deduct, sheet, "1", "K9")
    assert error.facts == {"sheet": CODE, "item": "K9"}


def test_a_deduction_without_an_item_is_allowed_on_a_sheet_that_defines_none__R_SHEET_2() -> None:
    sheet = given_sheet(items=[], code="B01:2026-H1:routine")
    entry_id = deduct(sheet, "3", None)
    assert entry_id == "B01:2026-H1:routine:1"
    [event] = sheet.collect_events()
    assert (type(event).__name__, event.item, event.points) == ("DeductionRecorded", None, D("3"))


def test_an_item_is_refused_on_a_sheet_that_defines_none__R_SHEET_2() -> None:
    sheet = given_sheet(items=[], code="B01:2026-H1:routine")
    refused_with("ITEM_UNKNOWN", sheet, deduct, sheet, "1", "K1")


# -- life cycle (R-SHEET-3) ---------------------------------------------------------------------


def test_a_sheet_goes_open_submitted_published__R_SHEET_3() -> None:
    sheet = given_sheet()

    sheet.submit(ASSESSOR, on=date(2026, 3, 31))
    assert (names(sheet.collect_events()), sheet.status) == (["Submitted"], "submitted")

    sheet.publish(OFFICE, on=date(2026, 4, 2))
    [published] = sheet.collect_events()
    assert (type(published).__name__, published.on, published.actor) == ("Published", date(2026, 4, 2), OFFICE)
    assert (sheet.status, sheet.published_on) == ("published", date(2026, 4, 2))


def test_an_open_sheet_cannot_be_published_before_it_is_submitted__R_SHEET_3() -> None:
    sheet = given_sheet()
    error = refused_with("SHEET_STATE_INVALID", sheet, sheet.publish, OFFICE, on=date(2026, 4, 2))
    assert error.facts == {"sheet": CODE, "status": "open"}
    assert sheet.published_on is None


def test_a_sheet_is_submitted_and_published_once__R_SHEET_3() -> None:
    sheet = given_sheet()
    sheet.submit(ASSESSOR)
    sheet.collect_events()
    refused_with("SHEET_STATE_INVALID", sheet, sheet.submit, ASSESSOR)
    sheet.publish(OFFICE, on=date(2026, 4, 2))
    sheet.collect_events()
    refused_with("SHEET_STATE_INVALID", sheet, sheet.submit, ASSESSOR)
    refused_with("SHEET_STATE_INVALID", sheet, sheet.publish, OFFICE, on=date(2026, 4, 3))
    assert sheet.published_on == date(2026, 4, 2)


def _closed(status: str) -> Sheet:
    sheet = given_sheet()
    deduct(sheet, "1", "K1")
    sheet.submit(ASSESSOR)
    if status == "published":
        sheet.publish(OFFICE, on=date(2026, 4, 2))
    sheet.collect_events()
    return sheet


@pytest.mark.parametrize("status", ["submitted", "published"])
@pytest.mark.parametrize("source", [Source.ASSESSMENT, Source.UNIT_REVIEW])
def test_a_hand_recorded_deduction_on_a_sheet_that_is_not_open_is_refused__R_SHEET_3(status: str, source: Source) -> None:
    sheet = _closed(status)
    error = refused_with("SHEET_CLOSED", sheet, deduct, sheet, "1", "K1", source=source)
    assert error.facts == {"sheet": CODE, "status": status}
    assert sheet.active_points() == D("1")


@pytest.mark.parametrize("status", ["submitted", "published"])
def test_a_supervision_deduction_on_a_closed_sheet_is_kept_and_marked_late__R_SHEET_3_R_SUP_1_R_CAL_3(status: str) -> None:
    """Supervision deducts "at any time" (R-SUP-1): a closed sheet takes it, marked late, never lost."""
    sheet = _closed(status)
    deduct(sheet, "2", "K2", source=Source.SUPERVISION, form_no="JC-2026-001", actor=SUPERVISION)
    [event] = sheet.collect_events()
    assert (type(event).__name__, event.late, event.source, event.form_no) == ("DeductionRecorded", True, "supervision", "JC-2026-001")
    assert sheet.active_points() == D("3")  # 1 + 2


def test_a_reopened_sheet_takes_entries_again__R_SHEET_3_R_PLAN_2() -> None:
    sheet = _closed("published")
    sheet.reopen(reason="补充考核", decision_ref="绩领〔2026〕3号", actor=LEADING)
    [event] = sheet.collect_events()
    assert (type(event).__name__, event.reason, event.decision_ref, sheet.status) == ("Reopened", "补充考核", "绩领〔2026〕3号", "open")
    deduct(sheet, "1", "K1")
    assert [e.late for e in sheet.collect_events()] == [False]


def test_an_open_sheet_cannot_be_reopened__R_SHEET_3() -> None:
    sheet = given_sheet()
    refused_with("SHEET_STATE_INVALID", sheet, sheet.reopen, reason="x", decision_ref="r", actor=LEADING)


# -- corrections (R-FIX-1) ----------------------------------------------------------------------


def test_a_reversal_stops_the_entry_counting_and_keeps_its_record__R_FIX_1() -> None:
    """Given 2 + 1.5 deducted, when the leading group reverses the 2, then `DeductionReversed`
    carries the reason and the decision's reference; the entry is still there, marked reversed,
    and 1.5 counts."""
    sheet = given_sheet()
    deduct(sheet, "2", "K1")
    deduct(sheet, "1.5", "K2")
    sheet.collect_events()

    sheet.reverse_entry(1, reason="误扣", decision_ref="绩领〔2026〕1号", amended_by=None, following=None, actor=LEADING)

    [event] = sheet.collect_events()
    assert (type(event).__name__, event.no, event.reason, event.decision_ref, event.amended_by, event.actor) == ("DeductionReversed", 1, "误扣", "绩领〔2026〕1号", None, LEADING)
    assert (sheet.entry(1)["points"], sheet.entry(1)["reversed"]) == (D("2"), True)
    assert sheet.active_points() == D("1.5")  # 2 + 1.5 − 2 reversed


def test_reversing_a_reversed_entry_is_refused__R_FIX_1() -> None:
    sheet = given_sheet()
    deduct(sheet, "2", "K1")
    sheet.reverse_entry(1, reason="误扣", decision_ref="r1", amended_by=None, following=None, actor=LEADING)
    sheet.collect_events()
    error = refused_with("ENTRY_ALREADY_REVERSED", sheet, sheet.reverse_entry, 1, reason="再次", decision_ref="r2", amended_by=None, following=None, actor=LEADING)
    assert error.facts == {"entry_id": f"{CODE}:1"}


def test_a_cascaded_entry_is_not_reversed_directly__R_FIX_1_R_CASCADE_1() -> None:
    """Given a person's cascaded entry that follows the unit entry B01:2026-Q1:key:1, a reversal
    naming no leading entry is refused; reversing it along with its unit entry is accepted."""
    person_sheet = given_sheet(items=KEY_ITEMS, code="P03:2026-02:monthly")
    deduct(person_sheet, "2", None, source=Source.CASCADE, cascaded_from=f"{CODE}:1")
    person_sheet.collect_events()

    error = refused_with("ENTRY_IS_CASCADED", person_sheet, person_sheet.reverse_entry, 1, reason="x", decision_ref="r", amended_by=None, following=None, actor=LEADING)
    assert error.facts == {"entry_id": "P03:2026-02:monthly:1", "cascaded_from": f"{CODE}:1"}

    person_sheet.reverse_entry(1, reason="误扣", decision_ref="r", amended_by=None, following=f"{CODE}:1", actor=LEADING)
    [event] = person_sheet.collect_events()
    assert (type(event).__name__, event.following) == ("DeductionReversed", f"{CODE}:1")
    assert person_sheet.active_points() == D(0)


def test_a_missed_double_entry_is_not_reversed_directly__R_FIX_1_R_CASCADE_2() -> None:
    head_sheet = given_sheet(items=[], code="P01:2026-02:monthly")
    deduct(head_sheet, "3", None, source=Source.MISSED_DOUBLE, cascaded_from="P03:2026-01:monthly:1")
    head_sheet.collect_events()
    refused_with("ENTRY_IS_CASCADED", head_sheet, head_sheet.reverse_entry, 1, reason="x", decision_ref="r", amended_by=None, following=None, actor=LEADING)


def test_an_amendment_on_a_published_sheet_reverses_and_links_a_replacement__R_FIX_1() -> None:
    """Given a published sheet with 2 on K1, when the leading group amends it to 0.5 (a reversal
    naming its replacement, then the replacement naming what it amends), then only 0.5 counts
    and both records remain: 100 − 0.5 = 99.5 is what the projection will show."""
    sheet = _closed("published")
    sheet.collect_events()
    replacement_id = sheet.next_entry_id()

    sheet.reverse_entry(1, reason="口径有误", decision_ref="绩领〔2026〕2号", amended_by=replacement_id, following=None, actor=LEADING)
    recorded = deduct(sheet, "0.5", "K1", amends=f"{CODE}:1", actor=LEADING)

    assert recorded == replacement_id == f"{CODE}:2"
    reversed_, replaced = sheet.collect_events()
    assert (type(reversed_).__name__, reversed_.amended_by) == ("DeductionReversed", replacement_id)
    assert (type(replaced).__name__, replaced.amends, replaced.points, replaced.late) == ("DeductionRecorded", f"{CODE}:1", D("0.5"), True)
    assert ([e["reversed"] for e in sheet.entries.values()], sheet.active_points()) == ([True, False], D("0.5"))
    assert sheet.status == "published"  # a correction does not reopen the sheet


# -- score (R-SHEET-1) --------------------------------------------------------------------------


def test_the_score_is_100_minus_the_active_deductions__R_SHEET_1() -> None:
    """2 + 1.25 + 0.5 deducted, the 2 reversed: 100 − (1.25 + 0.5) = 98.25; rate 0.9825."""
    from projections.sheet_projection import sheet_score  # the one place R-SHEET-1's formula lives

    sheet = given_sheet()
    for points, item in (("2", "K1"), ("1.25", "K1"), ("0.5", "K2")):
        deduct(sheet, points, item)
    sheet.reverse_entry(1, reason="误扣", decision_ref="r", amended_by=None, following=None, actor=LEADING)

    assert sheet.active_points() == D("1.75")
    assert sheet_score(sheet.active_points()) == ("98.25", "0.9825")


def test_the_score_never_goes_below_zero__R_SHEET_1() -> None:
    """An itemless sheet can collect more than 100 points (supervision at any time, cascades):
    60 + 45 = 105 deducted → max(0, 100 − 105) = 0, not −5."""
    from projections.sheet_projection import sheet_score

    sheet = given_sheet(items=[], code="P03:2026-02:monthly")
    deduct(sheet, "60", None, source=Source.SUPERVISION, form_no="JC-1", actor=SUPERVISION)
    deduct(sheet, "45", None, source=Source.CASCADE, cascaded_from=f"{CODE}:1")

    assert sheet.active_points() == D("105")
    assert sheet_score(sheet.active_points()) == ("0.00", "0.0000")
    assert sheet_score(D("100")) == ("0.00", "0.0000") and sheet_score(D("99.99")) == ("0.01", "0.0001")
