"""API users (用户) and their bearer tokens. Access configuration, not ledger facts: users are
kept in the `users` table, and only a SHA-256 of each token is stored."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Engine, insert, select

from ledger.clock import Clock
from ledger.domain.actors import Actor, Role
from ledger.adapters.tables import users


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(engine: Engine, clock: Clock, user_id: str, name: str, role: Role, person: str | None = None, token: str | None = None) -> str:
    """Create a user; returns the bearer token (shown once)."""
    token = token or secrets.token_urlsafe(24)
    with engine.begin() as conn:
        conn.execute(
            insert(users).values(
                user_id=user_id, name=name, role=Role(role).value, person=person, token_sha256=token_hash(token),
                created_at=clock.now_iso(),
            )
        )  # fmt: skip
    return token


def actor_for_token(engine: Engine, token: str) -> Actor | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.token_sha256 == token_hash(token))).first()
    if row is None:
        return None
    return Actor(user_id=row.user_id, role=Role(row.role), person=row.person)


def list_users(engine: Engine) -> list[dict[str, str | None]]:
    with engine.connect() as conn:
        return [
            {"user_id": r.user_id, "name": r.name, "role": r.role, "person": r.person}
            for r in conn.execute(select(users).order_by(users.c.user_id))
        ]
