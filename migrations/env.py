"""Alembic environment for the read-model tables (projections/tables.py) and the ledger's own tables
(ledger/adapters/tables.py). The database URL comes from the one settings object (ledger/settings.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from ledger.adapters.store import Database
from ledger.adapters.tables import metadata as ledger_metadata
from ledger.settings import Settings
from projections.tables import metadata as read_model_metadata

config = context.config
target_metadata = [read_model_metadata, ledger_metadata]
OUR_TABLES = set(read_model_metadata.tables) | set(ledger_metadata.tables)


def include_name(name, type_, parent_names):  # type: ignore[no-untyped-def]
    """Autogenerate compares only our tables, not the event tables eventsourcing owns."""
    return type_ != "table" or name in OUR_TABLES


def run_migrations_offline() -> None:
    url = Database(Settings().database_url).sqlalchemy_url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True, include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()
        return
    section = dict(config.get_section(config.config_ini_section) or {})
    section["sqlalchemy.url"] = Database(Settings().database_url).sqlalchemy_url
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True, include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
