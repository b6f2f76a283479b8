"""Configuration (配置): one settings object read from the environment (`JIXIAO_*`).

The service, the CLI, the migrations and the benchmarks all read their configuration here and
nowhere else, so a deployment has one list of knobs (README, Configuration).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/jixiao.db"


class Settings(BaseSettings):
    """`JIXIAO_DATABASE_URL`: the store (a SQLite file, or a PostgreSQL URL).
    `JIXIAO_TODAY`: fixes the bureau's "today" (tests and demos); unset, the date in Beijing.
    `JIXIAO_MAX_BODY_BYTES`: the largest request body the API reads (413 beyond it).
    `JIXIAO_CHAIN_KEY_FILE`, `JIXIAO_ANCHOR_FILE`: the chain key and the anchor file, kept outside
    the database (ledger/adapters/seal.py); unset, beside a SQLite store.
    `JIXIAO_SESSION_IDLE_MINUTES`, `JIXIAO_SESSION_ABSOLUTE_HOURS`, `JIXIAO_LOCKOUT_FAILURES`,
    `JIXIAO_LOCKOUT_MINUTES`, `JIXIAO_PASSWORD_MAX_AGE_DAYS`, `JIXIAO_PASSWORD_WARN_DAYS`,
    `JIXIAO_LOGIN_ATTEMPTS_PER_MINUTE`: sign-in (ledger/accounts/)."""

    model_config = SettingsConfigDict(env_prefix="JIXIAO_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    today: date | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    attachment_max_bytes: int = Field(default=10 * 1_048_576, ge=1024, le=64 * 1_048_576)  # one uploaded file (POST /attachments)
    bureau_name: str = Field(default="区工商局", min_length=1, max_length=40)  # printed on every form's title (e.g. "XX区工商局")
    # 安全审计: records are kept at least this long; the application deletes none (an archive
    # policy older than this is the operator's). Fewer than 180 days is refused at start.
    audit_retention_days: int = Field(default=180, ge=180)
    cors_origins: list[str] = []  # JIXIAO_CORS_ORIGINS='["https://…"]': browser origins allowed to call the API; none by default
    chain_key_file: Path | None = None
    anchor_file: Path | None = None
    # 身份鉴别 (docs/operations.md): sessions, lockout and passwords.
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)  # a session unused this long ends
    session_absolute_hours: int = Field(default=8, ge=1, le=72)  # and every session ends this long after sign-in
    lockout_failures: int = Field(default=5, ge=3, le=20)  # consecutive failed sign-ins that lock the account
    lockout_minutes: int = Field(default=10, ge=1, le=24 * 60)  # for this long (the administrator can unlock sooner)
    password_max_age_days: int = Field(default=90, ge=0, le=3650)  # 0: no maximum age
    password_warn_days: int = Field(default=14, ge=0, le=90)  # warn this many days before the password expires
    login_attempts_per_minute: int = Field(default=30, ge=1, le=1000)  # sign-in attempts from one client address (a shared NAT: raise it)
