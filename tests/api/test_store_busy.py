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
from ledger.application.group_commit import Pending
from ledger.application.ledger import Durable
from ledger.domain.actors import Actor, Role
from tests.api.conftest import Api

BODY = {"person": "P02", "points": "0.5", "basis": "效能监察", "occurred_on": "2026-01-12", "form_no": "JC-1"}


def _logged(api: Api) -> tuple[int, int]:
    with api.service.engine.connect() as conn:
        return (conn.exec_driver_sql("SELECT COUNT(*) FROM audit_log").scalar_one(), conn.exec_driver_sql("SELECT COUNT(*) FROM refusals").scalar_one())


def test_a_command_waits_out_the_lock_then_is_refused_store_busy_and_writes_nothing(api: Api) -> None:
    if api.service.database.dialect != "sqlite":
        pytest.skip("the write lock file is SQLite's (PostgreSQL waits on its own locks)")
    api.service.ledger._write_lock.timeout_ns = 500_000_000  # type: ignore[attr-defined]  # the wait, shortened for the test (10 s in service)
    logged = _logged(api)
    other = WriteLock(api.service.database.write_lock_path)
    with other:
        started = time.monotonic()
        problem = api.refused("supervision", "/deductions", BODY, 503, "STORE_BUSY")
        waited = time.monotonic() - started
        # An account change is refused the same way, after one wait: not logged as a refusal,
        # which would wait for the lock a second time (≥ 1.0 s).
        started = time.monotonic()
        Api.problem(api.post("system_admin", "/tokens", {"user_id": "u-staff-p02", "label": "报表", "valid_days": 30}), 503, "STORE_BUSY")
        assert time.monotonic() - started < 0.9
    other.close()
    assert 0.5 <= waited < 5, waited  # it waited its time, no more
    assert "系统正忙" in problem["detail_zh"]
    assert _logged(api) == logged  # no audit record, no refusal: nothing written
    assert api.ok("supervision", "/deductions", BODY)["entry_id"] == "P02:2026-01:monthly:1"


def test_a_waiting_command_goes_through_when_the_lock_is_let_go_in_time(api: Api) -> None:
    if api.service.database.dialect != "sqlite":
        pytest.skip("the write lock file is SQLite's")
    held, other = threading.Event(), WriteLock(api.service.database.write_lock_path)

    def hold() -> None:  # taken and let go in one thread, as the lock requires
        with other:
            held.set()
            time.sleep(0.3)
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    started = time.monotonic()
    assert api.ok("supervision", "/deductions", BODY)["entry_id"] == "P02:2026-01:monthly:1"
    assert time.monotonic() - started >= 0.2  # it waited for the other holder
    holder.join()


def test_an_audited_read_is_not_answered_until_its_record_is_written(api: Api) -> None:
    """安全审计: the read runs while its audit record's group commits, but the answer waits for
    the record. With the store's write lock held past the wait, the sheet is not shown: 503
    STORE_BUSY, and no record. Then the same read is answered, with its record."""
    if api.service.database.dialect != "sqlite":
        pytest.skip("the write lock file is SQLite's")
    api.service.ledger._write_lock.timeout_ns = 500_000_000  # type: ignore[attr-defined]
    path, logged = "/sheets/P02:2026-01:monthly", _logged(api)
    other = WriteLock(api.service.database.write_lock_path)
    with other:
        problem = Api.problem(api.get("supervision", path), 503, "STORE_BUSY")
    other.close()
    assert "系统正忙" in problem["detail_zh"] and "entries" not in problem
    assert _logged(api) == logged
    assert api.read("supervision", path)["code"] == "P02:2026-01:monthly"
    assert _logged(api)[0] == logged[0] + 1


def test_an_audited_read_left_to_another_threads_group_is_answered_once_that_group_committed(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """安全审计: a read's record queued while another thread leads the group commit (here it
    waits for the store's write lock, held by another process) is left to that leader: the
    request's thread goes back to the pool, and the answer waits on the event loop until the
    leader has committed the record, never before."""
    if api.service.database.dialect != "sqlite":
        pytest.skip("the write lock file is SQLite's")
    ledger, path, logged = api.service.ledger, "/sheets/P02:2026-01:monthly", _logged(api)
    group = ledger._group  # type: ignore[attr-defined]
    settled: list[bool] = []  # what the request's thread did with its record: True, waited for it here
    real_settle = Durable.settle

    def settle(durable: Durable) -> Pending | None:
        item = real_settle(durable)
        settled.append(item is None)
        return item

    monkeypatch.setattr(Durable, "settle", settle)
    held, failures, released = threading.Event(), [], []
    other = WriteLock(api.service.database.write_lock_path)

    def hold() -> None:  # taken and let go in one thread, as the lock requires
        with other:
            held.set()
            time.sleep(0.6)
        other.close()
        released.append(time.monotonic())

    def leader() -> None:  # another request's record, whose thread leads and waits for the lock
        try:
            ledger.audit_read(Actor(user_id="u-office", role=Role.OFFICE), None, "read:/units", None)()
        except Exception as error:  # noqa: BLE001 - told to the test's thread
            failures.append(repr(error))

    holding = threading.Thread(target=hold)
    holding.start()
    assert held.wait(5)
    leading = threading.Thread(target=leader)
    leading.start()
    deadline = time.monotonic() + 5
    while not group._leading and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.01)
    assert group._leading  # type: ignore[attr-defined]
    sheet = api.read("supervision", path)
    answered = time.monotonic()
    holding.join()
    leading.join(10)
    assert not leading.is_alive() and failures == [], failures
    assert sheet["code"] == "P02:2026-01:monthly"
    assert settled == [False]  # the request's thread did not wait for the other thread's group
    assert answered >= released[0]  # answered only after the lock was let go and the group committed
    assert _logged(api)[0] == logged[0] + 2  # both records written
