"""Another process holding a SQLite store's write lock past the wait (a `jixiao rebuild` beside
the service, which holds it for its whole transaction): a command is refused with 503 STORE_BUSY
in Chinese and English, nothing is written, and the same command goes through once the lock is
free. A second `WriteLock` on the same file stands for the other process (`flock` locks belong
to the open file, so two opens of it exclude each other as two processes do)."""

from __future__ import annotations

import threading
import time

import pytest

from ledger.adapters.store import WriteLock
from tests.api.conftest import Api

BODY = {"person": "P02", "points": "0.5", "basis": "效能监察", "occurred_on": "2026-01-12", "form_no": "JC-1"}


def test_a_command_waits_out_the_lock_then_is_refused_store_busy_and_writes_nothing(api: Api) -> None:
    if api.service.database.dialect != "sqlite":
        pytest.skip("the write lock file is SQLite's (PostgreSQL waits on its own locks)")
    api.service.ledger._write_lock.timeout = 0.3  # type: ignore[attr-defined]  # the wait, shortened for the test (10 s in service)
    other = WriteLock(api.service.database.write_lock_path)
    with other:
        started = time.monotonic()
        problem = api.refused("supervision", "/deductions", BODY, 503, "STORE_BUSY")
        waited = time.monotonic() - started
    other.close()
    assert 0.3 <= waited < 5, waited  # it waited its time, no more
    assert "系统正忙" in problem["detail_zh"]
    assert api.ok("supervision", "/deductions", BODY)["entry_id"] == "P02:2026-01:monthly:1"


def test_a_waiting_command_goes_through_when_the_lock_is_let_go_in_time(api: Api) -> None:
    if api.service.database.dialect != "sqlite":
        pytest.skip("the write lock file is SQLite's")
    other = WriteLock(api.service.database.write_lock_path)
    other.__enter__()
    threading.Timer(0.3, lambda: (other.__exit__(None, None, None), other.close())).start()
    started = time.monotonic()
    assert api.ok("supervision", "/deductions", BODY)["entry_id"] == "P02:2026-01:monthly:1"
    assert time.monotonic() - started >= 0.25  # it waited for the other holder
