"""Plan commands (年度考核方案): the year, policy changes, periods and their sheets (R-PLAN-1/2, R-SHEET-1/2/5)."""

from __future__ import annotations


from ledger.application import commands as c
from ledger.domain.actors import Actor
from ledger.application.unit_of_work import Outcome, UnitOfWork
from ledger.domain.errors import (
    AlreadyExists,
    InvalidInput,
    PlanNotFound,
    SheetNotFound,
)
from ledger.domain.periods import TRACK_PERIOD_KIND, Track, parse_period, sheet_code
from ledger.domain.plan import DEFAULT_POLICY, TRACK_UNIT_KIND, TRACKS_OF_KIND, YearPlan
from ledger.domain.roster import Roster
from ledger.domain.sheet import Sheet


def plan_year(uow: UnitOfWork, actor: Actor, cmd: c.PlanYear) -> Outcome:
    try:
        uow.plan(cmd.year)
    except PlanNotFound:
        return Outcome(YearPlan(year=cmd.year, policy=dict(DEFAULT_POLICY), actor=actor.stamp()), year=cmd.year)
    raise AlreadyExists(f"the {cmd.year} plan exists", f"{cmd.year} 年度考核方案已存在", year=cmd.year)


def change_policy(uow: UnitOfWork, actor: Actor, cmd: c.ChangePolicy) -> Outcome:
    plan = uow.plan(cmd.year)
    plan.change_policy(cmd.key, cmd.value, cmd.reason, cmd.decision_ref, cmd.effective_from, actor.stamp())
    return Outcome(plan, year=cmd.year, key=cmd.key, value=plan.policy[cmd.key])


def _new_sheet(roster: Roster, plan: YearPlan, target: str, period_code: str, track: Track, actor: Actor) -> Sheet:
    period = parse_period(period_code)
    if track is Track.MONTHLY:
        unit = roster.unit_of(target, period.assessment_day) or roster.unit_of(target, period.end)
        if unit is None or not roster.person(target)["in_authority"]:
            raise InvalidInput(
                f"{target} is not assessed in {period_code}", f"{target} 在 {period_code} 不在考核范围内", target=target, period=period_code
            )
        kind = "person"
    else:
        if roster.unit(target)["kind"] != TRACK_UNIT_KIND[track].value:
            raise InvalidInput(f"{target} has no {track.value} sheets", f"{target} 不适用该类考核表", target=target, track=track.value)
        unit, kind = target, "unit"
    return Sheet(
        code=sheet_code(target, period_code, track),
        target_kind=kind,
        target=target,
        unit=unit,
        period=period_code,
        track=track.value,
        items=plan.items_for(period_code, track),
        actor=actor.stamp(),
    )


def open_period(uow: UnitOfWork, actor: Actor, cmd: c.OpenPeriod) -> Outcome:
    """R-PLAN-1, R-SHEET-1: open the period and a sheet for every target in it."""
    period = parse_period(cmd.period)
    plan = uow.plan(period.year)
    roster = uow.roster()
    items = {track.value: [i.model_dump() for i in lst] for track, lst in cmd.items.items()}
    if (cmd.window_opens is None) != (cmd.window_closes is None):
        raise InvalidInput("give both window dates or neither", "考核时间窗口须同时给出开始和结束日期", field="window_opens")
    window = (cmd.window_opens, cmd.window_closes) if cmd.window_opens is not None and cmd.window_closes is not None else None
    plan.open_period(period, items, [p.model_dump() for p in cmd.panels], roster, actor.stamp(), window)
    sheets: list[Sheet] = []
    for track in TRACKS_OF_KIND[period.kind]:
        if track is Track.MONTHLY:
            # R-STAFF-1: a sheet for each person on the roster on the month's assessment day;
            # R-STAFF-5: none for a person exempted from daily assessment.
            exempt = uow.exempt_persons(period.year)
            targets = [p for p in roster.persons if roster.is_assessed(p, period.assessment_day) and p not in exempt]
        else:
            kind = TRACK_UNIT_KIND[track].value
            targets = [u for u, d in roster.units.items() if d["kind"] == kind and d["registered_on"] <= period.end]
        sheets.extend(_new_sheet(roster, plan, t, period.code, track, actor) for t in targets)
    return Outcome(plan, *sheets, period=period.code, sheets=len(sheets))


def open_sheet(uow: UnitOfWork, actor: Actor, cmd: c.OpenSheet) -> Outcome:
    period = parse_period(cmd.period)
    if TRACK_PERIOD_KIND[cmd.track] is not period.kind:
        raise InvalidInput(f"{cmd.track.value} sheets are not kept per {period.kind.value}", "考核类别与考核期不符", field="track")
    plan = uow.plan(period.year)
    plan.period(period.code)
    code = sheet_code(cmd.target, period.code, cmd.track)
    if cmd.track is Track.MONTHLY and cmd.target in uow.exempt_persons(period.year):
        raise InvalidInput(f"{cmd.target} is exempt from daily assessment in {period.year}", f"{cmd.target} 已获批免于 {period.year} 年度日常考核", target=cmd.target)
    try:
        uow.sheet(code)
    except SheetNotFound:
        return Outcome(_new_sheet(uow.roster(), plan, cmd.target, period.code, cmd.track, actor), sheet=code)
    raise AlreadyExists(f"sheet {code} exists", f"考核表 {code} 已存在", sheet=code)
