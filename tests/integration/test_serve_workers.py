"""`jixiao serve --workers N`: several server processes on one PostgreSQL store. Commands sent to
them at once over HTTP are each stored once, in one hash chain, and the audit and refusal logs
stay single chains (each process takes the log's lock before chaining a record) — `jixiao verify`
is clean. A SQLite store refuses more than one process, with a message saying why.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from datetime import date
from pathlib import Path

import httpx
import pytest

from api.service import LedgerService
from tests.api.conftest import add_users, token_of
from tests.conftest import build_bureau, free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "JIXIAO_DATABASE_URL": db_url,
        "JIXIAO_CHAIN_KEY_FILE": str(tmp_path / "ledger.chain-key"),
        "JIXIAO_ANCHOR_FILE": str(tmp_path / "ledger.anchors"),
    }


def test_sqlite_refuses_several_server_processes(tmp_path: Path) -> None:
    env = _env(f"sqlite:///{tmp_path / 'ledger.db'}", tmp_path)
    done = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--workers", "2", "--port", str(free_port())], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "PostgreSQL" in done.stderr and "SQLite" in done.stderr


def test_several_workers_on_postgresql_store_every_command_once_in_one_chain__R_AUDIT_1(db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("several server processes share a PostgreSQL store only")
    env = _env(db_url, tmp_path)  # the same key and anchor files as the db_url fixture set for this process
    service = LedgerService(db_url)
    build_bureau(service)
    add_users(service)
    before = service.queries.event_count()
    service.close()

    port = free_port()
    log = open(tmp_path / "server.log", "w+")
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--workers", "2", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, base, tmp_path / "server.log")
        acknowledged: list[str] = []
        refused: list[str] = []
        lock = threading.Lock()

        def client(k: int) -> None:
            headers = {"Authorization": f"Bearer {token_of('supervision')}"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                for i in range(30):
                    person = "NOBODY" if i % 10 == 9 else f"P0{2 + (k + i) % 2}"
                    body = {"person": person, "points": "0.01", "basis": "效能监察", "occurred_on": str(date(2026, 1, 12)), "form_no": "JC-1"}
                    key = uuid.uuid4().hex
                    r = http.post("/deductions", json=body, headers={"Idempotency-Key": key})
                    while r.status_code == 409 and r.json()["code"] == "CONCURRENT_CHANGE":  # lost a race again and again: retried as a client does
                        r = http.post("/deductions", json=body, headers={"Idempotency-Key": key})
                    with lock:
                        if r.status_code < 300:
                            acknowledged.append(r.json()["entry_id"])
                        else:
                            assert r.json()["code"] == "PERSON_NOT_FOUND", r.text
                            refused.append(person)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=60)

    assert len(acknowledged) == len(set(acknowledged)) == 6 * 27
    assert len(refused) == 6 * 3
    service = LedgerService(db_url)
    try:
        report = service.verify([])
        assert report.ok, [p.as_dict() for p in report.problems]  # one event chain, one audit chain, one refusal chain
        assert service.queries.event_count() == before + len(acknowledged)
        # A conflict between two processes is retried; PostgreSQL's sequence may leave a gap there.
        assert service.queries.projection_position() == service.ledger.log_position()
        scores = {code: service.queries.sheet(f"{code}:2026-01:monthly")["score"] for code in ("P02", "P03")}
        assert scores == {"P02": "99.19", "P03": "99.19"}  # 100 − 81 × 0.01 each
    finally:
        service.close()
