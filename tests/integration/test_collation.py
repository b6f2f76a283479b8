"""A PostgreSQL database that does not sort text by code point is refused at start (issue 14).

A person's ledger selects its sheets and entries by a range of codes, which holds only in
code-point order. The refusal says why and how to create the database, in Chinese and English;
`jixiao` prints it and exits with status 2, and nothing is written to the database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from api.service import LedgerService
from ledger.adapters.store import StoreUnusable
from tests.conftest import PG_ADMIN_URL, new_pg_database

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(PG_ADMIN_URL is None, reason="needs PostgreSQL (JIXIAO_TEST_POSTGRES_URL)")


@pytest.fixture
def icu_zh() -> Iterator[str]:
    yield from new_pg_database("TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'zh' LOCALE 'C.UTF-8'")


@pytest.fixture
def code_point() -> Iterator[str]:
    yield from new_pg_database("TEMPLATE template0 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")


def _tables(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'").fetchone()[0])  # type: ignore[index]


def test_a_database_sorting_by_a_linguistic_collation_is_refused_and_left_untouched(icu_zh: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_CHAIN_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("JIXIAO_ANCHOR_FILE", str(tmp_path / "anchors"))
    with pytest.raises(StoreUnusable, match="排序规则为 icu zh") as refused:
        LedgerService(icu_zh)
    assert "C.UTF-8" in str(refused.value) and "collation" in str(refused.value)
    assert _tables(icu_zh) == 0  # refused before the migrations ran
    assert not (tmp_path / "key").exists()


def test_jixiao_prints_the_refusal_and_exits_2_without_a_traceback(icu_zh: str, tmp_path: Path) -> None:
    env = {**os.environ, "JIXIAO_DATABASE_URL": icu_zh, "JIXIAO_CHAIN_KEY_FILE": str(tmp_path / "key"), "JIXIAO_ANCHOR_FILE": str(tmp_path / "anchors")}
    done = subprocess.run([sys.executable, "-m", "api.cli", "stats"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "台账要求按码位排序" in done.stderr and "Traceback" not in done.stderr


def test_a_code_point_database_is_served(code_point: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_CHAIN_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("JIXIAO_ANCHOR_FILE", str(tmp_path / "anchors"))
    service = LedgerService(code_point)
    try:
        assert service.queries.event_count() == 0
    finally:
        service.close()
