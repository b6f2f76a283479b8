"""R-CAL-2 working days (official Chinese calendar + local exceptions) and the R-CAL-3 deadlines
the office checks: accepted when late, marked late, listed as overdue with by how long."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.clock import Clock
from ledger.application import commands as c
from ledger.domain.calendar import WorkingDays
from ledger.domain.errors import AlreadyExists, DomainError, Forbidden, NotUnitHead
from tests.conftest import OFFICE, SUPERVISION, Bureau

OFFICIAL = WorkingDays()


def test_three_working_days_skip_the_national_day_holiday_R_CAL_2() -> None:
    """2026: 1–7 October are the National Day holiday (国庆节). A window closing on Wednesday
    30 September: working days after it are 8 Oct (Thu), 9 Oct (Fri), then 10 Oct, a Saturday
    made a working day (调休) — so the third working day is Saturday 10 October."""
    assert OFFICIAL.add_working_days(date(2026, 9, 30), 3) == (date(2026, 10, 10), False)


def test_an_adjusted_sunday_is_a_working_day_R_CAL_2() -> None:
    """Sunday 4 January 2026 is an adjusted working day (元旦调休); 1–3 January are holidays.
    From Wednesday 31 December 2025: 4 Jan (Sun, 调休), 5 Jan (Mon), 6 Jan (Tue)."""
    assert OFFICIAL.is_working_day(date(2026, 1, 4)) == (True, False)
    assert OFFICIAL.add_working_days(date(2025, 12, 31), 3) == (date(2026, 1, 6), False)


def test_spring_festival_week_is_not_counted_R_CAL_2() -> None:
    """Spring Festival 2026: 15–23 February off; 14 Feb (Sat) and 28 Feb (Sat) are 调休 working
    days. From Friday 13 February: 14 Feb (Sat, 调休) 1, then 24 Feb (Tue) 2, 25 Feb (Wed) 3."""
    assert OFFICIAL.add_working_days(date(2026, 2, 13), 3) == (date(2026, 2, 25), False)


def test_local_exceptions_override_the_official_calendar_R_CAL_2() -> None:
    """The office closes on Thursday 8 October 2026 (a local exception): from 30 September the
    third working day moves from Saturday 10 October to Monday 12 October."""
    cal = WorkingDays({date(2026, 10, 8): False})
    assert cal.add_working_days(date(2026, 9, 30), 3) == (date(2026, 10, 12), False)


def test_a_year_the_library_does_not_know_falls_back_to_weekdays_with_a_warning_R_CAL_2() -> None:
    """2099 is not in the official calendar library: Monday–Friday count, and the deadline is
    warned about until the office declares the year entered."""
    friday = date(2099, 1, 2)
    assert friday.weekday() == 4
    assert OFFICIAL.add_working_days(friday, 3) == (date(2099, 1, 7), True)
    entered = WorkingDays({date(2099, 1, 5): False}, frozenset({2099}))
    assert entered.add_working_days(friday, 3) == (date(2099, 1, 8), False)


def _deadlines(bureau: Bureau, today: date, **kw):  # type: ignore[no-untyped-def]
    return bureau.service.deadlines.year(2026, today, **kw)


def _item(report, kind: str, subject: str, period: str):  # type: ignore[no-untyped-def]
    [found] = [i for i in report["items"] if (i["kind"], i["subject"], i["period"]) == (kind, subject, period)]
    return found


def test_a_unit_sheet_reported_after_three_working_days_is_accepted_and_marked_late_R_CAL_3(bureau: Bureau) -> None:
    """Q1 key-work window closes 30 March 2026 (Monday). Three working days: 31 Mar, 1 Apr,
    2 Apr → deadline Thursday 2 April. Reported on Tuesday 7 April (after Qingming, 4–6 April):
    accepted, 'late' by 5 calendar days and 2 working days (3 Apr Fri, 7 Apr Tue)."""
    ledger = bureau.service.ledger
    ledger.clock = Clock(date(2026, 4, 7))
    out = bureau.run(bureau.assessor, c.SubmitSheet(sheet="B01:2026-Q1:key"))
    assert out["status"] == "submitted"
    item = _item(_deadlines(bureau, date(2026, 4, 20)), "unit_sheet_report", "B01:2026-Q1:key", "2026-Q1")
    assert (item["deadline"], item["done_on"], item["status"]) == ("2026-04-02", "2026-04-07", "late")
    assert (item["late_days"], item["late_working_days"]) == (5, 2)


def test_an_unreported_sheet_is_overdue_by_how_long_R_CAL_3(bureau: Bureau) -> None:
    """B02's Q1 sheet is never reported: on 10 April it is overdue by 8 days (2 Apr → 10 Apr)
    and 5 working days (3, 7, 8, 9, 10 April); before the deadline it is only pending."""
    overdue = _item(_deadlines(bureau, date(2026, 4, 10)), "unit_sheet_report", "B02:2026-Q1:key", "2026-Q1")
    assert (overdue["status"], overdue["late_days"], overdue["late_working_days"]) == ("overdue", 8, 5)
    pending = _item(_deadlines(bureau, date(2026, 4, 1)), "unit_sheet_report", "B02:2026-Q1:key", "2026-Q1")
    assert pending["status"] == "pending"
    assert all(i["status"] in ("overdue", "late") for i in _deadlines(bureau, date(2026, 4, 10), overdue_only=True)["items"])


def test_monthly_results_are_due_by_the_third_of_the_next_month_R_CAL_3(bureau: Bureau) -> None:
    """B01's January sheets (P01–P04) are published on 3 February: on time. B02's are not:
    on 5 February they are 2 days overdue."""
    ledger = bureau.service.ledger
    ledger.clock = Clock(date(2026, 2, 3))
    for person in ("P01", "P02", "P03", "P04"):
        bureau.run(OFFICE, c.SubmitSheet(sheet=f"{person}:2026-01:monthly"))
        bureau.run(OFFICE, c.PublishSheet(sheet=f"{person}:2026-01:monthly"))
    report = _deadlines(bureau, date(2026, 2, 5))
    b01 = _item(report, "monthly_publication", "B01", "2026-01")
    assert (b01["deadline"], b01["status"], b01["unpublished"]) == ("2026-02-03", "met", 0)
    b02 = _item(report, "monthly_publication", "B02", "2026-01")
    assert (b02["status"], b02["late_days"], b02["unpublished"]) == ("overdue", 2, 3)


def test_record_forms_filed_late_are_accepted_and_marked_late_R_CAL_3(bureau: Bureau) -> None:
    """Q1 ends Tuesday 31 March; three working days: 1, 2, 3 April → due Friday 3 April.
    B01's head files on 8 April: accepted, late. Filing again is refused."""
    ledger = bureau.service.ledger
    ledger.clock = Clock(date(2026, 4, 8))
    out = bureau.run(bureau.head_b01, c.FileRecordForms(unit="B01", quarter="2026-Q1"))
    assert (out["deadline"], out["late"]) == ("2026-04-03", True)
    item = _item(_deadlines(bureau, date(2026, 4, 9)), "record_forms", "B01", "2026-Q1")
    assert (item["status"], item["done_on"]) == ("late", "2026-04-08")
    before = bureau.events()
    with pytest.raises(AlreadyExists):
        bureau.run(OFFICE, c.FileRecordForms(unit="B01", quarter="2026-Q1"))
    with pytest.raises(NotUnitHead):
        bureau.run(bureau.head_b02, c.FileRecordForms(unit="B01", quarter="2026-Q1"))
    assert bureau.events() == before


def test_the_offices_local_exception_moves_a_deadline_R_CAL_2_R_CAL_3(bureau: Bureau) -> None:
    """The office declares Wednesday 1 April 2026 a local non-working day: the Q1 report
    deadline moves from 2 April to 3 April, and the list says so."""
    bureau.run(OFFICE, c.DeclareCalendarDays(days=[c.CalendarDay(day=date(2026, 4, 1), working=False, note="本地停电")], reason="区政府通知"))
    item = _item(_deadlines(bureau, date(2026, 4, 20)), "unit_sheet_report", "B02:2026-Q1:key", "2026-Q1")
    assert item["deadline"] == "2026-04-03"


@pytest.mark.parametrize(
    ("actor", "command"),
    [
        (SUPERVISION, c.DeclareCalendarDays(days=[c.CalendarDay(day=date(2026, 4, 1), working=False)], reason="x")),
        (OFFICE, c.DeclareCalendarDays(days=[], reason="nothing")),
        (OFFICE, c.DeclareCalendarDays(days=[c.CalendarDay(day=date(2026, 4, 1), working=False)], complete_year=2027, reason="wrong year")),
        (OFFICE, c.FileRecordForms(unit="B99", quarter="2026-Q1")),
        (OFFICE, c.FileRecordForms(unit="B01", quarter="2031-Q1")),
    ],
)
def test_bad_calendar_and_filing_commands_write_nothing_R_CAL_2_R_CAL_3(bureau: Bureau, actor, command) -> None:  # type: ignore[no-untyped-def]
    before = bureau.events()
    with pytest.raises((DomainError, Forbidden)):
        bureau.run(actor, command)
    assert bureau.events() == before
