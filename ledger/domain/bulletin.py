"""Bulletins (工作绩效管理简报), R-AUDIT-1.

The office publishes a bulletin for a period: its text, and the digest of the event log at the
moment of publication (the head of the hash chain in `ledger.audit`). Printed with the bulletin,
the digest lets anyone check later that nothing stored before it was altered (`jixiao verify`).
"""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.domain.roster import NAMESPACE


def bulletin_id(number: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"bulletin:{number}")


class Bulletin(Aggregate):
    """One issue of the bulletin, e.g. number "2026-03" (2026年第3期)."""

    @classmethod
    def create_id(cls, number: str, **_: Any) -> uuid.UUID:
        return bulletin_id(number)

    @event("Published")
    def __init__(
        self,
        number: str,
        period: str,
        title: str,
        body: str,
        through_position: int,
        digest: str,
        actor: dict[str, Any],
    ) -> None:
        """`digest` is the chain digest of the log up to and including `through_position`,
        the last event stored before this bulletin."""
        self.number = number
        self.period = period
        self.through_position = through_position
        self.digest = digest
