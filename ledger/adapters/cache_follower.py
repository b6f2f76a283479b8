"""Keeping this process's aggregate cache current when other processes write.

Several server processes may share one store: PostgreSQL, or one SQLite file in WAL mode
(`jixiao serve --workers N`); and a `jixiao` command (an account changed, a history import) may
write while the service runs. eventsourcing's own answer is to fast-forward every cached
aggregate a command reads: one query per aggregate per command (the roster and a sheet for a
deduction), whether anyone else wrote or not. Measured on a batch load (bench/scale.py) this
was a fifth of the time.

The follower asks once per command (once per group of commands on SQLite) instead: which events
were stored after the last one this process has seen? Positions are assigned in commit order
(the PostgreSQL recorder locks the events table while it inserts; SQLite has one writer at a
time), so nothing can later appear below a position already read. Each cached aggregate that
such an event moved past its cached version is brought forward: its newer events are read and
applied to it (one query for that aggregate). Dropping it instead, to be read whole on its next
use, cost two server processes deducting from one person's sheet a replay of the whole sheet
per command: 153 deductions/s over HTTP against 518/s for one process (bench/http_commands.py).
Events this process wrote itself find their aggregates already at that version, and are passed
over; after its own commit the follower moves past them (`wrote`) without asking.

On SQLite the look is made under the store's write lock (ledger.adapters.store: WriteLock), held
from before the look to the commit, so nothing can change in between. On PostgreSQL the look is
made before the command's transaction, and another process's command may still slip in between;
the events' unique (aggregate, version) key then refuses the save, and the command is run again
from the store.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable
from uuid import UUID

from eventsourcing.application import LRUCache

MOST = 10_000  # more events than this since the last look: drop the whole cache instead


class CacheFollower:
    def __init__(self, table: str, dialect: str, cache: LRUCache[Any, Any], newer: Callable[[UUID, int], Iterable[Any]]) -> None:
        self.table = table  # the events table (eventsourcing names it per dialect)
        self.position = "rowid" if dialect == "sqlite" else "notification_id"  # eventsourcing's SQLite log is numbered by rowid
        self.cache = cache
        self.newer = newer  # (aggregate id, version) -> its domain events after that version, in order
        self.seen: int | None = None  # the last position looked at (None: not yet)

    def catch_up(self, cursor: Any) -> None:
        """Bring forward every cached aggregate that another process changed since the last look
        (one that cannot be is dropped, to be read whole on its next use). The queries run on
        `cursor` (ledger.adapters.store's cursor, either dialect); the newer events are read
        through `newer`."""
        table = self.table
        if self.seen is None:
            self._restart(cursor)
            return
        cursor.execute(
            f"SELECT {self.position} AS notification_id, originator_id, originator_version FROM {table}"
            f" WHERE {self.position} > ? ORDER BY {self.position} LIMIT ?",
            (self.seen, MOST + 1),
        )
        rows = cursor.fetchall()
        if len(rows) > MOST:
            self._restart(cursor)
            return
        behind: dict[UUID, Any] = {}
        for row in rows:
            originator = row["originator_id"]
            try:
                cached = self.cache.get(originator if isinstance(originator, UUID) else UUID(str(originator)))
            except KeyError:
                continue
            if cached.version < row["originator_version"]:
                behind[cached.id] = cached
        for aggregate_id, cached in behind.items():
            try:
                for event in self.newer(aggregate_id, cached.version):
                    cached = event.mutate(cached)
            except BaseException:
                evict(self.cache, [aggregate_id])  # read whole on its next use
                raise
            if cached is None:  # not expected of this ledger's aggregates: read it whole next time
                evict(self.cache, [aggregate_id])
            else:
                self.cache.put(aggregate_id, cached)
        if rows:
            self.seen = int(rows[-1]["notification_id"])

    def wrote(self, first: int, last: int) -> None:
        """This process committed the events at positions `first` … `last` (one transaction's,
        numbered together): when they follow right on from the last position looked at, there
        is nothing of another process's below them, and the next look starts after them."""
        if self.seen == first - 1:
            self.seen = last

    def _restart(self, cursor: Any) -> None:
        """Start from the end of the log, trusting nothing cached before (the first look, or
        too much written elsewhere to go through)."""
        cursor.execute(f"SELECT COALESCE(MAX({self.position}), 0) AS last FROM {self.table}")
        self.seen = int(cursor.fetchone()["last"])
        self.drop_all()

    def drop_all(self) -> None:
        evict(self.cache, list(self.cache.cache))


def evict(cache: LRUCache[Any, Any], keys: Iterable[Any]) -> None:
    """Drop `keys` from the aggregate cache (those not in it are passed over)."""
    for key in keys:
        try:
            cache.get(key, evict=True)
        except KeyError:
            pass
