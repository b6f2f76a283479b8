"""The demo bureau's accounts (演示账户): one per role, for trying the product — DEMO ONLY.

Their passwords and API tokens are derived from this store's chain key, so they are not guessable
from the source, and `jixiao run` can print them again at every start (a password or token that
was changed or revoked is not printed). They need no password change at first sign-in. A service
serving demo accounts on an address other than loopback warns at start (api/cli.py).
"""

from __future__ import annotations

from typing import NamedTuple

from ledger.accounts import passwords
from ledger.accounts.accounts import Accounts
from ledger.accounts.tokens import TOKEN_PREFIX, user_of_token
from ledger.accounts.users import ACTIVE, list_accounts
from ledger.demo.bureau import DemoBureau, demo_users
from ledger.domain.actors import Actor, Role

DEMO_PREFIX = "demo-"
DEMO_ADMIN = Actor(user_id="jixiao-demo", role=Role.SYSTEM_ADMIN)  # who creates them, in the audit log
TOKEN_DAYS = 366


class Credentials(NamedTuple):
    user_id: str
    name: str
    role: Role
    person: str | None
    password: str | None  # None: changed since the demo was built
    token: str | None  # None: revoked or expired


def demo_password(accounts: Accounts, user_id: str) -> str:
    return f"Demo#{accounts.key.mac('demo-password', user_id)[:8]}9"  # upper, lower, symbol, digit


def demo_token(accounts: Accounts, user_id: str) -> str:
    return f"{TOKEN_PREFIX}demo_{accounts.key.mac('demo-token', user_id)[:32]}"


def create_demo_accounts(accounts: Accounts, bureau: DemoBureau) -> None:
    for user_id, name, role, person in demo_users(bureau):
        accounts.create(DEMO_ADMIN, None, user_id, name, role, person, initial_password=demo_password(accounts, user_id), must_change=False)
        accounts.issue_token(DEMO_ADMIN, None, user_id, "演示令牌（仅供演示）", TOKEN_DAYS, secret=demo_token(accounts, user_id))


def demo_credentials(accounts: Accounts) -> list[Credentials]:
    """The demo accounts still active, with the password and token each still has."""
    found = []
    for account in list_accounts(accounts.engine):
        if not account.user_id.startswith(DEMO_PREFIX) or account.status != ACTIVE:
            continue
        password = demo_password(accounts, account.user_id)
        token = demo_token(accounts, account.user_id)
        found.append(Credentials(
            account.user_id, account.name, account.role, account.person,
            password if passwords.verify(password, account.password_hash) else None,
            token if user_of_token(accounts.engine, accounts.key, token, accounts.clock.today()) == account.user_id else None,
        ))  # fmt: skip
    return found
