"""Roster commands (名册): units, heads, staff, transfers (R-ORG-1/2)."""

from __future__ import annotations


from ledger.application import commands as c
from ledger.domain.actors import Actor
from ledger.application.ledger import Ledger, Outcome, handles


@handles(c.RegisterUnit)
def _register_unit(app: Ledger, actor: Actor, cmd: c.RegisterUnit) -> Outcome:
    roster = app.roster()
    roster.register_unit(cmd.code, cmd.name, cmd.kind, cmd.registered_on, actor.stamp())
    return Outcome(roster, unit=cmd.code)


@handles(c.AppointHead)
def _appoint_head(app: Ledger, actor: Actor, cmd: c.AppointHead) -> Outcome:
    roster = app.roster()
    roster.appoint_head(cmd.unit, cmd.person, cmd.effective_from, actor.stamp())
    return Outcome(roster, unit=cmd.unit, head=cmd.person)


@handles(c.EnrolPerson)
def _enrol_person(app: Ledger, actor: Actor, cmd: c.EnrolPerson) -> Outcome:
    roster = app.roster()
    roster.enrol_person(
        cmd.code, cmd.name, cmd.gender, cmd.birth_date, cmd.unit, cmd.tier, cmd.position_grade, cmd.joined_on, cmd.in_authority, actor.stamp()
    )
    return Outcome(roster, person=cmd.code)


@handles(c.TransferPerson)
def _transfer_person(app: Ledger, actor: Actor, cmd: c.TransferPerson) -> Outcome:
    roster = app.roster()
    roster.transfer_person(cmd.person, cmd.unit, cmd.effective_from, actor.stamp())
    return Outcome(roster, person=cmd.person, unit=cmd.unit)


@handles(c.ChangePosition)
def _change_position(app: Ledger, actor: Actor, cmd: c.ChangePosition) -> Outcome:
    roster = app.roster()
    roster.change_position(cmd.person, cmd.tier, cmd.position_grade, actor.stamp())
    return Outcome(roster, person=cmd.person)


@handles(c.SetAuthority)
def _set_authority(app: Ledger, actor: Actor, cmd: c.SetAuthority) -> Outcome:
    roster = app.roster()
    roster.set_authority(cmd.person, cmd.in_authority, actor.stamp())
    return Outcome(roster, person=cmd.person)


@handles(c.RecordDeparture)
def _record_departure(app: Ledger, actor: Actor, cmd: c.RecordDeparture) -> Outcome:
    roster = app.roster()
    roster.record_departure(cmd.person, cmd.left_on, actor.stamp())
    return Outcome(roster, person=cmd.person)
