"""Who may read what (R-ORG-4, R-Q-1)."""

from __future__ import annotations

from ledger.domain.actors import Actor, Role

READ_EVERYTHING = frozenset({Role.LEADING_GROUP, Role.OFFICE, Role.SUPERVISION, Role.ASSESSOR, Role.PARTY_GROUP, Role.VIEWER})


def may_read_target(actor: Actor, target: str, target_unit: str | None, actor_unit: str | None, headed_units: set[str]) -> bool:
    """R-Q-1: staff read their own ledger and their unit's; a unit head also reads the ledgers
    of the unit's staff; the oversight roles and auditors (viewer) read everything."""
    if actor.role in READ_EVERYTHING:
        return True
    if target == actor.person:
        return True
    if actor.role is Role.STAFF:
        return target == actor_unit
    if actor.role is Role.UNIT_HEAD:
        return target in headed_units or target_unit in headed_units
    return False
