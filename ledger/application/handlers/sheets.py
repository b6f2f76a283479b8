"""Sheet lifecycle commands (R-SHEET-3): submit, publish, reopen."""

from __future__ import annotations


from ledger.application import commands as c
from ledger.domain.actors import Actor, Role
from ledger.application.unit_of_work import Outcome, UnitOfWork
from ledger.domain.errors import (
    NotOnPanel,
    NotUnitHead,
)
from ledger.domain.periods import parse_period
from ledger.domain.sheet import Sheet


def _check_sheet_actor(uow: UnitOfWork, actor: Actor, sheet: Sheet) -> None:
    """Who may submit or publish this sheet: the assessing department's panel member for a
    unit sheet, the head of the person's unit for a monthly sheet, the office for any."""
    if actor.role is Role.OFFICE:
        return
    if actor.role is Role.ASSESSOR:
        if sheet.target_kind != "unit" or not uow.plan(parse_period(sheet.period).year).assessor_may_assess(sheet.period, actor.person, sheet.target):
            raise NotOnPanel(sheet=sheet.code, assessor=actor.person)
        return
    if actor.role is Role.UNIT_HEAD:
        if sheet.target_kind != "person":
            raise NotUnitHead(sheet=sheet.code)
        period = parse_period(sheet.period)
        roster = uow.roster()
        if actor.person not in {roster.head_of(sheet.unit, period.start), roster.head_of(sheet.unit, period.assessment_day)}:
            raise NotUnitHead(sheet=sheet.code, unit=sheet.unit)


def submit_sheet(uow: UnitOfWork, actor: Actor, cmd: c.SubmitSheet) -> Outcome:
    sheet = uow.sheet(cmd.sheet)
    _check_sheet_actor(uow, actor, sheet)
    sheet.submit(actor.stamp(), on=uow.today)
    return Outcome(sheet, sheet=sheet.code, status=sheet.status)


def publish_sheet(uow: UnitOfWork, actor: Actor, cmd: c.PublishSheet) -> Outcome:
    sheet = uow.sheet(cmd.sheet)
    _check_sheet_actor(uow, actor, sheet)
    sheet.publish(actor.stamp(), on=uow.today)
    return Outcome(sheet, sheet=sheet.code, status=sheet.status)


def reopen_sheet(uow: UnitOfWork, actor: Actor, cmd: c.ReopenSheet) -> Outcome:
    sheet = uow.sheet(cmd.sheet)
    sheet.reopen(cmd.reason, cmd.decision_ref, actor.stamp())
    return Outcome(sheet, sheet=sheet.code, status=sheet.status)
