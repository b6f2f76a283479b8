"""`jixiao rebuild`: empty the projected tables and replay the whole log through the same
projector, in one transaction, so the result is exactly what the live projection holds."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from ledger.adapters.store import _Cursor
from api.service import LedgerService
from projections.tables import PROJECTED_TABLES

BATCH_EVENTS = 2000  # notifications read per batch


def rebuild(service: LedgerService) -> int:
    """Returns the last position applied."""
    ledger = service.ledger
    recorder = ledger.recorder
    last = 0
    with ledger._lock, _discarding(service), recorder.datastore.transaction(commit=True) as raw:  # type: ignore[attr-defined]
        cursor = _Cursor(raw, service.database.dialect)
        for table in PROJECTED_TABLES:
            cursor.execute(f"DELETE FROM {table.name}")
            cursor.execute(f"DELETE FROM {table.name}_history")  # replayed updates write it again
        cursor.execute("DELETE FROM projection_tracking")
        while True:
            batch = recorder.select_notifications(start=last + 1, limit=BATCH_EVENTS)
            if not batch:
                break
            service.projector.apply(cursor, [(n.id, ledger.mapper.to_domain_event(n)) for n in batch])
            last = batch[-1].id
    return last


@contextmanager
def _discarding(service: LedgerService) -> Iterator[None]:
    """The projector's row cache is emptied before and after (also when the rebuild fails)."""
    service.projector.discard()
    try:
        yield
    finally:
        service.projector.discard()
