"""The sign-in throttle (入侵防范) holds across server processes (`jixiao serve --workers N`, or
several servers on one PostgreSQL database): two services on one store stand for two workers,
and a client's attempts alternate between them as a load balancer or the kernel would deal them.
Kept in memory per process before, each worker counted alone: 2 workers allowed 60 attempts a
minute, and an unknown name was locked only after 5 failures at one worker, where a real account
locks after 5 in all (telling a real login name from an unknown one)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest

from api.service import LedgerService
from ledger.accounts.accounts import AccountLocked, LoginFailed
from ledger.accounts.sessions import COOKIE
from ledger.accounts.throttle import TooManyAttempts
from ledger.clock import Clock
from ledger.domain.actors import Actor, Role

ADMIN = Actor(user_id="test-setup", role=Role.SYSTEM_ADMIN)
WRONG = "Wrong#pass1"


class StoppedClock(Clock):
    def __init__(self) -> None:
        super().__init__()
        self.moment = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def workers(db_url: str) -> Iterator[tuple[LedgerService, LedgerService, StoppedClock]]:
    clock = StoppedClock()
    first, second = LedgerService(db_url), LedgerService(db_url)
    for service in (first, second):
        service.clock = service.ledger.clock = clock
    yield first, second, clock
    second.close()
    first.close()


def attempt(service: LedgerService, login: str, address: str = "10.0.0.9") -> str:
    """The code a sign-in with a wrong password is answered with."""
    try:
        service.accounts.sign_in(login, WRONG, address, COOKIE)
    except (LoginFailed, AccountLocked, TooManyAttempts) as error:
        return error.code
    raise AssertionError("signed in with a wrong password")


def test_attempts_per_address_are_counted_across_processes(workers: tuple[LedgerService, LedgerService, StoppedClock]) -> None:
    first, second, clock = workers
    limit = first.settings.login_attempts_per_minute  # 30
    codes = [attempt((first, second)[i % 2], f"someone-{i}") for i in range(limit + 2)]
    assert codes == ["LOGIN_FAILED"] * limit + ["TOO_MANY_ATTEMPTS"] * 2  # 15 at each worker, 30 in all
    assert attempt(first, "someone-x", address="10.0.0.10") == "LOGIN_FAILED"  # another address counts alone
    clock.moment += timedelta(seconds=59)
    assert attempt(second, "someone-y") == "TOO_MANY_ATTEMPTS"  # the first attempt is 59 s old
    clock.moment += timedelta(seconds=1, microseconds=1)
    assert attempt(second, "someone-y") == "LOGIN_FAILED"  # a minute after the first: one slot free


def test_an_unknown_name_is_locked_out_after_five_failures_in_all_as_an_account_is(workers: tuple[LedgerService, LedgerService, StoppedClock]) -> None:
    first, second, clock = workers
    first.accounts.create(ADMIN, None, "clerk", "办事员", Role.OFFICE, initial_password="Kaohe#2026a")
    for name in ("clerk", "nobody"):  # a real name and an unknown one, answered alike
        codes = [attempt((first, second)[i % 2], name, address=f"10.0.1.{i}") for i in range(6)]
        assert codes == ["LOGIN_FAILED"] * 4 + ["ACCOUNT_LOCKED"] * 2, name
    clock.moment += timedelta(minutes=10, seconds=1)  # both lockouts have run out; the count starts again
    assert [attempt(second, name, address="10.0.2.1") for name in ("clerk", "nobody")] == ["LOGIN_FAILED"] * 2


def test_an_unknown_name_is_forgotten_a_day_after_its_last_failure(workers: tuple[LedgerService, LedgerService, StoppedClock]) -> None:
    first, second, clock = workers
    for i in range(4):
        attempt(first, "nobody", address=f"10.0.3.{i}")
    with first.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT failures FROM unknown_logins WHERE name = 'nobody'").scalar_one() == 4
    clock.moment += timedelta(days=1, seconds=1)
    assert attempt(second, "someone-else") == "LOGIN_FAILED"
    with first.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT name FROM unknown_logins").scalars().all() == ["someone-else"]
    assert attempt(first, "nobody") == "LOGIN_FAILED"  # counted from one again
