"""The same ledger on PostgreSQL, selected by one URL (JIXIAO_DATABASE_URL).

Runs when JIXIAO_TEST_POSTGRES_URL points at a server whose user may create databases
(`.ci/run` starts one); each test gets a database of its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from datetime import date
from typing import Iterator

import pytest

from ledger.application import commands as c
from ledger.domain.errors import SheetClosed
from api.service import LedgerService
from tests.conftest import LEADING, OFFICE, build_bureau, new_pg_database

ADMIN_URL = os.environ.get("JIXIAO_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="JIXIAO_TEST_POSTGRES_URL is not set")


@pytest.fixture
def pg_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new PostgreSQL database, with its chain key and anchor file in the test's own folder."""
    monkeypatch.setenv("JIXIAO_CHAIN_KEY_FILE", str(tmp_path / "pg.chain-key"))
    monkeypatch.setenv("JIXIAO_ANCHOR_FILE", str(tmp_path / "pg.anchors"))
    yield from new_pg_database()


def _story(service: LedgerService) -> list[dict[str, str]]:
    """Given the small bureau, a cascaded unit deduction, its amendment and a monthly
    deduction; returns the projected entries (without their wall-clock times)."""
    b = build_bureau(service)
    first = b.run(
        b.assessor,
        c.RecordDeduction(unit="B01", track="key", points="1.5", item="K1", basis="进度滞后", occurred_on=date(2026, 3, 10), responsible=[{"person": "P02"}]),
    )
    b.run(LEADING, c.AmendEntry(entry_id=first["entry_id"], points="0.5", reason="误扣", decision_ref="绩领〔2026〕1号"))
    b.run(b.head_b01, c.RecordDeduction(person="P03", points="2", item="M1", basis="迟到", occurred_on=date(2026, 3, 3)))
    rows = service.queries.ledger("P02", 2026)["entries"] + service.queries.sheet("B01:2026-Q1:key")["entries"]
    volatile = {"recorded_at", "reversed_at"}
    return [{k: v for k, v in r.items() if k not in volatile} for r in rows]


def test_postgres_store_gives_the_same_figures_as_sqlite__R_CASCADE_1_R_FIX_1(pg_url: str, db_url: str) -> None:
    """One URL switches the store; the same commands give the same projected entries and
    scores on both (B01 key sheet: 100 − 0.5 = 99.50 after the amendment)."""
    pg = LedgerService(pg_url)
    sqlite = LedgerService(db_url)
    try:
        assert pg.database.dialect == "postgresql"
        assert _story(pg) == _story(sqlite)
        assert pg.queries.sheet("B01:2026-Q1:key")["score"] == "99.50"
        assert pg.queries.sheet("P02:2026-03:monthly")["score"] == "99.50"
        assert pg.queries.event_count() == sqlite.queries.event_count()
    finally:
        pg.close()
        sqlite.close()


def test_postgres_refusal_writes_no_event_and_rebuild_reproduces_projections(pg_url: str) -> None:
    service = LedgerService(pg_url)
    try:
        b = build_bureau(service)
        b.run(OFFICE, c.SubmitSheet(sheet="P03:2026-03:monthly"))
        before = service.queries.event_count()
        with pytest.raises(SheetClosed):
            b.run(b.head_b01, c.RecordDeduction(person="P03", points="1", item="M1", basis="迟到", occurred_on=date(2026, 3, 3)))
        assert service.queries.event_count() == before
        snapshot = service.queries.sheets(limit=500)
        assert service.rebuild() == service.queries.projection_position() == before
        assert service.queries.sheets(limit=500) == snapshot
    finally:
        service.close()


def test_postgres_store_is_sealed_and_verifies__R_AUDIT_1(pg_url: str) -> None:
    """The keyed chain and the anchor file work the same on PostgreSQL: clean, then a link
    rewritten in the database is found."""
    import psycopg

    service = LedgerService(pg_url)
    try:
        build_bureau(service)
        assert service.verify().ok
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("UPDATE event_chain SET mac = 'ff' WHERE position = (SELECT MAX(position) FROM event_chain)")
        assert [p.kind for p in service.verify().problems] == ["link_forged"]
    finally:
        service.close()


def test_accounts_sessions_and_their_audit_records_on_postgres(pg_url: str) -> None:
    """Sign-in, the lockout and the administrator's unlock write through the ledger's cursor on
    PostgreSQL too, each with its audit record, and `jixiao verify` passes."""
    from ledger.accounts.accounts import AccountLocked, LoginFailed
    from ledger.domain.actors import Actor, Role

    service = LedgerService(pg_url)
    try:
        admin = Actor("u-admin", Role.SYSTEM_ADMIN)
        service.accounts.create(admin, "10.0.0.1", "clerk", "办事员", Role.OFFICE, initial_password="Kaohe#2026a", must_change=False)
        principal, token = service.accounts.sign_in("clerk", "Kaohe#2026a", "10.0.0.2", "bearer")
        assert service.accounts.by_bearer(token) is not None and principal.actor.role is Role.OFFICE
        for _ in range(4):
            with pytest.raises(LoginFailed):
                service.accounts.sign_in("clerk", "Wrong#pass1", "10.0.0.2", "bearer")
        with pytest.raises(AccountLocked):
            service.accounts.sign_in("clerk", "Wrong#pass1", "10.0.0.2", "bearer")
        assert service.accounts.by_bearer(token) is None  # the lockout ended the session
        service.accounts.change_status(admin, "10.0.0.1", "clerk", "unlock")
        service.accounts.sign_in("clerk", "Kaohe#2026a", "10.0.0.2", "bearer")
        actions = [(r["action"], r["outcome"]) for r in reversed(service.queries.audit_log(None, None, None, None, None, 50, 0))]
        assert actions == [
            ("admin:CreateUser", "accepted"), ("auth:SignIn", "accepted"), *[("auth:SignIn", "refused")] * 5,
            ("auth:Lockout", "accepted"), ("admin:UnlockUser", "accepted"), ("auth:SignIn", "accepted"),
        ]  # fmt: skip
        assert service.verify().ok
    finally:
        service.close()


def test_servers_starting_at_once_on_one_database_all_start(pg_url: str) -> None:
    """`jixiao serve --workers N` (or several servers) on PostgreSQL: each process builds its
    service at the same moment. Their start-up work (migrations, eventsourcing's CREATE OR
    REPLACE FUNCTION, the seals) runs one process at a time; before, two at once failed with
    "tuple concurrently updated" and the server stopped."""
    import subprocess
    import sys
    import time

    LedgerService(pg_url).close()  # the store exists, as the parent process leaves it
    at = time.time() + 8  # every process imports first, then all start together
    script = (
        "import sys, time\nfrom api.service import LedgerService\n"
        f"time.sleep(max(0, {at!r} - time.time()))\nLedgerService(sys.argv[1]).close()\n"
    )  # fmt: skip
    root = Path(__file__).resolve().parents[2]
    processes = [subprocess.Popen([sys.executable, "-c", script, pg_url], cwd=root, stderr=subprocess.PIPE, text=True) for _ in range(8)]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    assert [process.returncode for process in processes] == [0] * 8, [e.strip().splitlines()[-1:] for e in errors]
