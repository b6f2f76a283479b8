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


def test_the_bearer_users_of_0009_become_disabled_accounts_the_administrator_resets(db_url: str) -> None:
    """Revision 0010 drops the per-user bearer tokens: a user of before keeps their name and role
    as a disabled account without a password, sealed at start-up; the administrator resets and
    enables it, and it signs in with the new password."""
    from alembic import command
    from alembic.config import Config

    from api.service import MIGRATIONS_DIR
    from ledger.accounts.users import find
    from ledger.domain.actors import Actor, Role

    engine = create_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0009")
        conn.exec_driver_sql(
            "INSERT INTO users (user_id, name, role, person, token_sha256, created_at, mac)"
            " VALUES ('u-old', '旧用户', 'office', NULL, 'sha-of-an-old-token', '2026-01-01T00:00:00+00:00', NULL)"
        )
    engine.dispose()
    service = LedgerService(db_url)
    try:
        account = find(service.engine, service.key, "u-old")
        assert account is not None
        assert (account.name, account.role, account.status, account.password_hash) == ("旧用户", Role.OFFICE, "disabled", None)
        assert service.verify().ok
        admin = Actor("u-admin", Role.SYSTEM_ADMIN)
        _, password = service.accounts.reset_password(admin, None, "u-old")
        service.accounts.change_status(admin, None, "u-old", "enable")
        principal, _ = service.accounts.sign_in("u-old", password, None, "bearer")
        assert principal.must_change_password and principal.actor == Actor("u-old", Role.OFFICE)
    finally:
        service.close()
