"""The year plan (年度考核方案): policy numbers, periods, items and assessor panels.

R-PLAN-1 the office defines the year's periods, items and panels; R-PLAN-2 every policy
number is part of the plan with RULES.md's values as defaults, and every change is an event;
R-SHEET-2 items with maxima summing to 100; R-SHEET-5 panels fixed when a period opens.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import AlreadyExists, InvalidInput, ItemsInvalid, PeriodNotOpen
from ledger.domain.numbers import HUNDRED, parse_points
from ledger.domain.periods import TRACK_PERIOD_KIND, Period, PeriodKind, Track, default_window
from ledger.domain.roster import NAMESPACE, Roster, UnitKind

# R-PLAN-2: every policy number of RULES.md with its default. Values are decimal strings so a
# plan round-trips through the event store exactly.
DEFAULT_POLICY: dict[str, str] = {
    "bonus_cap_points": "10",  # R-BONUS-4
    "unit_standard_min": "85",  # R-UNIT-3 达标
    "unit_accountability_below": "70",  # R-UNIT-3 问责
    "grade_excellent_min": "95",  # R-STAFF-3 优秀
    "grade_good_min": "80",  # R-STAFF-3 良好
    "grade_fair_min": "60",  # R-STAFF-3 一般
    "excellent_quota_rate": "0.15",  # R-CS-2
    "branch_key_weight": "0.5",  # R-UNIT-1
    "branch_routine_weight": "0.5",  # R-UNIT-1
    "department_half_weight": "0.7",  # R-UNIT-2
    "department_grassroots_weight": "0.3",  # R-UNIT-2
    "staff_monthly_weight": "0.7",  # R-STAFF-2
    "staff_democratic_weight": "0.3",  # R-STAFF-2
    "direct_excellent_branch_ranks": "3",  # R-UNIT-4
    "report_deadline_working_days": "3",  # R-CAL-3
    "monthly_publish_by_day": "3",  # R-CAL-3: staff monthly results published by this day of the next month
    "dispute_window_working_days": "5",  # R-DISPUTE-1
    "notice_annual_working_days": "5",  # 公示: annual results noticed at least this many working days
    "notice_monthly_working_days": "3",  # 公示: monthly results, a shorter notice
    "senior_age_male": "56",  # R-ORG-3
    "senior_age_female": "51",  # R-ORG-3
}

TRACKS_OF_KIND = {
    PeriodKind.QUARTER: (Track.KEY,),
    PeriodKind.HALF: (Track.ROUTINE, Track.HALF),
    PeriodKind.MONTH: (Track.MONTHLY,),
}
TRACK_UNIT_KIND = {Track.KEY: UnitKind.BRANCH, Track.ROUTINE: UnitKind.BRANCH, Track.HALF: UnitKind.DEPARTMENT}


class YearPlan(Aggregate):
    """One assessment year's plan (年度考核方案)."""

    @classmethod
    def create_id(cls, year: int) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"plan:{year}")

    @event("Planned")
    def __init__(self, year: int, policy: dict[str, str], actor: dict[str, Any]) -> None:
        self.year = year
        self.policy = dict(policy)
        self.periods: dict[str, dict[str, Any]] = {}

    # -- policy ----------------------------------------------------------------------------

    def policy_decimal(self, key: str) -> Decimal:
        # A plan made before a policy number existed has that number's default.
        return Decimal(self.policy.get(key, DEFAULT_POLICY[key]))

    def change_policy(self, key: str, value: str, reason: str, decision_ref: str, effective_from: date, actor: dict[str, Any]) -> None:
        """R-PLAN-2: a policy number changes only by an approved adjustment, recorded as an event."""
        if key not in DEFAULT_POLICY:
            raise InvalidInput(f"unknown policy key {key!r}", f"未知的方案参数：{key!r}", field="key", known=sorted(DEFAULT_POLICY))
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise InvalidInput(f"policy value must be a decimal: {value!r}", f"参数值必须是数字：{value!r}", field="value") from None
        if not number.is_finite() or number < 0:
            raise InvalidInput("policy value must be a non-negative decimal", "参数值必须为非负数", field="value")
        _require_reason(reason, decision_ref)
        self._policy_changed(
            key=key, value=str(number), reason=reason, decision_ref=decision_ref, effective_from=effective_from, actor=actor
        )

    @event("PolicyChanged")
    def _policy_changed(self, key: str, value: str, reason: str, decision_ref: str, effective_from: date, actor: dict[str, Any]) -> None:
        self.policy[key] = value

    # -- periods ---------------------------------------------------------------------------

    def period(self, code: str) -> dict[str, Any]:
        try:
            return self.periods[code]
        except KeyError:
            raise PeriodNotOpen(f"period {code} has not been opened", f"考核期 {code} 尚未开启", period=code) from None

    def open_period(
        self,
        period: Period,
        items: dict[str, list[dict[str, Any]]],
        panels: list[dict[str, Any]],
        roster: Roster,
        actor: dict[str, Any],
        window: tuple[date, date] | None = None,
    ) -> None:
        """R-PLAN-1: open a period with its items (R-SHEET-2), assessor panels (R-SHEET-5) and
        assessment window (R-CAL-1, RULES.md's dates unless the office gives others)."""
        window_opens, window_closes = window or default_window(period)
        if window_opens > window_closes:
            raise InvalidInput("the window closes before it opens", "考核时间窗口的结束日期早于开始日期", field="window_closes")
        if period.year != self.year:
            raise InvalidInput(f"period {period.code} is not in year {self.year}", f"考核期 {period.code} 不属于 {self.year} 年度", field="period")
        if period.code in self.periods:
            raise AlreadyExists(f"period {period.code} is already open", f"考核期 {period.code} 已开启", period=period.code)
        tracks = TRACKS_OF_KIND[period.kind]
        clean_items: dict[str, list[dict[str, str]]] = {}
        for track_name, track_items in (items or {}).items():
            try:
                track = Track(track_name)
            except ValueError:
                raise ItemsInvalid(f"unknown track {track_name!r}", f"未知的考核类别：{track_name!r}", field="items") from None
            if track not in tracks:
                raise ItemsInvalid(f"track {track.value} has no sheets in a {period.kind.value} period", f"该考核期没有 {track.value} 类考核表", field="items")
            clean_items[track.value] = _validate_items(track_items)
        clean_panels: list[dict[str, Any]] = []
        if panels and period.kind is PeriodKind.MONTH:
            raise InvalidInput("monthly periods have no assessor panels", "月度考核期不设考核组", field="panels")
        seen_departments: set[str] = set()
        for panel in panels or []:
            department = str(panel.get("department", ""))
            if roster.unit(department)["kind"] != UnitKind.DEPARTMENT.value:
                raise InvalidInput(f"{department} is not a department", f"{department} 不是机关科室", field="panels")
            if department in seen_departments:
                raise InvalidInput(f"{department} appears twice in the panels", f"{department} 在考核组中重复出现", field="panels")
            seen_departments.add(department)
            assessors = [str(a) for a in panel.get("assessors", [])]
            units = [str(u) for u in panel.get("units", [])]
            if not assessors or not units:
                raise InvalidInput("a panel names its assessors and the units it assesses", "考核组须列明考核人员及其负责考核的单位", field="panels")
            for person in assessors:
                roster.person(person)
            for unit in units:
                roster.unit(unit)
            clean_panels.append({"department": department, "assessors": sorted(set(assessors)), "units": sorted(set(units))})
        self._period_opened(
            period=period.code, kind=period.kind.value, items=clean_items, panels=clean_panels, window_opens=window_opens,
            window_closes=window_closes, actor=actor,
        )  # fmt: skip

    @event("PeriodOpened")
    def _period_opened(
        self, period: str, kind: str, items: dict[str, Any], panels: list[dict[str, Any]], window_opens: date, window_closes: date, actor: dict[str, Any]
    ) -> None:
        self.periods[period] = {"kind": kind, "items": items, "panels": panels, "window": (window_opens, window_closes)}

    def items_for(self, period: str, track: Track) -> list[dict[str, str]]:
        return list(self.period(period)["items"].get(track.value, []))

    def assessor_may_assess(self, period: str, assessor: str | None, unit: str) -> bool:
        """R-SHEET-5: only an assessor on that period's panel, for a unit in their department's care."""
        if assessor is None:
            return False
        return any(assessor in p["assessors"] and unit in p["units"] for p in self.period(period)["panels"])


def _validate_items(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    """R-SHEET-2: items with positive maxima summing to 100."""
    clean: list[dict[str, str]] = []
    codes: set[str] = set()
    total = Decimal(0)
    for item in items or []:
        code = str(item.get("code", "")).strip()
        title = str(item.get("title", "")).strip()
        if not code or not title or code in codes:
            raise ItemsInvalid("each item needs a unique code and a title", "每个考核细则项目须有唯一编码和名称", field="items")
        points_max = parse_points(item.get("points_max"), field="points_max")
        codes.add(code)
        total += points_max
        clean.append({"code": code, "title": title, "points_max": str(points_max)})
    if clean and total != HUNDRED:
        raise ItemsInvalid(f"item maxima sum to {total}, not 100", f"考核细则项目分值合计为 {total} 分，应为100分", field="items", total=str(total))
    return clean


def _require_reason(reason: str, decision_ref: str) -> None:
    if not (reason or "").strip() or not (decision_ref or "").strip():
        raise InvalidInput("a reason and the decision's reference are required", "须填写理由及决定文号", field="reason")


__all__ = ["DEFAULT_POLICY", "TRACKS_OF_KIND", "TRACK_UNIT_KIND", "TRACK_PERIOD_KIND", "YearPlan"]
