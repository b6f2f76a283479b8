"""Rebuild (重建): empty the projected tables and replay the whole log, in one transaction, so the
result is exactly what the live projection holds: every row, every history version with its
`superseded_at` (projections/history.py), and the tracking position.

It replays the log several times faster than feeding every event through the live projector
(bench/rebuild.py measures it), because:

* the log is read with one plain SELECT per batch on the rebuild's own transaction, and each
  stored state is decoded as eventsourcing's mapper decodes it, minus the mapper's per-event
  overhead (`_Decoder`);
* the sheet events, nearly all of a year's log, go to the sheet projection's batch mode
  (`SheetReplay`): sheet rows and annual sums stay in memory and are written once at the end,
  their superseded versions and the entries with executemany. Every other event goes through
  the live projector's own handler, after the pending entries are written;
* on SQLite, the transaction gets a larger page cache, and the history tables' secondary indexes
  are dropped and created again from their stored definitions at the end (one sort each instead
  of a million scattered index inserts). eventsourcing opens its SQLite connections with a
  one-statement cache, so a statement run with `execute` is compiled again every time; an
  executemany compiles it once.

All of it happens inside the one transaction: a rebuild that fails leaves the store as it was.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterator, Sequence
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent, find_id_convertor
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import resolve_topic

from ledger.adapters.store import OrjsonTranscoder, ProjectionCursor
from projections.annual_projection import AnnualSums
from projections.projector import Projector
from projections.sheet_projection import ExecuteMany, SheetReplay
from projections.tables import HISTORY, PROJECTED_TABLES

BATCH_EVENTS = 10_000  # events read per SELECT (and rows per executemany, roughly)
# The rebuild's page cache on SQLite, at most (the default is 2 MiB). SQLite takes pages as it
# needs them, so a small store uses little; a store of a million events dirties about 1 GiB of
# pages in the one transaction, and a cache that holds them replays it twice as fast as 256 MiB.
SQLITE_CACHE_KIB = 1_048_576

Progress = Callable[[int, int], None]  # (events replayed, events in the log)


def rebuild(cursor: ProjectionCursor, recorder: Any, mapper: Any, projector: Projector, progress: Progress | None = None) -> int:
    """Replays the log into the read models on `cursor` (the caller's one transaction, with the
    writer held). Returns the last position applied. `progress`, when given, is called after
    each batch with the events replayed so far and the events in the log."""
    projector.discard()  # the projector's row cache is emptied before and after
    store = _Store(cursor, recorder)
    try:
        store.prepare()
        for table in PROJECTED_TABLES:
            cursor.execute(f"DELETE FROM {table.name}")
            cursor.execute(f"DELETE FROM {table.name}_history")  # replayed updates write it again
        cursor.execute("DELETE FROM projection_tracking")
        total = store.count() if progress is not None else 0
        if progress is not None:
            progress(0, total)
        first, last = _replay(cursor, store, _Decoder(mapper, store.originator_id), projector, progress, total)
        if last:
            projector.advance(cursor, first, last)
        store.finish()
        return last
    finally:
        store.close()
        projector.discard()


def _replay(cursor: ProjectionCursor, store: _Store, decoder: _Decoder, projector: Projector, progress: Progress | None, total: int) -> tuple[int, int]:
    replay = SheetReplay(AnnualSums())
    batched = replay.handlers()
    many = store.many
    first = last = done = 0
    routes: dict[str, tuple[Callable[..., Any], Callable[..., None], bool]] = {}  # topic -> (decode, apply, batched)
    for rows in store.events(BATCH_EVENTS):
        for position, stored_id, version, topic, state in rows:
            route = routes.get(topic)
            if route is None:
                kind, decode = decoder.for_topic(topic)
                route = routes[topic] = (decode, batched[kind], True) if kind in batched else (decode, projector.handler(kind), False)
            decode, apply, in_batch = route
            event = decode(stored_id, version, state)
            if in_batch:
                apply(position, stored_id, event)
            else:
                replay.flush_entries(many)  # the other handlers read and update entries by SQL
                apply(cursor, position, event)
        if not first:
            first = rows[0][0]
        last = rows[-1][0]
        replay.flush(many)
        done += len(rows)
        if progress is not None:
            progress(done, max(total, done))
    replay.finish(many)
    return first, last


# -- reading and decoding the log -------------------------------------------------------------

_SHARED_TYPES = (date, Decimal, UUID)  # immutable values decoded once and shared (never datetime: unique)


class _Decoder:
    """Stored events to domain events, exactly as `mapper.to_domain_event` makes them (same class,
    same attribute values), for the orjson transcoder without cipher or compression; any other
    mapper, and any event class that upcasts, goes through the mapper itself."""

    def __init__(self, mapper: Any, stored_id: Callable[[Any], Any]) -> None:
        self.mapper = mapper
        transcoder = mapper.transcoder
        self.direct = isinstance(transcoder, OrjsonTranscoder) and not getattr(mapper, "cipher", None) and not getattr(mapper, "compressor", None)
        if self.direct:
            self.decode_obj = transcoder._decode_obj
            self.decoders = {name: transcoding.decode for name, transcoding in transcoder.names.items()}
        self.stored_id = stored_id  # the recorder's own conversion of an id as read (then the mapper's)
        self.ids: dict[Any, Any] = {}  # stored id -> the events' originator_id (aggregates are few)
        self.shared: dict[tuple[str, str], Any] = {}  # (type name, text) -> an immutable value decoded once
        self.unshared: set[str] = set()  # type names whose values are not shared (datetimes)

    def for_topic(self, topic: str) -> tuple[type, Callable[[Any, int, Any], Any]]:
        """The event class of a topic, and a function (stored id, version, stored state) -> the
        domain event."""
        cls = resolve_topic(topic)
        if not self.direct or getattr(cls, "class_version", 1) != 1:
            return cls, lambda stored_id, version, state: self._by_mapper(stored_id, version, topic, state)
        convert: Callable[[Any], Any] | None = None
        ids, values_of, new = self.ids, self._state, object.__new__
        set_dict = object.__setattr__

        def decode(stored_id: Any, version: int, state: Any) -> Any:
            nonlocal convert
            values = values_of(state)
            if "class_version" in values:
                return self._by_mapper(stored_id, version, topic, state)
            originator_id = ids.get(stored_id)
            if originator_id is None:
                value = self.stored_id(stored_id)
                if convert is None:
                    convert = find_id_convertor(cls, type(value))
                if len(ids) > 500_000:  # a log of very many aggregates: bounded all the same
                    ids.clear()
                originator_id = ids[stored_id] = convert(value)
            values["originator_id"] = originator_id
            values["originator_version"] = version
            event = new(cls)
            set_dict(event, "__dict__", values)
            return event

        return cls, decode

    def _state(self, data: Any) -> dict[str, Any]:
        """`OrjsonTranscoder.decode`: orjson, then every {"_type_": name, "_data_": data} decoded by
        the transcoding registered under that name (nested values first), the same values the
        transcoder gives; dates, decimals and UUIDs decoded once per distinct text."""
        return self._restore(orjson.loads(data))  # type: ignore[no-any-return]

    def _restore(self, obj: Any) -> Any:
        """`OrjsonTranscoder._restore` (orjson makes plain dicts and lists only)."""
        if type(obj) is list:
            return [self._restore(v) if type(v) is dict or type(v) is list else v for v in obj]
        for key, value in obj.items():
            kind = type(value)
            if kind is dict:
                name, data = value.get("_type_"), value.get("_data_")
                if len(value) == 2 and type(name) is str and type(data) is str:  # a typed value, nothing nested
                    obj[key] = self._typed(name, data, value)
                else:
                    obj[key] = self._restore(value)
            elif kind is list:
                obj[key] = self._restore(value)
        if "_type_" in obj:
            name, data = obj["_type_"], obj.get("_data_")
            if len(obj) == 2 and type(name) is str and type(data) is str:
                return self._typed(name, data, obj)
            return self.decode_obj(obj)
        return obj

    def _typed(self, name: str, data: str, obj: dict[str, Any]) -> Any:
        """`JSONTranscoder._decode_obj` of {"_type_": name, "_data_": data}, remembering the
        immutable values it gives for a text."""
        if name in self.unshared:
            return self.decoders[name](data)
        shared = self.shared
        decoded = shared.get((name, data))
        if decoded is None:
            decoded = self.decode_obj(obj)  # an unregistered name raises as the mapper does
            if type(decoded) in _SHARED_TYPES:
                if len(shared) > 100_000:
                    shared.clear()
                shared[(name, data)] = decoded
            else:
                self.unshared.add(name)
        return decoded

    def _by_mapper(self, stored_id: Any, version: int, topic: str, state: Any) -> Any:
        stored = StoredEvent(originator_id=self.stored_id(stored_id), originator_version=version, topic=topic, state=bytes(state))
        return self.mapper.to_domain_event(stored)


# -- the store: reading the log, writing in batches, SQLite's bulk settings ---------------------


class _Store:
    """The rebuild's one transaction: `events` reads the log on it (plain tuples), `many` writes
    a batch of rows with executemany, `prepare`/`finish`/`close` set SQLite up for a bulk load
    and put it back.

    The log is read with a plain SELECT from eventsourcing's own SQLite or PostgreSQL recorder;
    any other recorder (a wrapper that ends the log early, say) through its `select_notifications`.
    """

    def __init__(self, cursor: ProjectionCursor, recorder: Any) -> None:
        self.cursor = cursor
        self.recorder = recorder
        self.sqlite = cursor.dialect == "sqlite"
        self.plain = isinstance(recorder, SQLiteApplicationRecorder if self.sqlite else PostgresApplicationRecorder)
        # how an originator id as read becomes the recorder's (SQLite stores text; notifications
        # and PostgreSQL rows carry it converted already)
        self.originator_id: Callable[[Any], Any] = recorder.convert_originator_id if self.plain and self.sqlite else _same
        self.raw: Any = getattr(cursor.raw, "sqlite_cursor", cursor.raw) if self.sqlite else cursor.raw  # type: ignore[attr-defined]
        self._cache_size: int | None = None
        self._indexes: list[str] = []

    def many(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if self.sqlite:
            self.raw.executemany(sql, rows)
        else:
            self.raw.executemany(sql.replace("%", "%%").replace("?", "%s"), rows)

    def events(self, size: int) -> Iterator[list[tuple[Any, ...]]]:
        """The log in order, `size` events at a time: (position, stored originator id, version,
        topic, state)."""
        if not self.plain:
            last = 0
            while batch := self.recorder.select_notifications(start=last + 1, limit=size):
                yield [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in batch]
                last = batch[-1].id
            return
        if self.sqlite:
            reader = self.raw.connection.cursor()
            reader.row_factory = None
            table = self.recorder.events_table_name
            statement: Any = f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?"
        else:
            from psycopg import sql
            from psycopg.rows import tuple_row

            reader = self.raw.connection.cursor(row_factory=tuple_row)
            statement = sql.SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{}"
                " WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
            ).format(sql.Identifier(self.recorder.datastore.schema), sql.Identifier(self.recorder.events_table_name))
        try:
            last = 0
            while True:
                reader.execute(statement, (last, size))
                rows = reader.fetchall()
                if not rows:
                    return
                yield rows
                last = rows[-1][0]
        finally:
            reader.close()

    def count(self) -> int:
        if not self.plain:
            return int(self.recorder.max_notification_id() or 0)
        if self.sqlite:
            self.cursor.execute(f"SELECT COUNT(*) AS n FROM {self.recorder.events_table_name}")
        else:
            self.cursor.execute(f'SELECT COUNT(*) AS n FROM "{self.recorder.datastore.schema}"."{self.recorder.events_table_name}"')
        return int(self.cursor.fetchone()["n"])

    def prepare(self) -> None:
        """SQLite: a page cache that holds the rebuild's pages, and the history tables without
        their secondary indexes until `finish`. PostgreSQL is left as it is (dropping an index
        there would lock readers out of the table until the commit)."""
        if not self.sqlite:
            return
        self.cursor.execute("PRAGMA cache_size")
        self._cache_size = int(self.cursor.fetchone()[0])
        self.cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        names = ", ".join(f"'{name}'" for name in (table.name for table in HISTORY.values()))
        self.cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({names}) ORDER BY name")
        indexes = [(row["name"], row["sql"]) for row in self.cursor.fetchall()]
        for name, _ in indexes:
            self.cursor.execute(f'DROP INDEX "{name}"')
        self._indexes = [statement for _, statement in indexes]

    def finish(self) -> None:
        """Create the dropped indexes again, from their own stored definitions."""
        for statement in self._indexes:
            self.cursor.execute(statement)
        self._indexes = []

    def close(self) -> None:
        if self._cache_size is not None:
            self.cursor.execute(f"PRAGMA cache_size = {self._cache_size}")
            self._cache_size = None


def _same(value: Any) -> Any:
    return value


__all__ = ["BATCH_EVENTS", "ExecuteMany", "Progress", "rebuild"]
