"""The inline projector: applies each event to the read-model tables, in the command's own
transaction, and advances the tracking position in that same transaction.

One projection per part of the domain (roster, plan, sheets, annual inputs, oversight), each
mapping its event types to row changes; this class joins their tables of handlers and keeps
the tracking position. `jixiao rebuild` runs this same code over the whole log.
"""

from __future__ import annotations

from typing import Any, Sequence

from ledger.adapters.store import ProjectionCursor
from projections.annual_projection import AnnualProjection
from projections.oversight_projection import OversightProjection
from projections.plan_projection import PlanProjection
from projections.roster_projection import RosterProjection
from projections.rows import Apply
from projections.sheet_projection import SheetProjection
from projections.tables import TRACKING_NAME



class ProjectionGap(RuntimeError):
    """The projector was handed positions that do not follow the last one it applied."""


class Projector:
    """Maps event types to row changes. Called as an inline hook of the recorder."""

    def __init__(self) -> None:
        self.annual = AnnualProjection()
        self.sheets = SheetProjection(self.annual)
        parts = (RosterProjection(), PlanProjection(), self.sheets, self.annual, OversightProjection())
        self._apply: dict[type, Apply] = {}
        for part in parts:
            self._apply.update(part.handlers())
        self._next: int | None = None  # the position after the last one applied, while the row caches hold

    # -- the hook --------------------------------------------------------------------------

    def __call__(self, cursor: ProjectionCursor, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None:
        self.apply(cursor, list(zip(notification_ids, kwargs["new_events"], strict=True)))

    def apply(self, cursor: ProjectionCursor, positioned: Sequence[tuple[int, Any]]) -> None:
        if not positioned:
            return
        if positioned[0][0] != self._next:
            # Positions not following on from this projector's own last ones: another server
            # process wrote in between (PostgreSQL), or a rolled-back insert left a gap. The
            # rows it keeps in memory may be stale: read them again.
            self.discard()
        for position, event in positioned:
            self._apply[type(event)](cursor, position, event)
        self.advance(cursor, positioned[0][0], positioned[-1][0])
        self._next = positioned[-1][0] + 1

    def handler(self, event_type: type) -> Apply:
        """The row changes of one event type (KeyError for a type no projection handles)."""
        return self._apply[event_type]

    def advance(self, cursor: ProjectionCursor, first: int, final: int) -> None:
        """Move the tracking position to `final`, only if the batch follows on from it.

        Never skip a position, never apply one twice: SQLite assigns positions without gaps,
        so the batch must start right after the tracked one. A PostgreSQL sequence may leave a
        gap after a rolled-back insert, never one a later commit could fill (the recorder
        locks the table), so there the batch must only start after it. One statement does
        the check and the move; zero rows changed means the check failed.
        """
        if cursor.dialect == "sqlite":
            cursor.execute("UPDATE projection_tracking SET position = ? WHERE name = ? AND position = ?", (final, TRACKING_NAME, first - 1))
            if cursor.rowcount == 1:
                return
        else:
            # psycopg's pipeline mode knows no rowcount until it syncs: ask for the row back.
            cursor.execute("UPDATE projection_tracking SET position = ? WHERE name = ? AND position < ? RETURNING position", (final, TRACKING_NAME, first))
            if cursor.fetchone() is not None:
                return
        cursor.execute("SELECT position FROM projection_tracking WHERE name = ?", (TRACKING_NAME,))
        row = cursor.fetchone()
        if row is None and (first == 1 or cursor.dialect != "sqlite"):
            cursor.execute("INSERT INTO projection_tracking (name, position) VALUES (?, ?)", (TRACKING_NAME, final))
            return
        raise ProjectionGap(f"projection at {None if row is None else row['position']} was handed positions {first}..{final}")

    def discard(self) -> None:
        """Forget cached rows (a transaction that wrote them may have been rolled back)."""
        self._next = None
        self.sheets.discard()
        self.annual.discard()
