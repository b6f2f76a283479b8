"""API tokens (接口令牌) for machine clients: issued by the system administrator to a user, shown
once, stored as a SHA-256, valid through an expiry date (Beijing) unless revoked, and sealed with
the chain key like the users they belong to (a row edited in the database stops working)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, select

from ledger.accounts.users import UserNotFound
from ledger.adapters.seal import ChainKey
from ledger.adapters.store import ProjectionCursor, Reader, fetch_one
from ledger.adapters.tables import api_tokens
from ledger.clock import Clock
from ledger.domain.errors import AlreadyExists, InvalidInput, NotFound

TOKEN_FIELDS = ("token_id", "token_sha256", "user_id", "label", "created_at", "created_by", "expires_on", "revoked_at", "revoked_by")
VALID_DAYS_MAX = 366
TOKEN_PREFIX = "jx_"  # an issued token (the demo's: jx_demo_…); a session token is random


class TokenNotFound(NotFound):
    code = "TOKEN_NOT_FOUND"
    message_zh = "接口令牌不存在"
    message_en = "No such API token"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mac(key: ChainKey, row: Any) -> str:
    return key.mac("api-token", *(row[f] for f in TOKEN_FIELDS))


def issue_token(cursor: ProjectionCursor, key: ChainKey, clock: Clock, admin: str, user_id: str, label: str, valid_days: int, secret: str | None = None) -> dict[str, Any]:
    """A new token for `user_id`, valid `valid_days` days from today (Beijing). The token itself
    is in the result only: it is stored as its SHA-256. `secret`: the token to issue (the demo
    derives its own from the chain key, to print at every start); otherwise a random one."""
    if not 1 <= valid_days <= VALID_DAYS_MAX:
        raise InvalidInput(f"valid_days is 1 to {VALID_DAYS_MAX}", f"有效天数应为1至{VALID_DAYS_MAX}天", field="valid_days")
    cursor.execute("SELECT 1 FROM users WHERE user_id = ?", (user_id,))
    if cursor.fetchone() is None:
        raise UserNotFound(f"no user {user_id!r}", f"用户不存在：{user_id!r}", user_id=user_id)
    token = secret or TOKEN_PREFIX + secrets.token_urlsafe(32)
    digest = token_hash(token)
    row = {
        "token_id": digest[:16], "token_sha256": digest, "user_id": user_id, "label": label, "created_at": clock.now_iso(),
        "created_by": admin, "expires_on": (clock.today() + timedelta(days=valid_days)).isoformat(), "revoked_at": None, "revoked_by": None,
    }  # fmt: skip
    cursor.execute(f"INSERT INTO api_tokens ({', '.join((*TOKEN_FIELDS, 'mac'))}) VALUES ({', '.join('?' * (len(TOKEN_FIELDS) + 1))})", (*row.values(), _mac(key, row)))
    return {**{k: row[k] for k in ("token_id", "user_id", "label", "expires_on")}, "token": token}


def revoke_token(cursor: ProjectionCursor, key: ChainKey, clock: Clock, admin: str, token_id: str) -> dict[str, Any]:
    cursor.execute(f"SELECT {', '.join(TOKEN_FIELDS)} FROM api_tokens WHERE token_id = ?", (token_id,))
    found = cursor.fetchone()
    if found is None:
        raise TokenNotFound(f"no token {token_id!r}", f"接口令牌不存在：{token_id!r}", token_id=token_id)
    row = {f: found[f] for f in TOKEN_FIELDS}
    if row["revoked_at"] is not None:
        raise AlreadyExists(f"token {token_id} was revoked at {row['revoked_at']}", f"接口令牌 {token_id} 已于 {row['revoked_at']} 吊销", token_id=token_id)
    row.update(revoked_at=clock.now_iso(), revoked_by=admin)
    cursor.execute("UPDATE api_tokens SET revoked_at = ?, revoked_by = ?, mac = ? WHERE token_id = ?", (row["revoked_at"], admin, _mac(key, row), token_id))
    return {"token_id": token_id, "revoked_at": row["revoked_at"]}


def list_tokens(engine: Engine, user_id: str | None = None) -> list[dict[str, Any]]:
    stmt = select(*[c for c in api_tokens.c if c.name not in ("token_sha256", "mac")]).order_by(api_tokens.c.created_at.desc())
    if user_id is not None:
        stmt = stmt.where(api_tokens.c.user_id == user_id)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt.limit(500))]


def user_of_token(engine: Engine | Reader, key: ChainKey, token: str, today: date) -> str | None:
    """The user an API token acts for: sealed, not revoked, not expired (valid through its date)."""
    row = fetch_one(engine, f"SELECT {', '.join(TOKEN_FIELDS)}, mac FROM api_tokens WHERE token_sha256 = ?", (token_hash(token),))
    if row is None:
        return None
    if not key.check(row["mac"], "api-token", *(row[f] for f in TOKEN_FIELDS)):
        return None
    if row["revoked_at"] is not None or today.isoformat() > row["expires_on"]:
        return None
    return str(row["user_id"])


def verify_tokens(engine: Engine, key: ChainKey) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            ("token_modified", f"API token {r.token_id} of {r.user_id} does not match its seal")
            for r in conn.execute(select(api_tokens).order_by(api_tokens.c.token_id))
            if not key.check(r.mac, "api-token", *(r._mapping[f] for f in TOKEN_FIELDS))
        ]
