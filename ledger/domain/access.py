"""Who may read what (R-ORG-4, R-Q-1). Pure rules: the caller looks up where the reader stands
(their unit, the units they head) and what the record belongs to; `api/policy.py` applies them
to every route."""

from __future__ import annotations

from typing import AbstractSet

from ledger.domain.actors import Actor, Role

READ_EVERYTHING = frozenset({Role.LEADING_GROUP, Role.OFFICE, Role.SUPERVISION, Role.PARTY_GROUP, Role.VIEWER})


def reads_everything(actor: Actor) -> bool:
    """The office, the oversight roles and the auditors (viewer) read every record. An assessor
    does not: they read the units on their panels (R-SHEET-5) and their own ledger."""
    return actor.role in READ_EVERYTHING


def may_read_target(
    actor: Actor,
    target: str,
    target_unit: str | None,
    actor_unit: str | None,
    headed_units: AbstractSet[str],
    assessed_units: AbstractSet[str] = frozenset(),
) -> bool:
    """R-Q-1: staff read their own ledger and their unit's; a unit head also reads the ledgers
    of the unit's staff; an assessor reads the units on their panels (not those units' staff);
    the oversight roles and auditors (viewer) read everything."""
    if reads_everything(actor):
        return True
    if target == actor.person:
        return True
    if actor.role is Role.STAFF:
        return target == actor_unit
    if actor.role is Role.UNIT_HEAD:
        return target in headed_units or target_unit in headed_units
    if actor.role is Role.ASSESSOR:
        return target in assessed_units
    return False


def may_read_unit_members(actor: Actor, unit: str, headed_units: AbstractSet[str]) -> bool:
    """R-Q-1: the records of everyone in a unit at once (all its sheets, its staff's included) are
    for its head and the roles that read everything; a member of staff reads the unit's own
    records and their own, not a colleague's."""
    return reads_everything(actor) or (actor.role is Role.UNIT_HEAD and unit in headed_units)


def may_read_unit_results(actor: Actor, unit: str, headed_units: AbstractSet[str]) -> bool:
    """A unit's annual results, its vetoes and their trace, until they are publicly noticed (公示):
    the roles that read everything and that unit's head, not its staff nor another unit."""
    return reads_everything(actor) or (actor.role is Role.UNIT_HEAD and unit in headed_units)
