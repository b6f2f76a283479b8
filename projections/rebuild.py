"""Rebuild (重建): empty the projected tables and replay the whole log through the same projector,
in one transaction, so the result is exactly what the live projection holds."""

from __future__ import annotations

from typing import Any

from ledger.adapters.store import ProjectionCursor
from projections.projector import Projector
from projections.tables import PROJECTED_TABLES

BATCH_EVENTS = 2000  # notifications read per batch


def rebuild(cursor: ProjectionCursor, recorder: Any, mapper: Any, projector: Projector) -> int:
    """Replays the log into the read models on `cursor` (the caller's one transaction, with the
    writer held). Returns the last position applied."""
    projector.discard()  # the projector's row cache is emptied before and after
    try:
        for table in PROJECTED_TABLES:
            cursor.execute(f"DELETE FROM {table.name}")
            cursor.execute(f"DELETE FROM {table.name}_history")  # replayed updates write it again
        cursor.execute("DELETE FROM projection_tracking")
        last = 0
        while True:
            batch = recorder.select_notifications(start=last + 1, limit=BATCH_EVENTS)
            if not batch:
                break
            projector.apply(cursor, [(n.id, mapper.to_domain_event(n)) for n in batch])
            last = batch[-1].id
        return last
    finally:
        projector.discard()
