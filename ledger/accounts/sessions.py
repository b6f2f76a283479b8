"""Sign-in sessions (会话): server-side, so signing out or locking an account ends them at once.

A session token is 32 random bytes; only its SHA-256 is stored. The browser holds it in an
HttpOnly cookie, an API client as a bearer. A session is valid until it is ended (sign-out, the
account locked or disabled, the password changed), or until the idle timeout (no request for 30
minutes) or the absolute lifetime (8 hours after sign-in) passes — both settings. The CSRF token
of a cookie session is an HMAC of its token under the chain key: nothing more to store, and only
the service can make one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update

from ledger.adapters.seal import ChainKey
from ledger.adapters.store import ProjectionCursor, Reader, fetch_one
from ledger.adapters.tables import sessions

COOKIE, BEARER = "cookie", "bearer"
TOUCH_EVERY = timedelta(seconds=60)  # last_seen is written at most once a minute per session


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mac(key: ChainKey, sha: str, user_id: str, via: str, created_at: str) -> str:
    return key.mac("session", sha, user_id, via, created_at)


def csrf_token(key: ChainKey, token: str) -> str:
    return key.mac("csrf", digest(token))


def csrf_ok(key: ChainKey, token: str, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(csrf_token(key, token), sent or "")


@dataclass(frozen=True)
class Session:
    session_id: str
    sha: str
    user_id: str
    via: str
    created_at: datetime
    last_seen_at: datetime

    def ends_at(self, idle: timedelta, absolute: timedelta) -> datetime:
        return min(self.last_seen_at + idle, self.created_at + absolute)


def open_session(cursor: ProjectionCursor, key: ChainKey, user_id: str, via: str, client: str | None, now: datetime) -> tuple[str, str]:
    """A new session; returns (token, session id). The token is in the result only."""
    token = secrets.token_urlsafe(32)
    sha = digest(token)
    at = now.isoformat()
    cursor.execute(
        "INSERT INTO sessions (session_sha256, session_id, user_id, via, client, created_at, last_seen_at, ended_at, end_reason, mac)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
        (sha, sha[:16], user_id, via, client, at, at, _mac(key, sha, user_id, via, at)),
    )
    return token, sha[:16]


def find_session(engine: Engine | Reader, key: ChainKey, token: str, now: datetime, idle: timedelta, absolute: timedelta) -> Session | None:
    """The live session of a token: stored, sealed, not ended, within both timeouts. A read only:
    its last use, which the idle timeout counts from, is written by `touch` when `touch_due`."""
    sha = digest(token)
    row = fetch_one(engine, "SELECT session_id, user_id, via, created_at, last_seen_at, ended_at, mac FROM sessions WHERE session_sha256 = ?", (sha,))
    if row is None or row["ended_at"] is not None or not key.check(row["mac"], "session", sha, row["user_id"], row["via"], row["created_at"]):
        return None
    found = Session(row["session_id"], sha, row["user_id"], row["via"], datetime.fromisoformat(row["created_at"]), datetime.fromisoformat(row["last_seen_at"]))
    if now >= found.ends_at(idle, absolute):
        return None
    return found


def touch_due(session: Session, now: datetime) -> bool:
    """Whether the session's last use is to be written now (at most once a minute)."""
    return now - session.last_seen_at >= TOUCH_EVERY


def touch(engine: Engine, session: Session, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(sessions).where(sessions.c.session_sha256 == session.sha, sessions.c.ended_at.is_(None)).values(last_seen_at=now.isoformat()))


def end_session(cursor: ProjectionCursor, sha: str, reason: str, now: datetime) -> int:
    cursor.execute("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE session_sha256 = ? AND ended_at IS NULL", (now.isoformat(), reason, sha))
    return cursor.rowcount


def end_sessions_of(cursor: ProjectionCursor, user_id: str, reason: str, now: datetime, keep: str | None = None) -> int:
    """End every open session of a user (but `keep`, the one asking); returns how many."""
    cursor.execute(
        "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_id = ? AND ended_at IS NULL AND session_sha256 <> ?",
        (now.isoformat(), reason, user_id, keep or ""),
    )
    return cursor.rowcount


def end_expired(cursor: ProjectionCursor, user_id: str, now: datetime, idle: timedelta, absolute: timedelta) -> int:
    """Mark the user's sessions that timed out as ended (at each sign-in), so open rows stay few."""
    cursor.execute(
        "UPDATE sessions SET ended_at = ?, end_reason = 'expired' WHERE user_id = ? AND ended_at IS NULL AND (last_seen_at <= ? OR created_at <= ?)",
        (now.isoformat(), user_id, (now - idle).isoformat(), (now - absolute).isoformat()),
    )
    return cursor.rowcount


def verify_sessions(engine: Engine, key: ChainKey) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            ("session_modified", f"session {r.session_id} of {r.user_id} does not match its seal")
            for r in conn.execute(select(sessions).where(sessions.c.ended_at.is_(None)).order_by(sessions.c.created_at))
            if not key.check(r.mac, "session", r.session_sha256, r.user_id, r.via, r.created_at)
        ]


def open_sessions(engine: Engine, user_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        stmt = select(sessions.c.session_id, sessions.c.via, sessions.c.client, sessions.c.created_at, sessions.c.last_seen_at)
        return [dict(r._mapping) for r in conn.execute(stmt.where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None)))]
