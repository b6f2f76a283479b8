"""Sign-in throttling (入侵防范), kept in the store so that every server process counts alike
(`jixiao serve --workers N`, or several servers on one PostgreSQL database):

    sign_in_attempts  the attempts from each client address in the last minute: one more than
                      the limit (a setting, 30) is refused with TOO_MANY_ATTEMPTS and not counted
    unknown_logins    the consecutive failures of a login name no account has, locked out as an
                      account would be (5 failures, 10 minutes), so that a lockout does not tell
                      a real name from an unknown one; forgotten a day after the last failure

Each is read and written in one writing transaction (the store's write lock on SQLite, an
advisory lock on PostgreSQL), so two processes never both count the same last attempt. Moments
are integer microseconds since 1970 (UTC), as the ledger's clock gives them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ledger.adapters.audit_log import lock_chain
from ledger.adapters.store import ProjectionCursor
from ledger.domain.errors import DomainError

THROTTLE_LOCK = 0x6A78_0003  # PostgreSQL advisory lock key (beside the chained logs' in audit_log)
WINDOW = timedelta(minutes=1)
FORGET_UNKNOWN_AFTER = timedelta(days=1)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)


class TooManyAttempts(DomainError):
    code = "TOO_MANY_ATTEMPTS"
    status = 429
    message_zh = "登录尝试过于频繁，请稍后再试"
    message_en = "Too many sign-in attempts from this address; wait and retry"


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def moment_of(value: int) -> datetime:
    return EPOCH + value * MICROSECOND


def count_attempt(cursor: ProjectionCursor, address: str | None, now: datetime, per_minute: int) -> None:
    """Count a sign-in attempt from `address`; refuse it beyond `per_minute` in the last minute
    (a refused attempt is not counted, so waiting is enough)."""
    lock_chain(cursor, THROTTLE_LOCK)
    at, window = micros(now), WINDOW // MICROSECOND
    cursor.execute("DELETE FROM sign_in_attempts WHERE at <= ?", (at - window,))
    cursor.execute("SELECT COUNT(*) AS n, MIN(at) AS first FROM sign_in_attempts WHERE address = ?", (address or "-",))
    row = cursor.fetchone()
    if row["n"] >= per_minute:
        retry = max(1, (row["first"] + window - at) // 1_000_000 + 1)
        raise TooManyAttempts(f"more than {per_minute} sign-in attempts a minute", f"登录尝试过于频繁，请{retry}秒后再试", retry_after_seconds=retry)
    cursor.execute("INSERT INTO sign_in_attempts (address, at) VALUES (?, ?)", (address or "-", at))


def unknown_failure(cursor: ProjectionCursor, name: str, now: datetime, failures_to_lock: int, lock: timedelta) -> tuple[bool, datetime | None]:
    """A failed sign-in as `name`, which no account has: (it was locked out already, the end of
    its lockout or None). At `failures_to_lock` consecutive failures it is locked for `lock`; a
    lockout that has run out starts the count again, as an account's does."""
    lock_chain(cursor, THROTTLE_LOCK)
    at = micros(now)
    cursor.execute("DELETE FROM unknown_logins WHERE forget_at < ?", (at,))
    cursor.execute("SELECT failures, locked_until FROM unknown_logins WHERE name = ?", (name,))
    row = cursor.fetchone()
    failures, until = (0, None) if row is None else (row["failures"], row["locked_until"])
    if until is not None and until > at:
        return True, moment_of(until)
    failures = 1 if until is not None else failures + 1
    until = at + lock // MICROSECOND if failures >= failures_to_lock else None
    forget = max(at + FORGET_UNKNOWN_AFTER // MICROSECOND, until or 0)
    if row is None:
        cursor.execute("INSERT INTO unknown_logins (name, failures, locked_until, forget_at) VALUES (?, ?, ?, ?)", (name, failures, until, forget))
    else:
        cursor.execute("UPDATE unknown_logins SET failures = ?, locked_until = ?, forget_at = ? WHERE name = ?", (failures, until, forget, name))
    return False, None if until is None else moment_of(until)
