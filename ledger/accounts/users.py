"""Accounts (用户): a login name (登录名), a display name, a role, an optional roster person, a
status (active / locked / disabled) and an Argon2 password with the user's last hashes.

Rows are written in the transaction of their audit record (`accounts.Accounts`, through the
ledger's cursor) and sealed with an HMAC under the chain key over every column: a row inserted or
edited in the database directly (a user promoted, a password hash replaced, a lock lifted) does
not sign in and `jixiao verify` names it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

import orjson
from sqlalchemy import Engine, select

from ledger.adapters.seal import ChainKey
from ledger.adapters.store import ProjectionCursor, Reader, fetch_one
from ledger.adapters.tables import users
from ledger.domain.actors import Actor, Role
from ledger.domain.errors import AlreadyExists, InvalidInput, NotFound

log = logging.getLogger("jixiao.accounts")

FIELDS = (
    "user_id", "name", "role", "person", "status", "password_hash", "password_set_at", "must_change",
    "previous_hashes", "failed_logins", "locked_until", "created_at",
)  # fmt: skip
ACTIVE, LOCKED, DISABLED = "active", "locked", "disabled"
STATUS_ZH = {ACTIVE: "正常", LOCKED: "已锁定", DISABLED: "已停用"}
LOGIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,63}")
# A role that acts as a person on the roster (R-ORG-4): the account names that person.
PERSON_ROLES = frozenset({Role.ASSESSOR, Role.UNIT_HEAD, Role.STAFF})


@dataclass(frozen=True)
class StatusChange:
    """One of the administrator's status changes: the statuses it applies to, and the refusal
    otherwise."""

    action: str  # in the audit log
    to: str
    allowed: frozenset[str]
    refusal_en: str
    refusal_zh: str


STATUS_CHANGES = {
    "lock": StatusChange("admin:LockUser", LOCKED, frozenset({ACTIVE, LOCKED}), "a disabled account is not locked", "账户已停用，无需锁定"),
    "unlock": StatusChange("admin:UnlockUser", ACTIVE, frozenset({LOCKED}), "the account is not locked", "账户未锁定"),
    "disable": StatusChange("admin:DisableUser", DISABLED, frozenset({ACTIVE, LOCKED}), "the account is already disabled", "账户已停用"),
    "enable": StatusChange("admin:EnableUser", ACTIVE, frozenset({DISABLED}), "the account is not disabled", "账户未停用"),
}


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"
    message_zh = "用户不存在"
    message_en = "No such user"


class UserExists(AlreadyExists):
    code = "USER_EXISTS"
    message_zh = "登录名已被使用"
    message_en = "The login name is taken"


@dataclass(frozen=True)
class Account:
    user_id: str
    name: str
    role: Role
    person: str | None
    status: str
    password_hash: str | None
    password_set_at: str | None
    must_change: bool
    previous_hashes: tuple[str, ...]
    failed_logins: int
    locked_until: str | None
    created_at: str

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> "Account":
        return cls(
            user_id=row["user_id"], name=row["name"], role=Role(row["role"]), person=row["person"], status=row["status"],
            password_hash=row["password_hash"], password_set_at=row["password_set_at"], must_change=bool(row["must_change"]),
            previous_hashes=tuple(orjson.loads(row["previous_hashes"])), failed_logins=int(row["failed_logins"]),
            locked_until=row["locked_until"], created_at=row["created_at"],
        )  # fmt: skip

    def row(self) -> dict[str, Any]:
        """The stored form (the fields the seal covers, in order)."""
        return {
            "user_id": self.user_id, "name": self.name, "role": self.role.value, "person": self.person, "status": self.status,
            "password_hash": self.password_hash, "password_set_at": self.password_set_at, "must_change": int(self.must_change),
            "previous_hashes": orjson.dumps(list(self.previous_hashes)).decode(), "failed_logins": self.failed_logins,
            "locked_until": self.locked_until, "created_at": self.created_at,
        }  # fmt: skip

    def status_at(self, now: datetime) -> str:
        """The status now: a lockout whose time has passed is over (it is cleared at the next
        sign-in); an administrator's lock (no end) lasts until unlocked."""
        if self.status == LOCKED and self.locked_until is not None and datetime.fromisoformat(self.locked_until) <= now:
            return ACTIVE
        return self.status

    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, role=self.role, person=self.person)

    def public(self) -> dict[str, Any]:
        """What the administrator sees: never the hashes."""
        return {
            "user_id": self.user_id, "name": self.name, "role": self.role.value, "person": self.person, "status": self.status,
            "locked_until": self.locked_until, "must_change_password": self.must_change, "has_password": self.password_hash is not None,
            "password_set_at": self.password_set_at, "failed_logins": self.failed_logins, "created_at": self.created_at,
        }  # fmt: skip


def new_account(user_id: str, name: str, role: Role, person: str | None, created_at: str) -> Account:
    if not LOGIN_NAME.fullmatch(user_id):
        raise InvalidInput(
            f"a login name is 2-64 letters, digits, '.', '_' or '-': {user_id!r}",
            f"登录名应为2至64位字母、数字、“.”“_”或“-”：{user_id!r}", field="user_id",
        )  # fmt: skip
    check_person(role, person)
    return Account(user_id, name, Role(role), person, ACTIVE, None, None, False, (), 0, None, created_at)


def check_person(role: Role, person: str | None) -> None:
    if role in PERSON_ROLES and person is None:
        raise InvalidInput(f"a {role.value} acts as a person on the roster: give person", "该角色须关联名册中的人员", field="person")


def _mac(key: ChainKey, row: Mapping[str, Any]) -> str:
    return key.mac("account", *(row[f] for f in FIELDS))


def sealed(key: ChainKey, row: Mapping[str, Any]) -> bool:
    return key.check(row["mac"], "account", *(row[f] for f in FIELDS))


COLUMNS = ", ".join((*FIELDS, "mac"))
BY_ID = f"SELECT {COLUMNS} FROM users WHERE user_id = ?"
UNSEALED = "unsealed"  # migration 0010's mark on the rows it kept


def insert(cursor: ProjectionCursor, key: ChainKey, account: Account) -> None:
    cursor.execute("SELECT 1 FROM users WHERE user_id = ?", (account.user_id,))
    if cursor.fetchone() is not None:
        raise UserExists(f"login name {account.user_id!r} is taken", f"登录名已被使用：{account.user_id}", user_id=account.user_id)
    row = account.row()
    cursor.execute(f"INSERT INTO users ({COLUMNS}) VALUES ({', '.join('?' * (len(FIELDS) + 1))})", (*row.values(), _mac(key, row)))


def update(cursor: ProjectionCursor, key: ChainKey, account: Account) -> None:
    row = account.row()
    assignments = ", ".join(f"{f} = ?" for f in (*FIELDS[1:], "mac"))
    cursor.execute(f"UPDATE users SET {assignments} WHERE user_id = ?", (*list(row.values())[1:], _mac(key, row), account.user_id))


def load(cursor: ProjectionCursor, key: ChainKey, user_id: str) -> Account:
    """The account, read in the writing transaction; a row not matching its seal is not found."""
    cursor.execute(BY_ID, (user_id,))
    row = cursor.fetchone()
    if row is None or not sealed(key, row):
        if row is not None:
            log.warning("user %s does not match its seal: refused (run `jixiao verify`)", user_id)
        raise UserNotFound(f"no user {user_id!r}", f"用户不存在：{user_id!r}", user_id=user_id)
    return Account.of(row)


def find(engine: Engine | Reader, key: ChainKey, user_id: str) -> Account | None:
    """The account for a request (None: no such user, or a row that does not match its seal)."""
    row = fetch_one(engine, BY_ID, (user_id,))
    if row is None:
        return None
    if not sealed(key, row):
        log.warning("user %s does not match its seal: refused (run `jixiao verify`)", user_id)
        return None
    return Account.of(row)


def list_accounts(engine: Engine) -> list[Account]:
    with engine.connect() as conn:
        return [Account.of(r._mapping) for r in conn.execute(select(users).order_by(users.c.user_id))]


def seal_unsealed(cursor: ProjectionCursor, key: ChainKey) -> int:
    """At start-up: seal the rows migration 0010 kept from the bearer users of before (marked
    `UNSEALED`). Such a row is sealed only as a disabled account without a password, so a row
    inserted in the database with that mark never signs anyone in: the administrator resets its
    password and enables it, both audited."""
    cursor.execute(f"SELECT {COLUMNS} FROM users WHERE mac = ?", (UNSEALED,))
    rows = [dict(r) for r in cursor.fetchall()]
    for row in rows:
        account = replace(Account.of(row), status=DISABLED, password_hash=None, must_change=True, previous_hashes=(), failed_logins=0, locked_until=None)
        update(cursor, key, account)
    return len(rows)


def verify_users(engine: Engine, key: ChainKey) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            ("user_modified", f"user {r.user_id} ({r.role}) does not match its seal")
            for r in conn.execute(select(users).order_by(users.c.user_id))
            if not sealed(key, r._mapping)
        ]
