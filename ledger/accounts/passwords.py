"""The password policy (口令策略) and the hasher, for 身份鉴别 (等保 2.0 level 2).

A password is at least 8 characters and holds three of the four classes upper case, lower case,
digit and symbol; it is not the login name (nor holds it, in any case); it is none of the user's
last 5 passwords. A password set by the administrator (initial or reset) must be changed at the
first sign-in, and a password older than the maximum age (default 90 days) must be changed too,
with a warning in the days before.

Hashes are Argon2id through pwdlib (argon2-cffi underneath), never hand-rolled: a hash carries its
own salt and parameters, so stronger parameters later still verify the old hashes.
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime, timedelta
from typing import Iterable

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from ledger.domain.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 128  # Argon2 takes any length; a bound keeps one request from costing seconds
CLASSES_REQUIRED = 3
HISTORY = 5  # not one of the user's last 5 passwords

HASHER = PasswordHash((Argon2Hasher(),))


class PasswordRejected(InvalidInput):
    code = "PASSWORD_POLICY"
    message_zh = "新密码不符合密码策略"
    message_en = "The new password does not meet the password policy"


class PasswordReused(PasswordRejected):
    code = "PASSWORD_REUSED"
    message_zh = "新密码不能与最近5次使用过的密码相同"
    message_en = "The new password is one of the last 5"


def classes(password: str) -> int:
    """How many of upper case, lower case, digit and symbol the password holds."""
    has = (
        any(ch.isupper() for ch in password),
        any(ch.islower() for ch in password),
        any(ch.isdigit() for ch in password),
        any(not ch.isalnum() for ch in password),
    )
    return sum(has)


def check_policy(password: str, login: str) -> None:
    """The rules a password can be checked against on its own (the history needs the hashes)."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(
            f"at least {MIN_LENGTH} characters", f"密码长度至少{MIN_LENGTH}位", field="new_password", rule="length"
        )
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"at most {MAX_LENGTH} characters", f"密码长度不能超过{MAX_LENGTH}位", field="new_password", rule="length")
    if any(ch.isspace() or not ch.isprintable() for ch in password):
        raise PasswordRejected("no spaces or control characters", "密码不能包含空格或控制字符", field="new_password", rule="characters")
    if classes(password) < CLASSES_REQUIRED:
        raise PasswordRejected(
            "three of: upper case, lower case, digit, symbol",
            "密码须包含大写字母、小写字母、数字、符号中的至少三类",
            field="new_password", rule="classes",
        )  # fmt: skip
    if login and login.casefold() in password.casefold():
        raise PasswordRejected("the password holds the login name", "密码不能包含登录名", field="new_password", rule="login_name")


def check_not_reused(password: str, previous_hashes: Iterable[str]) -> None:
    for previous in previous_hashes:
        if verify(password, previous):
            raise PasswordReused(f"one of the last {HISTORY} passwords", field="new_password", rule="history")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        return False
    try:
        return HASHER.verify(password, password_hash)
    except Exception:  # a malformed stored hash verifies nothing
        return False


DUMMY_HASH = hash_password(secrets.token_urlsafe(16))  # an unknown name costs as much as a known one


def spend_like_verify(password: str) -> None:
    """Take as long as a real check, so timing does not tell an unknown name from a known one."""
    verify(password, DUMMY_HASH)


def generate(login: str = "") -> str:
    """An initial or reset password that meets the policy (the user changes it at first sign-in)."""
    alphabet = string.ascii_letters + string.digits + "!@#%+=?"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(14))
        if classes(candidate) == 4 and (not login or login.casefold() not in candidate.casefold()):
            return candidate


def expires_at(set_at: datetime, max_age_days: int) -> datetime | None:
    """When a password set at `set_at` must be changed (None: no maximum age)."""
    return None if max_age_days <= 0 else set_at + timedelta(days=max_age_days)
