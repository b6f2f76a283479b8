"""History of the read models (R-Q-3): every projected row's earlier versions, so any query can be
answered as of a past log position without replaying the log.

Each projected table `T` has `T_history` with the same columns plus `superseded_at`, the log
position of the event that replaced that version. A database trigger copies the old row there
whenever the projector updates `T` (the projector never deletes; replacements are upserts, and
every write sets `position`), in the same transaction as the event (the trigger SQL is frozen in
migration 0006). Every row carries `position`, the event that wrote it, so the version of a row
shown at log position P is

    the current row, if its position <= P, or
    the history version with position <= P < superseded_at,

and a row first written after P has neither. `at(table, P)` builds that as a subquery with the
table's own name and columns, so a query written against the live table runs unchanged as of P.

How the earlier version is found (issue 14): a seek per key. The versions of one key form a chain
— each version's `superseded_at` is the `position` of the next, and positions only grow — so the
version with position <= P < superseded_at is the *latest* version of that key with position <= P.
For each current row written after P, `at` takes

    SELECT version_id FROM T_history WHERE key = row.key AND position <= P
    ORDER BY position DESC, superseded_at DESC LIMIT 1

one backward step in `ix_T_history_seek (key..., position, superseded_at)`, then that version by
its primary key, and keeps it if its `superseded_at > P` (always so, by the chain; checked, so the
rows are exactly those of the definition above). A tie on `position` (one event writing a row
twice) goes to the later version. The key columns of an earlier version are taken from the current
row, so a query's conditions on key columns reach the current table's primary key: a read as of P
costs O(rows asked × log n), whatever the length of the log. Conditions on other columns apply to
the version, after the seek; a query that can name a key range should (sheet_queries.ledger does).

Why: the range form (`position <= P AND superseded_at > P`, on an index (key..., superseded_at) or
(superseded_at)) walks every version superseded after P. On the 1,000,135-event bench store (400
persons; ~1M versions each in annual_persons_history and sheets_history) the year's running sums
as of a position took 5-7 million SQLite VM steps that way, 17 thousand by the seek; the whole
bureau's annual results as of a random position went from a median of ~1.4 s to ~60 ms, a
person's year ledger as of one from ~120 ms to ~18 ms (bench/as_of.py on a shared, loaded
machine). Checkpoints of the running sums (the issue's other idea) would bound the work as well,
but need a second write path in the projector and more tables; the seek needs neither, and its one
index replaces both indexes of migration 0006, so a command writes one B-tree fewer per
superseded row and the history indexes take 30% less room (migration 0013). The same statement
runs on SQLite (a correlated scalar subquery, then the row by its integer primary key) and on
PostgreSQL (`Index Cond: version_id = (SubPlan)` over `Index Scan Backward using
ix_T_history_seek`); tests/integration/test_as_of_bounded.py holds both to the definition and to
these plans.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import BigInteger, Table, bindparam, text

from projections import tables
from projections.tables import HISTORY


def at(table: Table, position: int | None) -> Any:
    """`table` as it stood at log `position` (the live table when None): a subquery named and
    typed like the table, so `at(t, P).c.<column>` is used as `t.c.<column>` is."""
    if position is None:
        return table
    as_of = bindparam("as_of", int(position), type_=BigInteger, unique=True)
    return text(_as_of_sql(table)).bindparams(as_of).columns(*table.columns).subquery(table.name)


@functools.cache
def _as_of_sql(table: Table) -> str:
    """The statement of `at`, the position a parameter: the same text for every position (one
    compiled and prepared statement per table). Written out rather than built of SQLAlchemy
    aliases and a union: building those cost more than running the query (cProfile: ~0.5 ms a
    table, 6 ms of an annual read as of a position, against 0.15 ms for this). Plain SQL that
    SQLite and PostgreSQL read alike; every name quoted."""
    name, history = _quoted(table.name), _quoted(HISTORY[table.name].name)
    keys = [c.name for c in table.primary_key.columns]
    columns = [c.name for c in table.columns]
    live = ", ".join(_quoted(c) for c in columns)
    earlier = ", ".join(f"t_now.{_quoted(c)}" if c in keys else f"t_then.{_quoted(c)}" for c in columns)
    same_key = " AND ".join(f"t_seek.{_quoted(k)} = t_now.{_quoted(k)}" for k in keys)
    return (
        f"SELECT {live} FROM {name} WHERE {name}.{_quoted('position')} <= :as_of"
        " UNION ALL"
        f" SELECT {earlier} FROM {name} AS t_now JOIN {history} AS t_then ON t_then.version_id = ("
        f"SELECT t_seek.version_id FROM {history} AS t_seek WHERE {same_key} AND t_seek.{_quoted('position')} <= :as_of"
        f" ORDER BY t_seek.{_quoted('position')} DESC, t_seek.superseded_at DESC LIMIT 1)"
        f" WHERE t_now.{_quoted('position')} > :as_of AND t_then.superseded_at > :as_of"
    )


def in_key_range_at(table: Table, columns: str, where: str) -> str:
    """`columns` of `table`'s rows as of a position P that satisfy `where`, by the range form of
    the definition above: the live row if written at or before P, else the version with
    `position <= P < superseded_at`, duplicates removed (UNION). For a `where` that bounds the
    primary key to a short range (a person's year of entries), it reads those versions once with
    no seek per key — cheaper there than `at`, which seeks one version per current row.
    Parameters (`?`): `where`'s, then P; `where`'s again, then P, P."""
    name, history = _quoted(table.name), _quoted(HISTORY[table.name].name)
    position = _quoted("position")
    return (
        f"SELECT {columns} FROM {name} WHERE {where} AND {position} <= ?"
        f" UNION SELECT {columns} FROM {history} WHERE {where} AND {position} <= ? AND superseded_at > ?"
    )


def _quoted(name: str) -> str:
    return f'"{name}"'


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
