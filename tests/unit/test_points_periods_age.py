"""Pure rules of sections 1–3: points (R-SHEET-4), periods and windows (R-CAL-1), age class
(R-ORG-3), read access (R-Q-1), exact transcoding of Decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from ledger.domain.access import may_read_target
from ledger.domain.actors import Actor, Role
from ledger.domain.errors import InvalidInput, InvalidPoints
from ledger.domain.numbers import parse_points
from ledger.domain.periods import PeriodKind, default_window, parse_period, period_of, split_entry_id
from ledger.domain.roster import AgeClass, age_class
from ledger.adapters.store import DateAsISO, OrjsonTranscoder


@pytest.mark.parametrize(("text", "value"), [("0.5", D("0.50")), ("2", D("2.00")), ("1.25", D("1.25")), (3, D("3.00")), ("100", D("100.00"))])
def test_points_are_positive_with_at_most_two_places_R_SHEET_4(text: object, value: D) -> None:
    parsed = parse_points(text)
    assert parsed == value and isinstance(parsed, D) and parsed.as_tuple().exponent == -2


@pytest.mark.parametrize("bad", ["0", "-1", "0.005", "1.234", "abc", "NaN", "Infinity", "100.01", 0.5, True, ""])
def test_bad_points_are_refused_not_rounded_R_SHEET_4(bad: object) -> None:
    with pytest.raises(InvalidPoints) as refused:
        parse_points(bad)
    assert refused.value.code == "INVALID_POINTS"


@pytest.mark.parametrize(
    ("code", "kind", "window"),
    [
        ("2026-Q1", PeriodKind.QUARTER, (date(2026, 3, 25), date(2026, 3, 30))),
        ("2026-Q3", PeriodKind.QUARTER, (date(2026, 9, 25), date(2026, 9, 30))),
        ("2026-Q4", PeriodKind.QUARTER, (date(2026, 11, 25), date(2026, 11, 30))),  # Q4 assessed in November
        ("2026-H1", PeriodKind.HALF, (date(2026, 6, 25), date(2026, 6, 30))),
        ("2026-H2", PeriodKind.HALF, (date(2026, 11, 25), date(2026, 11, 30))),
        ("2026-02", PeriodKind.MONTH, (date(2026, 2, 28), date(2026, 2, 28))),  # the last day in February
        ("2028-02", PeriodKind.MONTH, (date(2028, 2, 29), date(2028, 2, 29))),
        ("2026-04", PeriodKind.MONTH, (date(2026, 4, 30), date(2026, 4, 30))),
    ],
)
def test_default_assessment_windows_R_CAL_1(code: str, kind: PeriodKind, window: tuple[date, date]) -> None:
    period = parse_period(code)
    assert period.kind is kind
    assert default_window(period) == window


@pytest.mark.parametrize("bad", ["2026-Q5", "2026-H3", "2026-13", "2026-00", "26-Q1", "", "2026Q1"])
def test_bad_period_codes_are_refused_R_CAL_1(bad: str) -> None:
    with pytest.raises(InvalidInput):
        parse_period(bad)


def test_supervision_files_by_the_facts_date_R_SUP_1() -> None:
    """A fact on 1 July 2026 belongs to Q3, H2 and month 07."""
    day = date(2026, 7, 1)
    assert [period_of(day, k).code for k in (PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.MONTH)] == ["2026-Q3", "2026-H2", "2026-07"]


def test_entry_ids_split_into_sheet_and_number() -> None:
    assert split_entry_id("P02:2026-01:monthly:12") == ("P02:2026-01:monthly", 12)
    with pytest.raises(InvalidInput):
        split_entry_id("P02:2026-01:monthly:x")


@pytest.mark.parametrize(
    ("gender", "birth", "cls"),
    [
        ("male", date(1970, 11, 30), AgeClass.SENIOR),  # 56 on the cut-off day itself
        ("male", date(1970, 12, 1), AgeClass.REGULAR),  # 56 the day after the cut-off
        ("female", date(1975, 11, 30), AgeClass.SENIOR),  # 51 on the cut-off day
        ("female", date(1975, 12, 1), AgeClass.REGULAR),
        ("male", date(1975, 1, 1), AgeClass.REGULAR),  # a man of 51 is regular
    ],
)
def test_age_class_on_the_annual_cut_off_R_ORG_3(gender: str, birth: date, cls: AgeClass) -> None:
    """The class is fixed on the annual cut-off date, 30 November 2026 (R-CAL-1)."""
    assert age_class(gender, birth, date(2026, 11, 30)) is cls


def test_staff_read_their_own_ledger_and_their_units_not_a_colleagues_R_Q_1() -> None:
    staff = Actor("u", Role.STAFF, person="P02")
    assert may_read_target(staff, "P02", "B01", "B01", set())
    assert may_read_target(staff, "B01", "B01", "B01", set())
    assert not may_read_target(staff, "P03", "B01", "B01", set())
    assert not may_read_target(staff, "B02", "B02", "B01", set())


def test_heads_read_their_unit_and_its_staff_and_oversight_reads_all_R_Q_1() -> None:
    head = Actor("h", Role.UNIT_HEAD, person="P01")
    assert may_read_target(head, "P03", "B01", "B01", {"B01"})
    assert may_read_target(head, "B01", "B01", "B01", {"B01"})
    assert not may_read_target(head, "P06", "B02", "B01", {"B01"})
    for role in (Role.OFFICE, Role.LEADING_GROUP, Role.SUPERVISION, Role.VIEWER):
        assert may_read_target(Actor("x", role), "P06", "B02", None, set())


def test_decimals_and_dates_survive_the_orjson_transcoder_exactly() -> None:
    """0.1 stays the decimal 0.1 (a float would store 0.1000000000000000055…)."""
    transcoder = OrjsonTranscoder()
    transcoder.register(DateAsISO())
    from eventsourcing.persistence import DecimalAsStr

    transcoder.register(DecimalAsStr())
    value = {"points": D("0.10"), "on": date(2026, 2, 28), "nested": [D("1.25")]}
    back = transcoder.decode(transcoder.encode(value))
    assert back == value and isinstance(back["points"], D) and str(back["points"]) == "0.10"
