"""Assessment periods (考核期) and sheet tracks, R-CAL-1 and R-SHEET-1.

A period has a code: a quarter `2026-Q1`, a half `2026-H1`, a month `2026-03`.
A sheet is identified by `target:period:track`, e.g. `B01:2026-Q1:key` or `P0007:2026-03:monthly`.
"""

from __future__ import annotations

import calendar as _stdcal
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from enum import Enum

from ledger.domain.errors import FactInFuture, InvalidInput


class PeriodKind(str, Enum):
    QUARTER = "quarter"  # 季度
    HALF = "half"  # 半年
    MONTH = "month"  # 月度


class Track(str, Enum):
    """What a sheet scores (R-SHEET-1)."""

    KEY = "key"  # 重点工作（分局，季度）
    ROUTINE = "routine"  # 常规性工作（分局，半年）
    HALF = "half"  # 机关科室半年考核
    MONTHLY = "monthly"  # 工作人员月度考核


TRACK_PERIOD_KIND = {
    Track.KEY: PeriodKind.QUARTER,
    Track.ROUTINE: PeriodKind.HALF,
    Track.HALF: PeriodKind.HALF,
    Track.MONTHLY: PeriodKind.MONTH,
}

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    code: str
    kind: PeriodKind
    year: int
    index: int  # quarter 1-4, half 1-2, month 1-12

    @property
    def months(self) -> range:
        if self.kind is PeriodKind.QUARTER:
            return range(3 * self.index - 2, 3 * self.index + 1)
        if self.kind is PeriodKind.HALF:
            return range(6 * self.index - 5, 6 * self.index + 1)
        return range(self.index, self.index + 1)

    @property
    def start(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def end(self) -> date:
        last = self.months[-1]
        return date(self.year, last, _stdcal.monthrange(self.year, last)[1])

    @property
    def assessment_day(self) -> date:
        """R-CAL-1: staff are assessed on the 30th (the last day in February)."""
        last = self.months[-1]
        return date(self.year, last, min(30, _stdcal.monthrange(self.year, last)[1]))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def parse_period(code: str) -> Period:
    for pattern, kind in ((_QUARTER, PeriodKind.QUARTER), (_HALF, PeriodKind.HALF), (_MONTH, PeriodKind.MONTH)):
        m = pattern.match(code or "")
        if m:
            return Period(code=code, kind=kind, year=int(m.group(1)), index=int(m.group(2)))
    raise InvalidInput(
        f"not a period code (2026-Q1, 2026-H1 or 2026-03): {code!r}",
        f"考核期编码无效（应为 2026-Q1、2026-H1 或 2026-03）：{code!r}",
        field="period",
    )


@lru_cache(maxsize=4096)
def period_of(day: date, kind: PeriodKind) -> Period:
    """The period of `kind` that contains `day` (R-SUP-1 files supervision by the fact's date)."""
    if kind is PeriodKind.QUARTER:
        return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if kind is PeriodKind.HALF:
        return parse_period(f"{day.year}-H{1 if day.month <= 6 else 2}")
    return parse_period(f"{day.year}-{day.month:02d}")


def default_window(period: Period) -> tuple[date, date]:
    """R-CAL-1: when a period is assessed. Key work at the end of each quarter, the 25th-30th of
    March, June and September, Q4 on 25-30 November; routine work in June (25-30) for H1 and on
    25-30 November for H2; staff monthly on the 30th (the last day in February). The office may
    give other dates when it opens the period; the leading group may move them (R-PLAN-2)."""
    if period.kind is PeriodKind.MONTH:
        return period.assessment_day, period.assessment_day
    last_month = period.months[-1]
    month = 11 if last_month == 12 else last_month
    return date(period.year, month, 25), date(period.year, month, 30)


def sheet_code(target: str, period: str, track: Track) -> str:
    return f"{target}:{period}:{track.value}"


def split_entry_id(entry_id: str) -> tuple[str, int]:
    """An entry id is `<sheet code>:<n>`; returns (sheet code, n)."""
    sheet, _, n = (entry_id or "").rpartition(":")
    if not sheet or not (n.isascii() and n.isdigit()):
        raise InvalidInput(f"not an entry id: {entry_id!r}", f"扣分记录编号无效：{entry_id!r}", field="entry_id")
    return sheet, int(n)


def annual_cutoff(year: int) -> date:
    """R-CAL-1: the annual cut-off date, 30 November (age class, bonus claims)."""
    return date(year, 11, 30)


def check_not_in_future(day: date, today: date, field: str = "occurred_on") -> None:
    """A deduction, a finding, a veto or a bonus rests on a fact that has happened: its date is
    not after today (the bureau's date, Beijing)."""
    if day > today:
        raise FactInFuture(f"{field} {day} is after today ({today})", f"{field} 日期 {day} 晚于今天（{today}）", field=field, today=today.isoformat())
