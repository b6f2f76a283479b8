"""`jixiao serve --workers N`: several server processes on one store, PostgreSQL or one SQLite
file (WAL: the processes read at once; each writing transaction begins IMMEDIATE, so they write
one at a time). Commands and reads sent to them at once over HTTP are each stored once, in one
hash chain, and the audit and refusal logs stay single chains — `jixiao verify` is clean, and the
figures are those of the commands acknowledged.

And a `jixiao` command that writes (an account added, history imported) while a single server
process runs: the server's next command chains to what that command wrote, and its cached
aggregates and read-model rows are read again (ledger.adapters.cache_follower).
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
import orjson
import pytest

from api.service import LedgerService
from sqlalchemy import text

from tests.api.conftest import USERS, add_users, token_of
from tests.conftest import build_bureau, free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "JIXIAO_DATABASE_URL": db_url,
        "JIXIAO_CHAIN_KEY_FILE": str(tmp_path / "ledger.chain-key"),
        "JIXIAO_ANCHOR_FILE": str(tmp_path / "ledger.anchors"),
    }


def test_several_workers_on_one_store_every_command_once_in_one_chain__R_AUDIT_1(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = _env(db_url, tmp_path)
    for name in ("JIXIAO_CHAIN_KEY_FILE", "JIXIAO_ANCHOR_FILE"):  # this process uses the servers' key and anchor files
        monkeypatch.setenv(name, env[name])
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
                    seen = http.get(f"/sheets/{'P02' if person == 'NOBODY' else person}:2026-01:monthly")  # a read of another's records: audited
                    assert seen.status_code == 200, seen.text
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
        with service.engine.connect() as conn:
            reads = conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE outcome = 'read' AND user_id = :u"), {"u": USERS["supervision"][0]}).scalar_one()
        assert reads == 6 * 30  # every read of another's sheet recorded once, whichever process served it
        scores = {code: service.queries.sheet(f"{code}:2026-01:monthly")["score"] for code in ("P02", "P03")}
        assert scores == {"P02": "99.19", "P03": "99.19"}  # 100 − 81 × 0.01 each
    finally:
        service.close()


def test_a_jixiao_command_writing_while_the_server_runs_is_followed__R_AUDIT_1(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a server that has cached the roster, P02's sheet, its read-model rows and the heads
    of the chains; when `jixiao import` (a person enrolled with a sheet, a deduction for P02) and `jixiao user
    add` write from another process; then the server deducts from the new person at once, P02's
    sheet counts all three deductions (100 − 0.5 − 0.25 − 0.15 = 99.10), and every chain
    is one chain (`verify` clean)."""
    env = _env(db_url, tmp_path)
    for name in ("JIXIAO_CHAIN_KEY_FILE", "JIXIAO_ANCHOR_FILE"):
        monkeypatch.setenv(name, env[name])
    service = LedgerService(db_url)
    build_bureau(service)
    add_users(service)
    service.close()

    port = free_port()
    log = open(tmp_path / "server.log", "w+")
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deduction = {"basis": "效能监察", "occurred_on": "2026-01-12", "form_no": "JC-1"}
    try:
        wait_until_serving(server, base, tmp_path / "server.log")
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token_of('supervision')}"}, timeout=60) as http:
            assert http.post("/deductions", json={**deduction, "person": "P02", "points": "0.5"}).status_code == 201
            assert http.get("/sheets/P02:2026-01:monthly").json()["score"] == "99.50"

            history = tmp_path / "history.jsonl"
            lines = [
                {"actor": {"user_id": "office", "role": "office"}, "command": "EnrolPerson",
                 "fields": {"code": "P90", "name": "钱新", "gender": "male", "birth_date": "1995-05-05", "unit": "B01", "tier": "other", "joined_on": "2026-01-01"}},
                {"actor": {"user_id": "office", "role": "office"}, "command": "OpenSheet", "fields": {"target": "P90", "period": "2026-01", "track": "monthly"}},
                {"actor": {"user_id": "supervision", "role": "supervision"}, "command": "RecordDeduction", "fields": {**deduction, "person": "P02", "points": "0.25"}},
            ]  # fmt: skip
            history.write_text("".join(orjson.dumps(line).decode() + "\n" for line in lines), encoding="utf-8")
            for argv in (["import", str(history)], ["user", "add", "qian.xin", "--name", "钱新", "--role", "staff", "--person", "P90"]):
                done = subprocess.run([sys.executable, "-m", "api.cli", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
                assert done.returncode == 0, done.stderr

            new = http.post("/deductions", json={**deduction, "person": "P90", "points": "0.5"})
            assert new.status_code == 201, new.text  # the roster enrolled elsewhere, not the one cached
            assert http.post("/deductions", json={**deduction, "person": "P02", "points": "0.15"}).status_code == 201
            sheet = http.get("/sheets/P02:2026-01:monthly").json()
            assert sheet["score"] == "99.10" and len(sheet["entries"]) == 3
    finally:
        server.terminate()
        server.wait(timeout=60)

    service = LedgerService(db_url)
    try:
        report = service.verify([])
        assert report.ok, [p.as_dict() for p in report.problems]
        assert service.queries.projection_position() == service.ledger.log_position()
    finally:
        service.close()
