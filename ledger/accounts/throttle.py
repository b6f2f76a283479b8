"""Sign-in throttling (入侵防范), kept in the store so that every server process counts alike
(`jixiao serve --workers N`, or several servers on one PostgreSQL database):

    sign_in_attempts  the attempts from each client address in the last minute: one more than
                      the limit (a setting, 30) is refused with TOO_MANY_ATTEMPTS and not counted
    unknown_logins    the consecutive failures of a login name no account has (or a disabled
                      account, or one without a password: all answered alike), locked out as an
                      account would be (5 failures, 10 minutes), so that a lockout does not tell
                      a real name from an unknown one. A name's count is kept as an account's
                      is (an account forgets its failures only when it signs in); only beyond
                      100,000 names are those that failed longest ago forgotten

Each is read and written in one writing transaction (the store's write lock on SQLite, an
advisory lock on PostgreSQL), so two processes never both count the same last attempt. Moments
are stored as integer microseconds since 1970 (UTC), taken from the ledger's clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ledger.adapters.audit_log import lock_chain
from ledger.adapters.store import ProjectionCursor
from ledger.domain.errors import DomainError

THROTTLE_LOCK = 0x6A78_0003  # PostgreSQL advisory lock key (beside the chained logs' in audit_log)
WINDOW = timedelta(minutes=1)
UNKNOWN_NAMES_MAX = 100_000  # names kept at most; beyond, those that failed longest ago are forgotten
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)


class TooManyAttempts(DomainError):
    code = "TOO_MANY_ATTEMPTS"
    status = 429
    message_zh = "登录尝试过于频繁，请稍后再试"
    message_en = "Too many sign-in attempts from this address; wait and retry"
    free_at: datetime  # when a slot frees (`too_many`)


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def moment_of(value: int) -> datetime:
    return EPOCH + value * MICROSECOND


def too_many(per_minute: int, free_at: datetime, now: datetime) -> TooManyAttempts:
    """The refusal, with the seconds until a slot frees (`free_at`: the oldest counted attempt
    leaves the window)."""
    retry = max(1, (free_at - now) // timedelta(seconds=1) + 1)
    error = TooManyAttempts(f"more than {per_minute} sign-in attempts a minute", f"登录尝试过于频繁，请{retry}秒后再试", retry_after_seconds=retry)
    error.free_at = free_at
    return error


def count_attempt(cursor: ProjectionCursor, address: str | None, now: datetime, per_minute: int) -> None:
    """Count a sign-in attempt from `address`; refuse it beyond `per_minute` in the last minute
    (a refused attempt is not counted, so waiting is enough)."""
    lock_chain(cursor, THROTTLE_LOCK)
    at, window = micros(now), WINDOW // MICROSECOND
    cursor.execute("DELETE FROM sign_in_attempts WHERE at <= ?", (at - window,))
    cursor.execute("SELECT COUNT(*) AS n, MIN(at) AS first FROM sign_in_attempts WHERE address = ?", (address or "-",))
    row = cursor.fetchone()
    if row["n"] >= per_minute:
        raise too_many(per_minute, moment_of(row["first"] + window), now)
    cursor.execute("INSERT INTO sign_in_attempts (address, at) VALUES (?, ?)", (address or "-", at))


def after_failure(failures: int, lockout_ran_out: bool, now: datetime, failures_to_lock: int, lock: timedelta) -> tuple[int, datetime | None]:
    """The lockout rule, one for an account and for a name no account has (else the two would
    answer differently, and tell real names from unknown ones): the consecutive failures after
    one more (counted again from one when a lockout has run out), and the end of the lockout
    that reaching `failures_to_lock` starts (None below it)."""
    failures = 1 if lockout_ran_out else failures + 1
    return failures, now + lock if failures >= failures_to_lock else None


def unknown_failure(cursor: ProjectionCursor, name: str, now: datetime, failures_to_lock: int, lock: timedelta) -> tuple[bool, datetime | None]:
    """A failed sign-in as `name`, which no account has: (it was locked out already, the end of
    its lockout or None). At `failures_to_lock` consecutive failures it is locked for `lock`; a
    lockout that has run out starts the count again, as an account's does."""
    lock_chain(cursor, THROTTLE_LOCK)
    at = micros(now)
    cursor.execute("SELECT failures, locked_until FROM unknown_logins WHERE name = ?", (name,))
    row = cursor.fetchone()
    failures, until = (0, None) if row is None else (row["failures"], row["locked_until"])
    if until is not None and until > at:
        return True, moment_of(until)
    failures, ends = after_failure(failures, until is not None, now, failures_to_lock, lock)
    until = None if ends is None else micros(ends)
    if row is not None:
        cursor.execute("UPDATE unknown_logins SET failures = ?, locked_until = ?, last_failed_at = ? WHERE name = ?", (failures, until, at, name))
        return False, ends
    cursor.execute("SELECT COUNT(*) AS n FROM unknown_logins")
    excess = cursor.fetchone()["n"] - UNKNOWN_NAMES_MAX + 1
    if excess > 0:  # the names failed longest ago make room
        cursor.execute(
            "DELETE FROM unknown_logins WHERE name IN (SELECT name FROM unknown_logins ORDER BY last_failed_at, name LIMIT ?)",
            (excess + UNKNOWN_NAMES_MAX // 100,),
        )  # fmt: skip
    cursor.execute("INSERT INTO unknown_logins (name, failures, locked_until, last_failed_at) VALUES (?, ?, ?, ?)", (name, failures, until, at))
    return False, ends
