"""API users (用户) and their bearer tokens. Access configuration, not ledger facts: users are
kept in the `users` table, only a SHA-256 of each token is stored, and every row carries an HMAC
under the chain key (ledger/adapters/seal.py): a row inserted or edited in the database directly
(a user promoted to the leading group) does not authenticate, and `jixiao verify` names it."""

from __future__ import annotations

import logging
import secrets
from datetime import date
from typing import Any

from sqlalchemy import Engine, insert, select, update

from api.tokens import token_hash, user_of_token
from ledger.adapters.seal import ChainKey
from ledger.adapters.tables import users
from ledger.clock import Clock
from ledger.domain.actors import Actor, Role

log = logging.getLogger("jixiao.users")

USER_FIELDS = ("user_id", "name", "role", "person", "token_sha256", "created_at")


def _mac(key: ChainKey, row: Any) -> str:
    return key.mac("user", *(row[f] for f in USER_FIELDS))


def add_user(engine: Engine, clock: Clock, key: ChainKey, user_id: str, name: str, role: Role, person: str | None = None, token: str | None = None) -> str:
    """Create a user; returns the bearer token (shown once)."""
    token = token or secrets.token_urlsafe(24)
    row = {"user_id": user_id, "name": name, "role": Role(role).value, "person": person, "token_sha256": token_hash(token), "created_at": clock.now_iso()}
    with engine.begin() as conn:
        conn.execute(insert(users).values(**row, mac=_mac(key, row)))
    return token


def actor_for_token(engine: Engine, key: ChainKey, token: str, today: date | None = None) -> Actor | None:
    """The actor a bearer token stands for: a user's own token, or an API token issued to the user
    (api/tokens.py: sealed, not revoked, not expired on `today`)."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.token_sha256 == token_hash(token))).first()
        if row is None and today is not None:
            user_id = user_of_token(engine, key, token, today)
            row = None if user_id is None else conn.execute(select(users).where(users.c.user_id == user_id)).first()
    if row is None:
        return None
    if not key.check(row.mac, "user", *(row._mapping[f] for f in USER_FIELDS)):
        log.warning("user %s does not match its seal: refused (run `jixiao verify`)", row.user_id)
        return None
    return Actor(user_id=row.user_id, role=Role(row.role), person=row.person)


def list_users(engine: Engine) -> list[dict[str, str | None]]:
    with engine.connect() as conn:
        return [
            {"user_id": r.user_id, "name": r.name, "role": r.role, "person": r.person}
            for r in conn.execute(select(users).order_by(users.c.user_id))
        ]


def seal_users(engine: Engine, key: ChainKey) -> int:
    """Once, when the anchor file is created: seal the users created before rows were sealed."""
    with engine.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(users).where(users.c.mac.is_(None)))]
        for row in rows:
            conn.execute(update(users).where(users.c.user_id == row["user_id"]).values(mac=_mac(key, row)))
    return len(rows)


def verify_users(engine: Engine, key: ChainKey) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            ("user_modified", f"user {r.user_id} ({r.role}) does not match its seal")
            for r in conn.execute(select(users).order_by(users.c.user_id))
            if not key.check(r.mac, "user", *(r._mapping[f] for f in USER_FIELDS))
        ]
