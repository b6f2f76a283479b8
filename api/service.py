"""The composition root (组装): settings → the store, migrated tables, the ledger with its inline
projector, and the read side. The CLI, the HTTP app, the tests and the benchmarks start here, and
nothing else builds these parts or connects them.

    Settings ──► Database ──► Ledger(database, clock, read_models=Projector())
                    │                 └─ chain link, idempotency key, projector: one transaction
                    └──► engine ──► Alembic upgrade; Queries, AnnualResults, Deadlines (read side)
"""

from __future__ import annotations

from pathlib import Path

from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event

from ledger.adapters.store import Database, register_sqlite_adapters
from ledger.application.ledger import Ledger
from ledger.clock import Clock
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
        migrate(self.engine)
        self.projector = Projector()
        self.ledger = Ledger(self.database, clock=self.clock, read_models=self.projector)
        self.ledger.chain_backfill()  # a store from before the hash chain (R-AUDIT-1)
        self.queries = Queries(self.engine, self.database.events_table, clock=self.clock)
        self.annual = AnnualResults(self.engine)
        self.deadlines = Deadlines(self.engine)

    def view(self, as_of: int | None = None) -> View:
        """The read side, live or as of a log position (R-Q-3)."""
        return View.live_or_at(self.queries, self.annual, self.deadlines, as_of)

    def rebuild(self) -> int:
        """`jixiao rebuild`: every projection from the whole log, in one transaction."""
        return self.ledger.rebuild_read_models(rebuild)

    def close(self) -> None:
        self.ledger.close()
        self.engine.dispose()


def make_engine(database: Database) -> Engine:
    if database.dialect == "sqlite":
        register_sqlite_adapters()
        engine = create_engine(database.sqlalchemy_url, connect_args={"timeout": 10, "check_same_thread": False})

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
