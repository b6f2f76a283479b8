"""Working days (工作日) and the deadlines of R-CAL-2/3.

Working days follow the official Chinese calendar of public holidays and adjusted working days
(调休), taken from the kept `chinese-calendar` library, with the office's local exceptions on top.
The official calendar is announced each November for the next year, so the library knows only the
years announced when it was released. For a year it does not know, the office enters that year's
days itself (`DeclareCalendarDays` with `complete_year`); until it has, Monday–Friday count as
working days and every deadline computed that way carries a warning (R-CAL-2).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Mapping

import chinese_calendar
from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import InvalidInput
from ledger.domain.roster import NAMESPACE

MAX_WORKING_DAYS = 60  # the longest "within n working days" a plan may set
DAYS_PER_DECLARATION = 400  # a year's worth of exceptions and then some


def official_working_day(day: date) -> bool | None:
    """The official calendar's answer, or None for a year the library was not released with."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class WorkingDays:
    """The calendar in force: official days, the office's local exceptions over them, and the
    years the office has entered completely itself."""

    local: Mapping[date, bool] = field(default_factory=dict)
    complete_years: frozenset[int] = frozenset()

    def is_working_day(self, day: date) -> tuple[bool, bool]:
        """(working?, warned?) — warned when the answer rests on the Monday–Friday fallback."""
        if day in self.local:
            return self.local[day], False
        official = official_working_day(day)
        if official is not None:
            return official, False
        return day.weekday() < 5, day.year not in self.complete_years

    def add_working_days(self, day: date, n: int) -> tuple[date, bool]:
        """The end of the n-th working day after `day` ("within n working days of the window"
        = by the end of the n-th working day after the day the window closes, R-CAL-2)."""
        if not 0 <= n <= MAX_WORKING_DAYS:
            raise InvalidInput(f"working days must be 0..{MAX_WORKING_DAYS}", f"工作日数须在 0 至 {MAX_WORKING_DAYS} 之间", n=n)
        warned = False
        current = day
        counted = 0
        while counted < n:
            current += timedelta(days=1)
            working, w = self.is_working_day(current)
            if working:
                counted += 1
                warned = warned or w
        return current, warned

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (how long something is overdue)."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            count += self.is_working_day(current)[0]
        return count


def calendar_id() -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "work-calendar")


class WorkCalendar(Aggregate):
    """The office's local calendar: exceptions to the official days, and whole years it has entered."""

    @classmethod
    def create_id(cls) -> uuid.UUID:
        return calendar_id()

    @event("Started")
    def __init__(self) -> None:
        self.days: dict[str, bool] = {}
        self.complete_years: set[int] = set()

    def declare(self, days: list[dict[str, Any]], complete_year: int | None, reason: str, actor: dict[str, Any]) -> None:
        if not days and complete_year is None:
            raise InvalidInput("give at least one day or the year entered", "须至少填写一天或声明已录入的年度", field="days")
        if len(days) > DAYS_PER_DECLARATION:
            raise InvalidInput(f"at most {DAYS_PER_DECLARATION} days at a time", f"每次最多登记 {DAYS_PER_DECLARATION} 天", field="days")
        seen: set[str] = set()
        for d in days:
            if d["day"] in seen:
                raise InvalidInput(f"{d['day']} is given twice", f"日期 {d['day']} 重复", day=d["day"])
            seen.add(d["day"])
            if complete_year is not None and int(d["day"][:4]) != complete_year:
                raise InvalidInput(f"{d['day']} is not in {complete_year}", f"日期 {d['day']} 不在 {complete_year} 年内", day=d["day"])
        self._declared(days=days, complete_year=complete_year, reason=reason, actor=actor)

    @event("DaysDeclared")
    def _declared(self, days: list[dict[str, Any]], complete_year: int | None, reason: str, actor: dict[str, Any]) -> None:
        for d in days:
            self.days[d["day"]] = bool(d["working"])
        if complete_year is not None:
            self.complete_years.add(complete_year)

    def working_days(self) -> WorkingDays:
        return WorkingDays({date.fromisoformat(k): v for k, v in self.days.items()}, frozenset(self.complete_years))
