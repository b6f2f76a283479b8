"""What every part of the query side shares: the engine, the tables as of one log position, and
how a statement's rows come back.

`projections.queries.Queries` composes the parts (roster, plan, sheets, the annual review,
oversight, the log); each part is a mixin over this base, so every query answers as of `self.tb`.
"""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import Engine

from ledger.adapters.store import fetch_one
from ledger.clock import Clock
from projections.history import Tables
from projections.tables import TRACKING_NAME

PAGE_MAX = 500  # the most rows one list query returns


def paged(fetch: Callable[[int], list[dict[str, Any]]], most: int = 100_000) -> list[dict[str, Any]]:
    """Every row of a paged list query (`fetch(offset)`), read PAGE_MAX at a time (at most `most`)."""
    rows: list[dict[str, Any]] = []
    while len(rows) < most:
        page = fetch(len(rows))
        rows += page
        if len(page) < PAGE_MAX:
            break
    return rows[:most]


def projection_position(engine: Engine) -> int:
    """The log position the projections stand at (the projector's own). Read by every live
    annual result: straight on the driver (ledger.adapters.store.Reader)."""
    found = fetch_one(engine, "SELECT position FROM projection_tracking WHERE name = ?", (TRACKING_NAME,))
    return 0 if found is None else int(found["position"])


def rows_of(result: Any) -> list[dict[str, Any]]:
    """Rows as dicts, the column names zipped once per result (a `Row._mapping` per row costs as
    much as the fetch itself on a ledger of a few thousand entries; measured, bench/as_of.py)."""
    keys = tuple(result.keys())
    return [dict(zip(keys, row)) for row in result.all()]


class QueryBase:
    def __init__(self, engine: Engine, events_table: str = "stored_events", as_of: int | None = None, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or Clock()  # the current year, where a read names none
        self.events_table = events_table
        self.as_of = as_of  # a log position: every read answers as of it (R-Q-3)
        self.tb = Tables(as_of)

    def _all(self, stmt: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return rows_of(conn.execute(stmt))

    def _one(self, stmt: Any) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else dict(row._mapping)
