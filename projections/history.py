"""History of the read models (R-Q-3): every projected row's earlier versions, so any query can be
answered as of a past log position without replaying the log.

Each projected table `T` has `T_history` with the same columns plus `superseded_at`, the log
position of the event that replaced that version. A database trigger copies the old row there
whenever the projector updates `T` (the projector never deletes; replacements are upserts), in the
same transaction as the event (the trigger SQL is frozen in migration 0006). Every row carries `position`, the event that wrote it, so the
version of a row shown at log position P is

    the current row, if its position <= P, or
    the history version with position <= P < superseded_at,

and a row first written after P has neither. `at(table, P)` builds that as a subquery with the
table's own name and columns, so a query written against the live table runs unchanged as of P.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select, union_all

from projections import tables
from projections.tables import HISTORY


def at(table: Table, position: int | None) -> Any:
    """`table` as it stood at log `position` (the live table when None)."""
    if position is None:
        return table
    history = HISTORY[table.name]
    columns = [c.name for c in table.columns]
    live = select(*[table.c[n] for n in columns]).where(table.c.position <= position)
    earlier = select(*[history.c[n] for n in columns]).where(history.c.position <= position, history.c.superseded_at > position)
    return union_all(live, earlier).subquery(table.name)


class Tables:
    """The tables a query reads: live, or each projected one as of a log position. One
    subquery per table, reused, so a statement that names a table twice names one thing."""

    def __init__(self, as_of: int | None = None) -> None:
        self.as_of = as_of
        self._cache: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        table = getattr(tables, name)
        if self.as_of is None or not isinstance(table, Table) or table.name not in HISTORY:
            return table
        if name not in self._cache:
            self._cache[name] = at(table, self.as_of)
        return self._cache[name]
