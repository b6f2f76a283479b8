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
from ledger.accounts import passwords, throttle
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


def test_an_unknown_name_keeps_its_count_as_an_account_does(workers: tuple[LedgerService, LedgerService, StoppedClock]) -> None:
    """An account forgets its failures only when it signs in (or its lockout ends): 4 failures,
    a day and more later a fifth locks it. An unknown name and a disabled account alike, else the
    fifth failure would tell which names are real."""
    first, second, clock = workers
    first.accounts.create(ADMIN, None, "clerk", "办事员", Role.OFFICE, initial_password="Kaohe#2026a")
    first.accounts.create(ADMIN, None, "gone", "已停用", Role.OFFICE, initial_password="Kaohe#2026b")
    first.accounts.change_status(ADMIN, None, "gone", "disable")
    names = ("clerk", "nobody", "gone")
    for i in range(4):
        assert [attempt((first, second)[i % 2], name, address=f"10.0.3.{i}") for name in names] == ["LOGIN_FAILED"] * 3
    clock.moment += timedelta(days=3)
    assert [attempt(second, name, address="10.0.4.1") for name in names] == ["ACCOUNT_LOCKED"] * 3


def test_a_locked_out_unknown_name_answers_at_once_as_a_locked_account_does(workers: tuple[LedgerService, LedgerService, StoppedClock]) -> None:
    """A locked account's password is not checked; nor, then, is an unknown name's against the
    dummy hash (~0.1 s of Argon2), or the time taken would tell the two apart."""
    first, second, clock = workers
    first.accounts.create(ADMIN, None, "clerk", "办事员", Role.OFFICE, initial_password="Kaohe#2026a")
    for i in range(5):
        for name in ("clerk", "nobody"):
            attempt(first, name, address=f"10.0.5.{i}")
    spent: list[str] = []
    real = passwords.spend_like_verify
    passwords.spend_like_verify = lambda password: spent.append(password)  # type: ignore[assignment]
    try:
        assert [attempt(second, name, address="10.0.6.1") for name in ("clerk", "nobody")] == ["ACCOUNT_LOCKED"] * 2
        assert spent == []
        assert attempt(second, "someone-new", address="10.0.6.1") == "LOGIN_FAILED"
        assert spent == [WRONG]  # a name not locked out spends the time of a real check
    finally:
        passwords.spend_like_verify = real  # type: ignore[assignment]


def test_only_beyond_the_bound_are_the_names_failed_longest_ago_forgotten(workers: tuple[LedgerService, LedgerService, StoppedClock], monkeypatch: pytest.MonkeyPatch) -> None:
    first, _, clock = workers
    monkeypatch.setattr(throttle, "UNKNOWN_NAMES_MAX", 200)
    for i in range(200):
        clock.moment += timedelta(seconds=1)
        attempt(first, f"nobody-{i:03}", address=f"10.1.{i}.1")
    with first.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM unknown_logins").scalar_one() == 200
    attempt(first, "one-more", address="10.2.0.1")
    with first.engine.connect() as conn:
        kept = conn.exec_driver_sql("SELECT name FROM unknown_logins ORDER BY name").scalars().all()
    assert len(kept) == 200 - 3 + 1  # the bound reached: the oldest go, with 1% more room
    assert "nobody-000" not in kept and "nobody-002" not in kept and "nobody-003" in kept and "one-more" in kept


def test_an_address_refused_is_refused_from_memory_until_a_slot_frees(workers: tuple[LedgerService, LedgerService, StoppedClock]) -> None:
    """A flood from one address takes no write lock once it is refused: until the oldest counted
    attempt leaves the minute, the answer is known without asking the store."""
    first, _, clock = workers
    for i in range(first.settings.login_attempts_per_minute):
        attempt(first, f"someone-{i}")
        clock.moment += timedelta(seconds=1)
    assert attempt(first, "x") == "TOO_MANY_ATTEMPTS"  # asked of the store, then remembered
    taken = []
    original = first.ledger.write_access
    first.ledger.write_access = lambda change: taken.append(change) or original(change)  # type: ignore[method-assign]
    assert attempt(first, "x") == "TOO_MANY_ATTEMPTS"
    assert taken == []
    clock.moment += timedelta(seconds=31)  # the first attempt is 61 s old: its slot is free
    assert attempt(first, "y") == "LOGIN_FAILED"
