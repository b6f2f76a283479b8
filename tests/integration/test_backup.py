"""Backup and restore (备份与恢复): `jixiao backup PATH` while the service holds the store open,
`jixiao restore PATH` into an empty store; the restored store verifies clean (R-AUDIT-1) and
serves the same figures. An existing store is never overwritten."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import date
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

import pytest

from api import cli
from api.service import LedgerService
from ledger.application import commands as c
from tests.conftest import SUPERVISION, build_bureau

PG_URL = os.environ.get("JIXIAO_TEST_POSTGRES_URL")


def _figures(service: LedgerService) -> tuple[int, str, dict]:
    annual = service.annual.year(2026)
    return service.queries.event_count(), service.queries.sheet("P02:2026-01:monthly")["score"], annual["summary"]


def _round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source_url: str, restored_url: str) -> None:
    key = tmp_path / "ledger.chain-key"
    monkeypatch.setenv("JIXIAO_CHAIN_KEY_FILE", str(key))
    monkeypatch.setenv("JIXIAO_ANCHOR_FILE", str(tmp_path / "ledger.anchors"))
    running = LedgerService(source_url)  # the service keeps the store open while the backup is taken
    try:
        build_bureau(running)
        running.ledger.execute(SUPERVISION, c.RecordDeduction(person="P02", points="1.5", basis="上班时间离岗", occurred_on=date(2026, 1, 12), form_no="JC-1"))
        assert cli.main(["backup", str(tmp_path / "backup" / "ledger.bak")]) == 0
        assert cli.main(["backup", str(tmp_path / "backup" / "ledger.bak")]) == 1, "an existing backup is not overwritten"
        for written in (tmp_path / "backup").iterdir():  # personal data, as the store: the owner's only
            assert written.stat().st_mode & 0o777 == 0o600, written
        before = _figures(running)
    finally:
        running.close()

    monkeypatch.setenv("JIXIAO_DATABASE_URL", restored_url)
    monkeypatch.setenv("JIXIAO_ANCHOR_FILE", str(tmp_path / "restored.anchors"))
    assert cli.main(["restore", str(tmp_path / "backup" / "ledger.bak")]) == 0  # restores, then verifies: 0 = clean
    assert cli.main(["restore", str(tmp_path / "backup" / "ledger.bak")]) == 1, "a store that is not empty is not overwritten"
    restored = LedgerService(restored_url)
    try:
        assert restored.verify().ok
        assert _figures(restored) == before
        assert before[1] == "98.50"  # 100 − 1.5
    finally:
        restored.close()


def test_a_sqlite_backup_taken_while_the_service_runs_restores_to_the_same_figures__R_AUDIT_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    _round_trip(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'ledger.db'}", f"sqlite:///{tmp_path / 'restored' / 'ledger.db'}")


@pytest.fixture
def pg_databases() -> Iterator[tuple[str, str]]:
    import psycopg

    assert PG_URL is not None
    names = [f"jixiao_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for name in names:
            conn.execute(f"CREATE DATABASE {name}")
    yield tuple(urlparse(PG_URL)._replace(path=f"/{name}").geturl() for name in names)  # type: ignore[misc]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for name in names:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.skipif(not PG_URL or not shutil.which("pg_dump"), reason="JIXIAO_TEST_POSTGRES_URL is not set, or no pg_dump")
def test_a_postgres_backup_restores_into_a_new_database_with_the_same_figures__R_AUDIT_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_databases: tuple[str, str]
) -> None:
    source, target = pg_databases
    monkeypatch.setenv("JIXIAO_DATABASE_URL", source)
    _round_trip(tmp_path, monkeypatch, source, target)
