"""Calendar and deadline commands (R-CAL-2/3): the office's local calendar, and the quarterly
filing of monthly record forms, accepted when late and marked late."""

from __future__ import annotations

from ledger.application import commands as c
from ledger.domain.actors import Actor, Role
from ledger.application.unit_of_work import Outcome, UnitOfWork
from ledger.domain.errors import AlreadyExists, NotUnitHead
from ledger.domain.filing import RecordFiling, filing_id
from ledger.domain.periods import parse_period


def declare_days(uow: UnitOfWork, actor: Actor, cmd: c.DeclareCalendarDays) -> Outcome:
    calendar = uow.work_calendar()
    days = [{"day": d.day.isoformat(), "working": d.working, "note": d.note} for d in cmd.days]
    calendar.declare(days, cmd.complete_year, cmd.reason, actor.stamp())
    return Outcome(calendar, days=len(days), complete_year=cmd.complete_year)


def file_record_forms(uow: UnitOfWork, actor: Actor, cmd: c.FileRecordForms) -> Outcome:
    quarter = parse_period(cmd.quarter)
    plan = uow.plan(quarter.year)
    roster = uow.roster()
    roster.unit(cmd.unit)  # UNIT_NOT_FOUND
    today = uow.today
    if actor.role is Role.UNIT_HEAD and actor.person not in {roster.head_of(cmd.unit, quarter.end), roster.head_of(cmd.unit, today)}:
        raise NotUnitHead(unit=cmd.unit)
    if uow.exists(RecordFiling, filing_id(cmd.unit, quarter.code)):
        raise AlreadyExists(f"{cmd.unit} has filed for {quarter.code}", f"{cmd.unit} 已报备 {quarter.code} 月绩效考核备案表", unit=cmd.unit)
    deadline, warned = uow.working_days().add_working_days(quarter.end, int(plan.policy_decimal("report_deadline_working_days")))
    filing = RecordFiling(unit=cmd.unit, quarter=quarter.code, filed_on=today, deadline=deadline, late=today > deadline, actor=actor.stamp())
    return Outcome(filing, unit=cmd.unit, quarter=quarter.code, deadline=deadline.isoformat(), late=today > deadline, calendar_warning=warned)
