"""The ledger's own tables (账本自有表): not projections, never rebuilt from events.

`event_chain` holds the hash-chain link of each stored event (R-AUDIT-1); `refusals` the refused
commands (R-ORG-4); `idempotency_keys` the results of commands sent with an `Idempotency-Key`;
`users` the API users. Alembic creates them beside the read models (`migrations/env.py` takes both
metadata objects).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()


users = Table(
    "users",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("person", String(32)),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    # HMAC of the row under the chain key (ledger/adapters/seal.py): a row edited or inserted in
    # the database directly does not authenticate and `jixiao verify` names it.
    Column("mac", String(64)),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    # API tokens for machine clients, issued by the system administrator to a user: shown once,
    # stored as a SHA-256, valid through `expires_on` (a Beijing date) unless revoked. The MAC
    # (chain key) covers the row, revocation included: a row edited in the database stops working.
    Column("token_id", String(16), primary_key=True),  # the first 16 hex digits of the hash: names the token
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("user_id", String(64), nullable=False),
    Column("label", String(100), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("expires_on", String(10), nullable=False),
    Column("revoked_at", String(40)),
    Column("revoked_by", String(64)),
    Column("mac", String(64), nullable=False),
)

refusals = Table(
    "refusals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("command", String(64), nullable=False),
    Column("code", String(64), nullable=False),
    Column("message", Text, nullable=False),
    # HMAC chaining each refusal to the one before it; the head is anchored outside the database.
    Column("mac", String(64)),
)

audit_log = Table(
    "audit_log",
    metadata,
    # 安全审计日志: one record for every command (accepted or refused) and every read of another
    # person's or unit's records; never updated or deleted by the application; chained with an
    # HMAC under the chain key and anchored outside the database (ledger/adapters/audit_log.py).
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),  # UTC, ISO 8601 (shown in Beijing time)
    Column("user_id", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("client", String(64)),  # the client's address, as the server saw it
    Column("action", String(100), nullable=False),  # command:<Name> | read:<route>
    Column("target", String(200)),
    Column("outcome", String(16), nullable=False),  # accepted | refused | read
    Column("code", String(64)),  # the refusal's code
    Column("position", BigInteger),  # the log position of an accepted command's last event
    Column("mac", String(64), nullable=False),
    # No secondary index: every command writes a record, the auditor's queries are rare, and
    # ids follow time (a time range is a scan from the newest end).
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("idem_key", String(200), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("position", BigInteger),
    Column("created_at", String(40), nullable=False),
)

event_chain = Table(
    "event_chain",
    metadata,
    # R-AUDIT-1: the hash-chain link of each stored event, written in the event's own
    # transaction (ledger.adapters.audit). Not a projection: never rebuilt, only verified.
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("digest", String(64), nullable=False),
    # The event's recorded time (UTC, ISO 8601): turns "as of a moment" into a log position.
    Column("recorded_at", String(40)),
    # HMAC(chain key, position ‖ digest): the public digest recomputed without the key is caught.
    Column("mac", String(64)),
    Index("ix_event_chain_recorded_at", "recorded_at"),
    sqlite_with_rowid=False,
)
