"""Keeping this process's aggregate cache current when other processes write (PostgreSQL).

Several server processes may share one PostgreSQL database. eventsourcing's own answer is to
fast-forward every cached aggregate a command reads: one query per aggregate per command (the
roster and a sheet for a deduction), whether anyone else wrote or not. Measured on a batch load
(bench/scale.py) this was a fifth of the time.

The follower asks once per command instead: which events were stored after the last one this
process has seen? The recorder locks the events table while it inserts, so positions are
assigned in commit order and nothing can later appear below a position already read. For each
such event whose aggregate is cached at an older version, the aggregate is dropped from the
cache and read whole on its next use. Events this process wrote itself find their aggregates
already at that version, and are passed over.
"""

from __future__ import annotations

from typing import Any, Iterable

from eventsourcing.application import LRUCache

MOST = 10_000  # more events than this since the last look: drop the whole cache instead


class CacheFollower:
    def __init__(self, recorder: Any, cache: LRUCache[Any, Any]) -> None:
        self.recorder = recorder
        self.cache = cache
        self.seen: int | None = None  # the last position looked at (None: not yet)

    def catch_up(self) -> None:
        """Drop every cached aggregate that another process changed since the last look."""
        table = self.recorder.events_table_name
        with self.recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            if self.seen is None:
                curs.execute(f"SELECT COALESCE(MAX(notification_id), 0) AS last FROM {table}")
                self.seen = int(curs.fetchone()["last"])
                self.drop_all()  # whatever was cached before the first look is not trusted
                return
            curs.execute(
                f"SELECT notification_id, originator_id, originator_version FROM {table}"
                " WHERE notification_id > %s ORDER BY notification_id LIMIT %s",
                (self.seen, MOST + 1),
            )
            rows = curs.fetchall()
            if len(rows) > MOST:
                curs.execute(f"SELECT COALESCE(MAX(notification_id), 0) AS last FROM {table}")
                self.seen = int(curs.fetchone()["last"])
                self.drop_all()
                return
        for row in rows:
            try:
                cached = self.cache.get(row["originator_id"])
            except KeyError:
                continue
            if cached.version < row["originator_version"]:
                self.cache.get(row["originator_id"], evict=True)
        if rows:
            self.seen = int(rows[-1]["notification_id"])

    def drop_all(self) -> None:
        evict(self.cache, list(self.cache.cache))


def evict(cache: LRUCache[Any, Any], keys: Iterable[Any]) -> None:
    """Drop `keys` from the aggregate cache (those not in it are passed over)."""
    for key in keys:
        try:
            cache.get(key, evict=True)
        except KeyError:
            pass
