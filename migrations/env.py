"""Alembic environment for the read-model tables (see projections/tables.py)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import engine_from_config, pool

from ledger.adapters.store import Database
from projections.tables import metadata

config = context.config
target_metadata = metadata


def include_name(name, type_, parent_names):  # type: ignore[no-untyped-def]
    """Autogenerate compares only our tables, not the event tables eventsourcing owns."""
    return type_ != "table" or name in metadata.tables


def run_migrations_offline() -> None:
    url = Database(os.environ["JIXIAO_DATABASE_URL"]).sqlalchemy_url if os.environ.get("JIXIAO_DATABASE_URL") else config.get_main_option("sqlalchemy.url")
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
    if os.environ.get("JIXIAO_DATABASE_URL"):
        section["sqlalchemy.url"] = Database(os.environ["JIXIAO_DATABASE_URL"]).sqlalchemy_url
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True, include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
