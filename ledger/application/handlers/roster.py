"""Roster commands (名册): units, heads, staff, transfers (R-ORG-1/2)."""

from __future__ import annotations


from ledger.application import commands as c
from ledger.domain.actors import Actor
from ledger.application.unit_of_work import Outcome, UnitOfWork


def register_unit(uow: UnitOfWork, actor: Actor, cmd: c.RegisterUnit) -> Outcome:
    roster = uow.roster()
    roster.register_unit(cmd.code, cmd.name, cmd.kind, cmd.registered_on, actor.stamp())
    return Outcome(roster, unit=cmd.code)


def appoint_head(uow: UnitOfWork, actor: Actor, cmd: c.AppointHead) -> Outcome:
    roster = uow.roster()
    roster.appoint_head(cmd.unit, cmd.person, cmd.effective_from, actor.stamp())
    return Outcome(roster, unit=cmd.unit, head=cmd.person)


def enrol_person(uow: UnitOfWork, actor: Actor, cmd: c.EnrolPerson) -> Outcome:
    roster = uow.roster()
    roster.enrol_person(
        cmd.code, cmd.name, cmd.gender, cmd.birth_date, cmd.unit, cmd.tier, cmd.position_grade, cmd.joined_on, cmd.in_authority, actor.stamp()
    )
    return Outcome(roster, person=cmd.code)


def transfer_person(uow: UnitOfWork, actor: Actor, cmd: c.TransferPerson) -> Outcome:
    roster = uow.roster()
    roster.transfer_person(cmd.person, cmd.unit, cmd.effective_from, actor.stamp())
    return Outcome(roster, person=cmd.person, unit=cmd.unit)


def change_position(uow: UnitOfWork, actor: Actor, cmd: c.ChangePosition) -> Outcome:
    roster = uow.roster()
    roster.change_position(cmd.person, cmd.tier, cmd.position_grade, actor.stamp())
    return Outcome(roster, person=cmd.person)


def set_authority(uow: UnitOfWork, actor: Actor, cmd: c.SetAuthority) -> Outcome:
    roster = uow.roster()
    roster.set_authority(cmd.person, cmd.in_authority, actor.stamp())
    return Outcome(roster, person=cmd.person)


def record_departure(uow: UnitOfWork, actor: Actor, cmd: c.RecordDeparture) -> Outcome:
    roster = uow.roster()
    roster.record_departure(cmd.person, cmd.left_on, actor.stamp())
    return Outcome(roster, person=cmd.person)
