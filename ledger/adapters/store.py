"""The event store (事件存储): eventsourcing's own SQLite and PostgreSQL recorders, orjson encoding,
and one hook that lets read models be written in the same transaction as the events.

Why these recorders (measured figures in docs/architecture.md): eventsourcing's own `sqlite`
module saves at about twice the rate of eventsourcing-sqlalchemy. What the SQLAlchemy module
offers in exchange, one transaction for events and read models, we get here by running the
projection inside the recorder's own transaction (`InlineHook`). The hook sees the notification
ids the insert assigned, which are contiguous and committed together with the rows they change,
so a projection can never skip a position (R-Q-3 needs that).
"""

from __future__ import annotations

import fcntl
import importlib
import os
import sqlite3
import threading
import time
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from datetime import date
from decimal import Decimal
from typing import Any, Iterator, Protocol, Sequence
from urllib.parse import unquote, urlparse

import orjson
from eventsourcing.persistence import IntegrityError, InterfaceError, JSONTranscoder, OperationalError, StoredEvent, Transcoding
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import TopicError, register_topic
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteConnection, SQLiteConnectionPool, SQLiteCursor, SQLiteFactory

from ledger.domain.errors import StoreBusy


def register_sqlite_adapters() -> None:
    """sqlite3 has no adapter for Decimal: store the exact decimal text, never a float. Called
    where a SQLite store is built (the factory below, the read side's engine)."""
    sqlite3.register_adapter(Decimal, str)


# Where the domain's modules lived before the layers were folders (events stored before then
# carry these topics, e.g. "ledger.sheet:Sheet.DeductionRecorded").
MOVED_MODULES = {
    f"ledger.{name}": f"ledger.domain.{name}"
    for name in ("bonus", "bulletin", "calendar", "dispute", "filing", "plan", "review", "roster", "sheet", "veto")
}


def register_moved_topics() -> None:
    """Let topics stored under a module's old path resolve to where it lives now."""
    for old, new in MOVED_MODULES.items():
        try:
            register_topic(old, importlib.import_module(new))
        except TopicError:
            pass  # already registered (a second Ledger in the same process)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class OrjsonTranscoder(JSONTranscoder):
    """eventsourcing's extensible JSON transcoder, encoding with orjson.

    Dates, datetimes and Decimals pass to the registered transcodings (so `Decimal("0.5")`
    is stored as the string "0.5" and comes back as the same Decimal).
    """

    _OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=self._encode_obj, option=self._OPTIONS)

    def decode(self, data: bytes) -> Any:
        return self._restore(orjson.loads(data))

    def _restore(self, obj: Any) -> Any:
        if isinstance(obj, dict):
            for key, value in obj.items():
                if isinstance(value, (dict, list)):
                    obj[key] = self._restore(value)
            return self._decode_obj(obj) if "_type_" in obj else obj
        if isinstance(obj, list):
            return [self._restore(v) if isinstance(v, (dict, list)) else v for v in obj]
        return obj


class ProjectionCursor(Protocol):
    dialect: str
    rowcount: int

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> Any: ...


class InlineHook(Protocol):
    """Called inside the command's transaction, after its events are inserted. `kwargs` holds
    the save's keyword arguments, the domain events (`new_events`) and their stored form
    (`stored_events`), in the order of `notification_ids`."""

    def __call__(self, cursor: ProjectionCursor, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None: ...


class _Cursor:
    """Gives the hook one cursor interface with `?` placeholders on both databases."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw = raw
        self.dialect = dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.dialect == "postgresql":
            sql = _pg_sql(sql)
        return self.raw.execute(sql, params)

    def fetchone(self) -> Any:
        self._sync()
        return self.raw.fetchone()

    def fetchall(self) -> Any:
        self._sync()
        return self.raw.fetchall()

    def _sync(self) -> None:
        """PostgreSQL: the hooks run inside eventsourcing's pipeline. Once a transaction holds a
        few thousand statements, a fetch could be handed an earlier statement's result ("the
        last operation didn't produce records"): deliver every pending result first (the fetch
        waits for the server anyway). Found by bench/scale.py (OpenPeriod for 8,000 staff)."""
        if self.dialect == "postgresql":
            pipeline = getattr(getattr(self.raw, "connection", None), "_pipeline", None)
            if pipeline is not None:
                pipeline.sync()

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement (eventsourcing wraps the sqlite3 cursor)."""
        raw = getattr(self.raw, "sqlite_cursor", self.raw)
        return int(raw.rowcount)


@lru_cache(maxsize=512)  # the statements are the code's own, a few dozen; bounded all the same
def _pg_sql(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class Reader:
    """Short reads (`?` placeholders, both databases) on one pooled connection, straight on the
    driver: signing a request in is two or three such reads. Through SQLAlchemy's statement layer
    each cost ~140 µs of Python, on the driver ~20 µs (measured, issue 14)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._pg = engine.dialect.name == "postgresql"

    def __enter__(self) -> "Reader":
        self._conn = self.engine.connect()
        self._raw = self._conn.connection.driver_connection
        return self

    def __exit__(self, *exc: Any) -> None:
        self._conn.close()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> tuple[tuple[str, ...], list[Any]]:
        """Every row, as the column names and the driver's tuples."""
        cursor = self._raw.execute(_pg_sql(sql) if self._pg else sql, tuple(params))
        try:
            return tuple(d[0] for d in cursor.description), cursor.fetchall()
        finally:
            cursor.close()

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        """One row as a dict, or None."""
        cursor = self._raw.execute(_pg_sql(sql) if self._pg else sql, tuple(params))
        try:
            row = cursor.fetchone()
            return None if row is None else dict(zip((d[0] for d in cursor.description), row))
        finally:
            cursor.close()


def fetch_one(source: Any, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    """One row of a short read: on an open `Reader`, or on a connection of its own from an engine."""
    if isinstance(source, Reader):
        return source.one(sql, params)
    with Reader(source) as reader:
        return reader.one(sql, params)


def fetch_rows(source: Any, sql: str, params: Sequence[Any] = ()) -> tuple[tuple[str, ...], list[Any]]:
    """Every row of a short read, as `Reader.rows` gives them: on an open `Reader`, or on a
    connection of its own from an engine."""
    if isinstance(source, Reader):
        return source.rows(sql, params)
    with Reader(source) as reader:
        return reader.rows(sql, params)


class StoreUnusable(RuntimeError):
    """The store cannot be served as it is (the message says why and what to do, in Chinese
    and English); `jixiao` prints it and exits with status 2."""


CODE_POINT_COLLATIONS = ("C", "POSIX", "C.UTF-8", "C.utf8")


START_UP_LOCK = 0x6A78_0004  # PostgreSQL advisory lock key (the chained logs' and the sign-in throttle's are 1-3)


@contextmanager
def start_up_lock(engine: Any) -> Iterator[None]:
    """Several processes starting on one PostgreSQL database (`jixiao serve --workers N`, or
    several servers) do their start-up work one at a time: the migrations, the event store's
    CREATE OR REPLACE FUNCTION, the seals. Two at once, PostgreSQL refuses the second ("tuple
    concurrently updated") and that server stops. A session-level advisory lock, on a connection
    of its own, held through the start-up. On SQLite `jixiao serve` does the start-up work
    before its workers start, and their DDL waits on SQLite's own lock."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT pg_advisory_lock(%s)", (START_UP_LOCK,))
        conn.commit()
        try:
            yield
        finally:
            conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (START_UP_LOCK,))
            conn.commit()


def check_collation(engine: Any) -> None:
    """PostgreSQL: the database must sort text by code point. Several reads select a person's
    sheets and entries by a range of codes (`P0001:2026-` up to `P0001:2026.`), which holds
    only in code-point order; under a linguistic collation (`en_US.UTF-8`, ICU `zh`) a code
    with punctuation in it could sort outside the range and its rows go missing from a
    ledger, silently. So a store in such a database is refused at start."""
    if engine.dialect.name != "postgresql":
        return
    row = fetch_one(engine, "SELECT * FROM pg_database WHERE datname = current_database()")
    assert row is not None
    provider = {"c": "libc", "i": "icu", "d": "builtin"}.get(str(row.get("datlocprovider", "c")), str(row.get("datlocprovider")))
    collation = row.get("daticulocale") if provider == "icu" else row["datcollate"]
    if provider == "libc" and collation in CODE_POINT_COLLATIONS:
        return
    name = row["datname"]
    raise StoreUnusable(
        f"数据库 {name} 的排序规则为 {provider} {collation}，台账要求按码位排序（C 或 C.UTF-8），否则按编码范围查询的台账可能漏记。"
        f"请新建数据库：CREATE DATABASE {name} TEMPLATE template0 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'，再用 jixiao restore 恢复备份。"
        f" The database {name} sorts text by {provider} collation {collation}; the ledger needs code-point order (C or C.UTF-8),"
        f" or reads that select by a range of codes can miss rows. Create the database with"
        f" CREATE DATABASE {name} TEMPLATE template0 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' and restore the backup into it (jixiao restore)."
    )


class WriteLock:
    """The right to write one SQLite file, between threads and between processes (server workers,
    a `jixiao` command run beside the service): an exclusive `flock` on `<store>-writer`, taken
    before `BEGIN IMMEDIATE` and let go after the commit. Re-entrant within a thread.

    SQLite's own write lock is enough for correctness, not for fairness: a connection that finds
    it taken sleeps in its busy handler (1, 2, 5, 10 … ms) and tries again, and a busy process
    has taken it again long before. Two processes deducting as fast as they could, 4 s: without
    this lock one stored 6,105 commands and the other 3 (its requests would have failed after
    the lock timeout); with it, 2,414 and 3,517. And a command holds it from its first read (the
    look for other processes' changes) to its commit, which `BEGIN IMMEDIATE` alone, taken at
    the insert, would not cover.

    The wait is bounded, like SQLite's own (`timeout_s` seconds): a `jixiao rebuild` holds the lock
    for its whole transaction, and a command arriving meanwhile is refused with STORE_BUSY (503,
    nothing written) rather than left hanging. The lock is asked for without blocking, again
    every 20–100 µs for the first tenth of a second, then every millisecond. Measured against a
    blocking `flock` (woken at once), in three alternating runs of the two processes: 1,331 and
    1,310 commands/s (medians), the same within the noise."""

    def __init__(self, path: Path, timeout_s: int = 10) -> None:
        self.path = path
        self.timeout_ns = timeout_s * 1_000_000_000  # waits are kept in integer nanoseconds
        self._fd: int | None = None
        self._threads = threading.RLock()
        self._depth = 0

    def __enter__(self) -> "WriteLock":
        self._threads.acquire()
        try:
            if self._depth == 0:
                if self._fd is None:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                self._take(self._fd)
        except BaseException:
            self._threads.release()
            raise
        self._depth += 1
        return self

    def _take(self, fd: int) -> None:
        started = time.monotonic_ns()
        pause_ns = 20_000
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                waited_ns = time.monotonic_ns() - started
                if waited_ns >= self.timeout_ns:
                    seconds = Decimal(self.timeout_ns) / 1_000_000_000
                    raise StoreBusy(
                        f"another process has held the store's write lock for over {seconds:f} s",
                        f"系统正忙：另一进程占用数据库写入已超过 {seconds:f} 秒（可能正在重建读模型或导入数据），本次操作未执行，请稍后重试",
                    ) from None
                time.sleep(pause_ns / 1_000_000_000)
                pause_ns = min(pause_ns * 2, 100_000) if waited_ns < 100_000_000 else 1_000_000

    def __exit__(self, *exc: Any) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        with self._threads:
            if self._fd is not None and self._depth == 0:
                os.close(self._fd)
                self._fd = None


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """Inserts events (and, through the hook, read-model rows) on one dedicated writer connection.

    SQLite has one writer at a time anyway; holding the writer connection instead of taking it
    from eventsourcing's pool for each command saves the pool's locking and context managers,
    about a fifth of a command's CPU time (measured, docs/architecture.md). Reads still use the
    pool. `BEGIN IMMEDIATE` takes the write lock at the start, so a busy database is waited for
    (lock timeout) instead of failing on a lock upgrade half-way through a command.
    """

    hook: InlineHook | None = None
    _writer: sqlite3.Connection | None = None
    write_lock: AbstractContextManager[Any] = nullcontext()  # the ledger sets its WriteLock

    def writer(self) -> sqlite3.Connection:
        """The one connection that writes (the group commit opens its transaction on it)."""
        if self._writer is None:
            self._writer = self.datastore.pool._create_connection()._sqlite_conn
        return self._writer

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.immediate() as cursor:
            return self._insert_events(SQLiteCursor(cursor), stored_events, **kwargs)

    @contextmanager
    def immediate(self) -> Iterator[sqlite3.Cursor]:
        """Every writing transaction on the store: the write lock (`write_lock`), then `BEGIN
        IMMEDIATE` on the writer connection; committed at the end. An error rolls it back before
        the lock is let go, and sqlite3's errors become eventsourcing's (a version conflict:
        `IntegrityError`)."""
        writer = self.writer()
        cursor = writer.cursor()
        with self.write_lock:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                yield cursor
                writer.commit()
            except BaseException as error:
                if writer.in_transaction:
                    writer.rollback()
                if isinstance(error, sqlite3.IntegrityError):
                    raise IntegrityError(error) from error
                if isinstance(error, sqlite3.OperationalError):
                    raise OperationalError(error) from error
                raise

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if self.hook is not None:
            self.hook(_Cursor(c, "sqlite"), ids or [], {**kwargs, "stored_events": stored_events})
        return ids

    def close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    hook: InlineHook | None = None

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """eventsourcing's insert, except that a failure after the insert — in an inline hook: the
        chain link, the audit record, the read models — rolls the transaction back. eventsourcing
        keeps the exception until the transaction block has exited, so the block commits the
        events without what the hook had yet to write (measured: events stored, projection behind)."""
        import psycopg

        failure: Exception | None = None
        ids: Sequence[int] | None = None
        with self.datastore.get_connection() as conn:
            with conn.pipeline() as pipeline, conn.transaction() as transaction:
                with conn.cursor() as curs:
                    self._insert_events(curs, stored_events, **kwargs)
                if stored_events:
                    with conn.cursor() as curs:
                        try:
                            self._insert_stored_events(curs, stored_events, **kwargs)
                            pipeline.sync()  # a uniqueness violation is raised here, as an IntegrityError
                            ids = self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
                        except Exception as error:  # noqa: BLE001 - re-raised below, after the rollback
                            failure = error
                            raise psycopg.Rollback(transaction) from None
            if failure is not None:
                raise failure  # inside the connection's block, which maps psycopg's errors to eventsourcing's
        return ids

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if self.hook is not None:
            self.hook(_Cursor(curs, "postgresql"), ids or [], {**kwargs, "stored_events": stored_events})
        return ids


STATEMENT_CACHE = 256  # compiled statements kept per connection: a command runs a dozen, a rebuild a few more


class _DurableSQLitePool(SQLiteConnectionPool):
    """WAL with synchronous=FULL: a committed command survives a power cut (nothing lost).

    The connection is opened as eventsourcing's pool opens it, but with a statement cache:
    eventsourcing passes `cached_statements=True`, which Python reads as a cache of one, so every
    statement of a command (and every trigger it fires) was compiled again each time — measured
    at 4.1 µs against 1.3 µs for an insert alternating with another statement."""

    def _create_connection(self) -> SQLiteConnection:
        try:
            conn = sqlite3.connect(
                database=self.db_name, uri=True, check_same_thread=False, isolation_level=None,
                cached_statements=STATEMENT_CACHE, timeout=self.lock_timeout or 5,
            )  # fmt: skip
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        if not self.is_sqlite_memory_mode:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            self.is_journal_mode_wal = True
        conn.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=conn, max_age=self.max_age)


class LedgerSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite factory with the durable pool and the hooked recorder."""

    application_recorder_class = LedgerSQLiteRecorder

    def __init__(self, env: Any) -> None:
        register_sqlite_adapters()
        super().__init__(env)
        plain = self.datastore.pool
        self.datastore.pool = _DurableSQLitePool(db_name=plain.db_name, lock_timeout=plain.lock_timeout)
        plain.close()


@dataclass(frozen=True)
class Database:
    """Where the ledger lives: one URL (`JIXIAO_DATABASE_URL`), SQLite by default."""

    url: str

    @property
    def dialect(self) -> str:
        return "postgresql" if self.url.startswith(("postgresql", "postgres")) else "sqlite"

    @property
    def events_table(self) -> str:
        """Where eventsourcing keeps the log: its SQLite module uses one table name, its
        PostgreSQL module one per application (`<application name>_events`)."""
        return "stored_events" if self.dialect == "sqlite" else "jixiao_events"

    @property
    def sqlite_path(self) -> str:
        return self.url.split(":///", 1)[1]

    def prepare(self) -> None:
        """A SQLite store holds personal data: its folder and files are the owner's only (0700 /
        0600), created so before SQLite writes a byte. SQLite gives the -wal and -shm files the
        database file's mode. An existing store is tightened the same way."""
        if self.dialect != "sqlite":
            return
        path = Path(self.sqlite_path)
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), self.write_lock_path):
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(0o600)

    @property
    def write_lock_path(self) -> Path:
        """SQLite: the file whose `flock` is the right to write the store (`WriteLock`)."""
        return Path(f"{self.sqlite_path}-writer")

    @property
    def sqlalchemy_url(self) -> str:
        if self.dialect == "sqlite":
            return self.url
        parsed = urlparse(self.url)
        return parsed._replace(scheme="postgresql+psycopg").geturl()

    def eventsourcing_env(self) -> dict[str, str]:
        """The eventsourcing settings for this database."""
        common = {
            "TRANSCODER_TOPIC": "ledger.adapters.store:OrjsonTranscoder",
            "AGGREGATE_CACHE_MAXSIZE": "20000",
            # Commands copy nothing out of the cache: a failed command evicts what it touched.
            "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
        }
        if self.dialect == "sqlite":
            if not self.url.startswith("sqlite:///"):
                raise ValueError(f"SQLite URL must look like sqlite:///path/to/file.db: {self.url}")
            return {
                **common,
                "PERSISTENCE_MODULE": "ledger.adapters.store:LedgerSQLiteFactory",
                "SQLITE_DBNAME": self.sqlite_path,
                "SQLITE_LOCK_TIMEOUT": "10",
                # Other processes may write the file (server workers, `jixiao` commands): the
                # ledger's cache follower brings cached aggregates forward once per group of
                # commands (ledger/adapters/cache_follower.py), not eventsourcing per aggregate.
                "AGGREGATE_CACHE_FASTFORWARD": "n",
            }
        parsed = urlparse(self.url)
        return {
            **common,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": "ledger.adapters.store:LedgerPostgresRecorder",
            "POSTGRES_DBNAME": (parsed.path or "/").lstrip("/"),
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            # Several server processes may share PostgreSQL: before each command the ledger brings
            # forward the cached aggregates another process changed (ledger.adapters.cache_follower),
            # so a cached one is current without asking the store per aggregate.
            "AGGREGATE_CACHE_FASTFORWARD": "n",
        }
