"""The Alembic revisions create exactly the tables `projections/tables.py` and
`ledger/adapters/tables.py` declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from api.service import LedgerService
from ledger.adapters.tables import metadata as ledger_metadata
from projections.tables import metadata as read_model_metadata


def test_migrations_match_the_declared_read_models(db_url: str) -> None:
    service = LedgerService(db_url)  # runs `alembic upgrade head`
    service.close()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        for metadata in (read_model_metadata, ledger_metadata):
            context = MigrationContext.configure(conn, opts={"include_name": lambda name, type_, parents: type_ != "table" or name in metadata.tables})
            assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_migrating_twice_is_harmless_and_keeps_data(db_url: str) -> None:
    from datetime import date

    from ledger.application import commands as c
    from tests.conftest import OFFICE

    first = LedgerService(db_url)
    first.ledger.execute(OFFICE, c.RegisterUnit(code="B01", name="城东分局", kind="branch", registered_on=date(2020, 1, 1)))
    first.close()
    second = LedgerService(db_url)
    try:
        assert [u["code"] for u in second.queries.units()] == ["B01"]
    finally:
        second.close()
