"""The ledger's own tables (账本自有表): not projections, never rebuilt from events.

`event_chain` holds the hash-chain link of each stored event (R-AUDIT-1); `refusals` the refused
commands (R-ORG-4); `idempotency_keys` the results of commands sent with an `Idempotency-Key`;
`users` the accounts and `sessions` their sign-ins; `api_tokens` the tokens of machine clients;
`sign_in_attempts` and `unknown_logins` the sign-in throttle. Alembic creates them beside the read models (`migrations/env.py` takes both
metadata objects).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()


users = Table(
    "users",
    metadata,
    # Accounts (用户, ledger/accounts/users.py): a login name, a role, a status and an Argon2
    # password hash with the user's last hashes. The HMAC under the chain key (ledger/adapters/
    # seal.py) covers the whole row: a row inserted or edited in the database directly (a user
    # promoted to the leading group, a password replaced) does not sign in and `jixiao verify`
    # names it.
    Column("user_id", String(64), primary_key=True),  # the login name (登录名)
    Column("name", String(100), nullable=False),
    Column("role", String(32), nullable=False),
    Column("person", String(32)),
    Column("status", String(16), nullable=False),  # active | locked | disabled
    Column("password_hash", String(200)),  # None: no password set (API tokens only)
    Column("password_set_at", String(40)),  # UTC, ISO 8601
    Column("must_change", Integer, nullable=False),  # 1: set by the administrator, changed at first sign-in
    Column("previous_hashes", Text, nullable=False),  # JSON list, newest first: not one of the last 5
    Column("failed_logins", Integer, nullable=False),  # consecutive failed sign-ins
    Column("locked_until", String(40)),  # a lockout's end (UTC); None with status locked: until unlocked
    Column("created_at", String(40), nullable=False),
    Column("mac", String(64)),
)

sessions = Table(
    "sessions",
    metadata,
    # Server-side sign-in sessions (ledger/accounts/sessions.py): only the SHA-256 of the session
    # token is kept. A session ends at sign-out, after the idle timeout or the absolute lifetime,
    # and when its account is locked or disabled. The MAC covers who and when, so a row inserted in
    # the database does not sign anyone in.
    Column("session_sha256", String(64), primary_key=True),
    Column("session_id", String(16), nullable=False),  # the first 16 hex digits: names it in the audit log
    Column("user_id", String(64), nullable=False, index=True),
    Column("via", String(8), nullable=False),  # cookie (the browser) | bearer (an API client)
    Column("client", String(64)),
    Column("created_at", String(40), nullable=False),
    Column("last_seen_at", String(40), nullable=False),
    Column("ended_at", String(40)),
    Column("end_reason", String(32)),  # signed_out | locked | disabled | password_changed | ...
    Column("mac", String(64), nullable=False),
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

sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    # Sign-in attempts per client address in the last minute (ledger/accounts/throttle.py), in
    # the store so that every server process counts alike; older rows are deleted as they pass.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("address", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),  # microseconds since 1970, UTC
    Index("ix_sign_in_attempts_address", "address", "at"),
    Index("ix_sign_in_attempts_at", "at"),
)

unknown_logins = Table(
    "unknown_logins",
    metadata,
    # Failed sign-ins as login names no account has (or disabled, or without a password), locked
    # out as an account would be (ledger/accounts/throttle.py); kept as an account's count is,
    # beyond 100,000 names those that failed longest ago forgotten.
    Column("name", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", BigInteger),  # microseconds since 1970, UTC
    Column("last_failed_at", BigInteger, nullable=False, index=True),  # microseconds since 1970, UTC
)

attachments = Table(
    "attachments",
    metadata,
    # Files behind a deduction's basis or a bonus claim's evidence (附件), uploaded through the API
    # (ledger/adapters/attachments.py). A command names a file by its reference `<sha256>:<name>`;
    # the content is checked against its SHA-256 when read, and the MAC seals who uploaded what.
    Column("sha256", String(64), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", String(40), nullable=False),
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
