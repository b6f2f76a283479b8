"""The composition root (组装): settings → the store, migrated tables, the ledger with its inline
projector, and the read side. The CLI, the HTTP app, the tests and the benchmarks start here, and
nothing else builds these parts or connects them.

    Settings ──► Database ──► Ledger(database, key, anchors, clock, read_models=Projector())
                    │                 └─ chain link, idempotency key, projector: one transaction;
                    │                    then the chain head appended to the anchor file
                    ├──► chain key file, anchor file (outside the database, R-AUDIT-1)
                    └──► engine ──► Alembic upgrade; Queries, AnnualResults, Deadlines (read side)
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, select

from ledger.accounts.accounts import Accounts
from ledger.adapters.attachments import verify_attachments
from ledger.adapters.audit import Problem, Report
from ledger.adapters.seal import AnchorFile, ChainKey, default_paths
from ledger.adapters.store import Database, StoreUnusable, check_collation, register_sqlite_adapters, start_up_lock
from ledger.adapters.tables import event_chain
from ledger.application.ledger import Ledger
from ledger.clock import Clock
from ledger.domain.errors import PersonNotFound
from ledger.settings import Settings
from projections.annual import AnnualResults
from projections.deadlines import Deadlines
from projections.projector import Projector
from projections.queries import Queries
from projections.rebuild import rebuild
from projections.view import View

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class LedgerService:
    """The running ledger: commands through `ledger`, reads through `view()`."""

    def __init__(self, database_url: str | None = None, *, settings: Settings | None = None, clock: Clock | None = None) -> None:
        self.settings = settings or Settings()
        if database_url is not None:
            self.settings = self.settings.model_copy(update={"database_url": database_url})
        self.clock = clock or Clock(self.settings.today)
        self.database = Database(self.settings.database_url)
        self.database.prepare()  # a SQLite store's folder and files: owner-only
        self.engine = make_engine(self.database)
        with start_up_lock(self.engine):  # PostgreSQL: one starting process at a time
            check_collation(self.engine)  # PostgreSQL: code-point order, or refused (StoreUnusable)
            migrate(self.engine)
            self.key, self.anchors = self._seals()
            self.projector = Projector()
            self.ledger = Ledger(self.database, key=self.key, anchors=self.anchors, clock=self.clock, read_models=self.projector)
            self.ledger.chain_backfill()  # a store from before the hash chain (R-AUDIT-1)
            if self.anchors.ensure():  # a new store, or one from before records were sealed
                self.ledger.seal_existing()
            self.queries = Queries(self.engine, self.database.events_table, clock=self.clock)
            self.accounts = Accounts(self.engine, self.ledger, self.key, self.settings, person_exists=self._on_roster)
            self.accounts.seal_migrated()  # the bearer users of before 0010: disabled, until the administrator resets them
        self.annual = AnnualResults(self.engine)
        self.deadlines = Deadlines(self.engine)

    def _seals(self) -> tuple[ChainKey, AnchorFile]:
        """The chain key and the anchor file, outside the database (R-AUDIT-1)."""
        default_key, default_anchors = default_paths(self.settings.database_url)
        key_path = self.settings.chain_key_file or default_key
        key, created = ChainKey.load_or_create(key_path)
        if created and _has_sealed_rows(self.engine):
            key_path.unlink()
            raise StoreUnusable(
                f"链密钥文件缺失：{key_path}。此库中的记录已用原密钥签名，请从备份恢复该文件。"
                f" The chain key file {key_path} is missing but the store's records are sealed with a key: restore it from the backup."
            )
        return key, AnchorFile(self.settings.anchor_file or default_anchors, key)

    def verify(self, expected: Sequence[tuple[int, str]] = (), progress: Callable[[int, int], None] | None = None) -> Report:
        """`jixiao verify`: the event log, its links and anchors, the refusals, the audit log, and
        the accounts, API tokens and sessions. `progress(events checked, events)` as it goes."""
        report = self.ledger.verify(expected, progress)
        report.problems.extend(Problem(0, kind, detail) for kind, detail in self.accounts.verify())
        report.problems.extend(Problem(0, kind, detail) for kind, detail in verify_attachments(self.engine, self.key))
        return report

    def _on_roster(self, person: str) -> bool:
        try:
            self.queries.person(person)
        except PersonNotFound:
            return False
        return True

    def view(self, as_of: int | None = None) -> View:
        """The read side, live or as of a log position (R-Q-3)."""
        return View.live_or_at(self.queries, self.annual, self.deadlines, as_of)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """`jixiao rebuild`: every projection from the whole log, in one transaction.
        `progress(events replayed, events)` as it goes."""
        return self.ledger.rebuild_read_models(rebuild, progress)

    def close(self) -> None:
        self.ledger.close()
        self.engine.dispose()


def _has_sealed_rows(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(event_chain.c.position).where(event_chain.c.mac.is_not(None)).limit(1)).first() is not None


POOL_SIZE = 40


def make_engine(database: Database) -> Engine:
    if database.dialect == "sqlite":
        register_sqlite_adapters()
        # As many pooled connections as requests run at once (anyio's 40 worker threads): with
        # the default 5 the rest were opened and closed per request, WAL pragma and all.
        engine = create_engine(database.sqlalchemy_url, connect_args={"timeout": 10, "check_same_thread": False}, pool_size=POOL_SIZE, max_overflow=POOL_SIZE)

        @event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine
    return create_engine(database.sqlalchemy_url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the read-model and ledger tables to the latest Alembic revision."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        alembic_command.upgrade(config, "head")
