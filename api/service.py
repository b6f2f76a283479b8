"""Wiring (组装): one database URL → migrated read models, the ledger with its inline projector,
and the query side. The CLI, the API, the tests and the benchmark all start here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event

from ledger.application.ledger import Ledger
from ledger.adapters.store import Database
from projections.projector import Projector
from projections.annual import AnnualResults
from projections.deadlines import Deadlines
from projections.queries import Queries

DEFAULT_DATABASE_URL = "sqlite:///var/jixiao.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


@dataclass(frozen=True)
class Settings:
    """Configuration from the environment, in one place."""

    database_url: str

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(database_url=os.environ.get("JIXIAO_DATABASE_URL", DEFAULT_DATABASE_URL))


@dataclass(frozen=True)
class View:
    """Queries, annual results and deadlines, all answering as of one log position."""

    queries: Queries
    annual: AnnualResults
    deadlines: Deadlines
    as_of: int | None


class LedgerService:
    """The running ledger: commands through `ledger`, reads through `queries`."""

    def __init__(self, database_url: str) -> None:
        self.database = Database(database_url)
        if self.database.dialect == "sqlite":
            Path(self.database.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(self.database)
        migrate(self.engine)
        self.ledger = Ledger(self.database)
        self.ledger.chain_backfill()  # a store from before the hash chain (R-AUDIT-1)
        self.projector = Projector()
        self.ledger.inline_hooks.append(self.projector)
        self.queries = Queries(self.engine, self.database.events_table)
        self.annual = AnnualResults(self.engine)
        self.deadlines = Deadlines(self.engine)

    def view(self, as_of: int | None = None) -> "View":
        """The read side, live or as of a log position (R-Q-3)."""
        if as_of is None:
            return View(self.queries, self.annual, self.deadlines, None)
        return View(self.queries.at(as_of), self.annual.at(as_of), self.deadlines.at(as_of), as_of)

    def close(self) -> None:
        self.ledger.close()
        self.engine.dispose()


def make_engine(database: Database) -> Engine:
    if database.dialect == "sqlite":
        engine = create_engine(database.sqlalchemy_url, connect_args={"timeout": 10, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine
    return create_engine(database.sqlalchemy_url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the read-model tables to the latest Alembic revision."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        alembic_command.upgrade(config, "head")
