"""`Accounts`: sign-in, sign-out, password change, lockout, and the system administrator's actions
on accounts and API tokens. Every change is written with its audit record in one transaction
(`Ledger.write_access`); every refusal leaves one audit record with its code.

    sign-in       the name and password checked; 5 consecutive failures (a setting) lock the
                  account for 10 minutes (a setting); every failure is answered alike, whether
                  the name exists or not (an unknown name is even locked out alike); attempts
                  per client address are limited (ledger/accounts/throttle.py)
    session       idle and absolute timeouts; an initial, reset or expired password allows only
                  the password change until it is changed
    administrator creates accounts (with a one-time initial password), locks, unlocks, disables,
                  enables, changes roles, resets passwords, issues and revokes API tokens; never
                  on the administrator's own account
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator

from sqlalchemy import Engine

from ledger.accounts import passwords, sessions, throttle, tokens, users
from ledger.accounts.users import ACTIVE, DISABLED, LOCKED, Account
from ledger.adapters.audit_log import ACCEPTED, REFUSED, AuditRecord
from ledger.adapters.seal import ChainKey
from ledger.adapters.store import ProjectionCursor, Reader
from ledger.clock import BEIJING, Clock
from ledger.domain.actors import Actor, Role
from ledger.domain.errors import Conflict, DomainError, Forbidden, PersonNotFound
from ledger.settings import Settings

class LoginFailed(DomainError):
    code = "LOGIN_FAILED"
    status = 401
    message_zh = "登录名或密码错误"
    message_en = "Wrong login name or password"


class AccountLocked(DomainError):
    code = "ACCOUNT_LOCKED"
    status = 403
    message_zh = "账户已锁定"
    message_en = "The account is locked"


class PasswordChangeRequired(Forbidden):
    code = "PASSWORD_CHANGE_REQUIRED"
    message_zh = "请先修改密码（初始密码、重置密码或已过期的密码须修改后才能使用系统）"
    message_en = "Change the password first: an initial, reset or expired password allows nothing else"


class WrongPassword(Forbidden):
    code = "WRONG_PASSWORD"
    message_zh = "当前密码不正确"
    message_en = "The current password is wrong"


class SelfAdministration(Forbidden):
    code = "SELF_ADMINISTRATION"
    message_zh = "不能对本人的账户执行此操作"
    message_en = "An administrator does not do this to their own account"


class AccountStateInvalid(Conflict):
    code = "ACCOUNT_STATE_INVALID"
    message_zh = "账户当前状态不允许该操作"
    message_en = "The account's status does not allow this"


class NotASession(Conflict):
    code = "NOT_A_SESSION"
    message_zh = "接口令牌不是登录会话，无法退出；请由系统管理员吊销"
    message_en = "An API token is not a session: the administrator revokes it"


REFUSED_ADDRESSES_MAX = 10_000  # addresses refused from memory at most (then forgotten, and asked of the store again)


def _same_passwords(a: Account, b: Account) -> bool:
    return (a.password_hash, a.previous_hashes) == (b.password_hash, b.previous_hashes)


def _hash_if_acceptable(password: str | None, login: str) -> str | None:
    """The hash of a password the policy accepts (a refused one is refused in its command's turn)."""
    if password is None:
        return None
    try:
        passwords.check_policy(password, login)
    except DomainError:
        return None
    return passwords.hash_password(password)


def beijing(moment: datetime | str | None) -> str | None:
    if moment is None:
        return None
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def locked(until: str | None) -> AccountLocked:
    if until is None:
        return AccountLocked("locked by the administrator", "账户已被系统管理员锁定，请联系系统管理员解锁", locked_until=None)
    return AccountLocked(
        f"locked until {until} after repeated failed sign-ins", f"连续登录失败次数过多，账户已锁定，请于 {beijing(until)}（北京时间）后重试",
        locked_until=until, retry_at_beijing=beijing(until),
    )  # fmt: skip


@dataclass(frozen=True)
class Principal:
    """Who a request acts as, and how they proved it."""

    account: Account
    via: str  # cookie | bearer (a session) | api_token
    session: sessions.Session | None = None
    must_change_password: bool = False
    password_expires_at: datetime | None = None
    session_ends_at: datetime | None = None
    touch_at: datetime | None = None  # the session's last use to write (`Accounts.touch`), when due

    @property
    def actor(self) -> Actor:
        return self.account.actor()


class Accounts:
    def __init__(self, engine: Engine, ledger: Any, key: ChainKey, settings: Settings, person_exists: Callable[[str], bool]) -> None:
        self.engine = engine
        self.ledger = ledger  # ledger.application.ledger.Ledger: write_access, audit_record, clock
        self.key = key
        self.settings = settings
        self.person_exists = person_exists
        self._refused: dict[str, datetime] = {}  # client address -> refused until (`_count_attempt`)

    # -- settings ---------------------------------------------------------------------------

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.settings.session_idle_minutes)

    @property
    def absolute(self) -> timedelta:
        return timedelta(hours=self.settings.session_absolute_hours)

    @property
    def clock(self) -> Clock:
        """The ledger's clock: tests that move it move sessions and lockouts too."""
        return self.ledger.clock  # type: ignore[no-any-return]

    def now(self) -> datetime:
        return self.clock.now()

    # -- audit ------------------------------------------------------------------------------

    def _record(self, user_id: str, role: str, client: str | None, action: str, target: str | None, outcome: str, code: str | None = None) -> AuditRecord:
        return AuditRecord(at=self.now().isoformat(), user_id=user_id, role=role, client=client, action=action, target=target, outcome=outcome, code=code)

    @contextmanager
    def _refusal_recorded(self, who: Actor, client: str | None, action: str, target: str | None) -> Iterator[None]:
        """A refusal raised in the block is recorded with its code, then raised."""
        try:
            yield
        except DomainError as error:
            self.ledger.audit_record(self._record(who.user_id, who.role.value, client, action, target, REFUSED, error.code))
            raise

    def _audited(self, who: Actor, client: str | None, action: str, target: str | None, change: Callable[[ProjectionCursor], Any]) -> Any:
        """`change` and its accepted record in one transaction; a refusal recorded with its code."""
        with self._refusal_recorded(who, client, action, target):
            return self.ledger.write_access(lambda cursor: (change(cursor), [self._record(who.user_id, who.role.value, client, action, target, ACCEPTED)]))

    def refused(self, who: Actor, client: str | None, action: str, code: str) -> None:
        """A request refused before it reached a command (a missing CSRF token)."""
        self.ledger.audit_record(self._record(who.user_id, who.role.value, client, action, None, REFUSED, code))

    # -- who a request is ---------------------------------------------------------------------

    def by_session(self, token: str, via: str, read: Reader | None = None) -> Principal | None:
        """The principal of a session token. Only reads: when its last use is due to be written
        (`Principal.touch_at`) the caller calls `touch` (api/auth.py reads on the event loop and
        writes in the thread pool). `read`: an open reader (else a connection of its own)."""
        now = self.now()
        source = read or self.engine
        session = sessions.find_session(source, self.key, token, now, self.idle, self.absolute)
        if session is None or session.via != via:
            return None
        account = users.find(source, self.key, session.user_id)
        if account is None or account.status_at(now) != ACTIVE:
            return None
        expires = None if account.password_set_at is None else passwords.expires_at(datetime.fromisoformat(account.password_set_at), self.settings.password_max_age_days)
        must = account.must_change or (expires is not None and now >= expires)
        return Principal(account, via, session, must, expires, session.ends_at(self.idle, self.absolute), now if sessions.touch_due(session, now) else None)

    def by_api_token(self, token: str, read: Reader | None = None) -> Principal | None:
        source = read or self.engine
        user_id = tokens.user_of_token(source, self.key, token, self.clock.today())
        account = None if user_id is None else users.find(source, self.key, user_id)
        if account is None or account.status_at(self.now()) != ACTIVE:
            return None
        return Principal(account, "api_token")

    def by_bearer(self, token: str) -> Principal | None:
        """A bearer is a session signed in by an API client, or an issued API token. Issued tokens
        start with `jx_` (tokens.TOKEN_PREFIX), so one is looked up as a token first; a session
        token is random and could start so too, and is then still found, second."""
        with Reader(self.engine) as read:
            if token.startswith(tokens.TOKEN_PREFIX):
                return self.by_api_token(token, read) or self.by_session(token, sessions.BEARER, read)
            return self.by_session(token, sessions.BEARER, read) or self.by_api_token(token, read)

    def touch(self, principal: Principal) -> None:
        """Write the session's last use when it is due (at most once a minute)."""
        if principal.session is not None and principal.touch_at is not None:
            with self.ledger.writing():  # several processes: each writer in turn (ledger.adapters.store: WriteLock)
                sessions.touch(self.engine, principal.session, principal.touch_at)

    # -- signing in and out -------------------------------------------------------------------

    def sign_in(self, login: str, password: str, client: str | None, via: str) -> tuple[Principal, str]:
        """A new session for the right name and password; returns it and its token. Every failure
        is the same LOGIN_FAILED whether the name exists or not, but for a locked account.
        Attempts from one client address are limited first (TOO_MANY_ATTEMPTS)."""
        now = self.now()
        self._count_attempt(client, now)
        account = users.find(self.engine, self.key, login)
        if account is None:
            self._ghost_failure(login, password, client, now)
        assert account is not None
        status = account.status_at(now)
        if status == LOCKED:
            self.ledger.audit_record(self._record(login, account.role.value, client, "auth:SignIn", login, REFUSED, AccountLocked.code))
            raise locked(account.locked_until)
        if status == DISABLED or account.password_hash is None:  # answered as a name no account has, lockout included
            self._ghost_failure(login, password, client, now, account.role.value, "ACCOUNT_DISABLED" if status == DISABLED else "NO_PASSWORD")
        if not passwords.verify(password, account.password_hash):
            self._failure(account, client, "auth:SignIn", LoginFailed())
        return self._open(login, client, via, now)

    def _open(self, login: str, client: str | None, via: str, now: datetime) -> tuple[Principal, str]:
        def change(cursor: ProjectionCursor) -> tuple[tuple[str, str], list[AuditRecord]]:
            account = users.load(cursor, self.key, login)
            if account.failed_logins or account.status == LOCKED:  # a lockout that has run out
                users.update(cursor, self.key, replace(account, status=ACTIVE, failed_logins=0, locked_until=None))
            sessions.end_expired(cursor, login, now, self.idle, self.absolute)
            token, session_id = sessions.open_session(cursor, self.key, login, via, client, now)
            return (token, session_id), [self._record(login, account.role.value, client, "auth:SignIn", f"session:{session_id}", ACCEPTED)]

        token, _ = self.ledger.write_access(change)
        principal = self.by_session(token, via)
        assert principal is not None
        return principal, token

    def _failure(self, account: Account, client: str | None, action: str, refusal: DomainError) -> None:
        """A wrong password: counted, and the account locked at the limit. Raises `refusal`, or
        ACCOUNT_LOCKED at the limit."""
        now = self.now()

        def change(cursor: ProjectionCursor) -> tuple[Account, list[AuditRecord]]:
            current = users.load(cursor, self.key, account.user_id)
            lock = timedelta(minutes=self.settings.lockout_minutes)
            failures, until = throttle.after_failure(current.failed_logins, current.status_at(now) != current.status, now, self.settings.lockout_failures, lock)
            records = [self._record(current.user_id, current.role.value, client, action, current.user_id, REFUSED, refusal.code)]
            if until is not None:
                current = replace(current, status=LOCKED, failed_logins=failures, locked_until=until.isoformat())
                ended = sessions.end_sessions_of(cursor, current.user_id, "locked", now)
                records.append(self._record("system", "-", client, "auth:Lockout", current.user_id, ACCEPTED, f"{failures} failures, {ended} sessions ended"))
            else:
                current = replace(current, status=ACTIVE if current.status == LOCKED else current.status, failed_logins=failures, locked_until=None)
            users.update(cursor, self.key, current)
            return current, records

        after = self.ledger.write_access(change)
        if after.status == LOCKED:
            raise locked(after.locked_until)
        raise refusal

    def _count_attempt(self, client: str | None, now: datetime) -> None:
        """TOO_MANY_ATTEMPTS past the limit per client address (counted in the store, alike in
        every process). An address refused here is refused from memory until its oldest counted
        attempt leaves the window (no slot frees sooner), so a flood takes no write lock."""
        refused = self._refused.get(client or "-")
        if refused is not None and refused > now:
            raise throttle.too_many(self.settings.login_attempts_per_minute, refused, now)
        try:
            self.ledger.write_access(lambda cursor: (throttle.count_attempt(cursor, client, now, self.settings.login_attempts_per_minute), []))
        except throttle.TooManyAttempts as error:
            if len(self._refused) >= REFUSED_ADDRESSES_MAX:
                self._refused.clear()
            self._refused[client or "-"] = error.free_at
            raise

    def _ghost_failure(self, login: str, password: str, client: str | None, now: datetime, role: str = "-", code: str = LoginFailed.code) -> None:
        """A name no account has (or a disabled one, or one without a password): answered exactly
        as a wrong password is, lockout included (counted in the store, alike in every process:
        ledger/accounts/throttle.py), and in as much time: the password is checked against a
        dummy hash unless the name is locked out, as a locked account's is not checked."""
        name = login[:64]
        lock = timedelta(minutes=self.settings.lockout_minutes)

        def change(cursor: ProjectionCursor) -> tuple[tuple[bool, datetime | None], list[AuditRecord]]:
            already, until = throttle.unknown_failure(cursor, name, now, self.settings.lockout_failures, lock)
            return (already, until), [self._record(name, role, client, "auth:SignIn", name, REFUSED, AccountLocked.code if already else code)]

        already, until = self.ledger.write_access(change)
        if not already:
            passwords.spend_like_verify(password)
        if until is not None:
            raise locked(until.isoformat())
        raise LoginFailed()

    def sign_out(self, principal: Principal, client: str | None) -> None:
        session = principal.session
        if session is None:
            raise NotASession()
        now = self.now()
        self._audited(principal.actor, client, "auth:SignOut", f"session:{session.session_id}", lambda cursor: sessions.end_session(cursor, session.sha, "signed_out", now))

    def change_password(self, principal: Principal, client: str | None, current: str, new: str) -> Principal:
        """The user's own password: the current one proven, the new one by the policy and not one
        of the last 5; the user's other sessions end."""
        account = principal.account
        # Argon2 (the current password, the new hash and the checks against the last 5, ~0.1 s
        # each) before the store's write lock, which every other writer, in every process, waits for.
        before = users.find(self.engine, self.key, account.user_id) or account  # as stored now, not as signed in
        if not passwords.verify(current, before.password_hash):
            self._failure(before, client, "auth:ChangePassword", WrongPassword(field="current_password"))
        now = self.now()
        keep = None if principal.session is None else principal.session.sha
        with self._refusal_recorded(principal.actor, client, "auth:ChangePassword", account.user_id):
            prepared = self._new_password(new, before)

        def change(cursor: ProjectionCursor) -> None:
            stored = users.load(cursor, self.key, account.user_id)
            if _same_passwords(stored, before):
                history, new_hash = prepared
            else:  # changed or reset meanwhile: checked again, under the lock
                if not passwords.verify(current, stored.password_hash):
                    raise WrongPassword(field="current_password")
                history, new_hash = self._new_password(new, stored)
            users.update(cursor, self.key, replace(
                stored, password_hash=new_hash, password_set_at=now.isoformat(), must_change=False,
                previous_hashes=history[: passwords.HISTORY - 1], failed_logins=0,
            ))  # fmt: skip
            sessions.end_sessions_of(cursor, stored.user_id, "password_changed", now, keep=keep)

        self._audited(principal.actor, client, "auth:ChangePassword", account.user_id, change)
        if principal.session is None:
            return principal
        renewed = users.find(self.engine, self.key, account.user_id)
        assert renewed is not None
        expires = passwords.expires_at(now, self.settings.password_max_age_days)
        return replace(principal, account=renewed, must_change_password=False, password_expires_at=expires)

    @staticmethod
    def _new_password(new: str, account: Account) -> tuple[tuple[str, ...], str]:
        """The policy and the last 5 checked against `new`: the history to keep and the new hash."""
        passwords.check_policy(new, account.user_id)
        history = tuple(h for h in (account.password_hash, *account.previous_hashes) if h)[: passwords.HISTORY]
        passwords.check_not_reused(new, history)
        return history, passwords.hash_password(new)

    # -- the administrator ----------------------------------------------------------------------

    def _check_person(self, role: Role, person: str | None) -> None:
        users.check_person(role, person)
        if person is not None and not self.person_exists(person):
            raise PersonNotFound(f"{person!r} is not on the roster", f"人员不在名册中：{person}", person=person)

    def create(
        self, admin: Actor, client: str | None, user_id: str, name: str, role: Role, person: str | None = None,
        *, initial_password: str | None, must_change: bool = True,
    ) -> Account:  # fmt: skip
        """A new active account. `initial_password` None: none (API tokens only, until reset)."""
        now = self.now()
        password_hash = _hash_if_acceptable(initial_password, user_id)  # Argon2 before the store's write lock

        def change(cursor: ProjectionCursor) -> Account:
            account = users.new_account(user_id, name, role, person, now.isoformat())
            self._check_person(account.role, person)
            if initial_password is not None:
                passwords.check_policy(initial_password, user_id)  # refused here, in its turn
                account = replace(account, password_hash=password_hash, password_set_at=now.isoformat(), must_change=must_change)
            users.insert(cursor, self.key, account)
            return account

        return self._audited(admin, client, "admin:CreateUser", f"{user_id}:{Role(role).value}", change)

    def create_with_initial_password(self, admin: Actor, client: str | None, user_id: str, name: str, role: Role, person: str | None = None) -> tuple[Account, str]:
        """A new account with a one-time password the user changes at first sign-in; returns both
        (the password is shown once and kept only as its hash)."""
        password = passwords.generate(user_id)
        return self.create(admin, client, user_id, name, role, person, initial_password=password), password

    def _change(self, admin: Actor, client: str | None, action: str, user_id: str, alter: Callable[[ProjectionCursor, Account, datetime], Account], target: str | None = None) -> Account:
        now = self.now()

        def change(cursor: ProjectionCursor) -> Account:
            if user_id == admin.user_id:
                raise SelfAdministration(f"{action} on one's own account", user_id=user_id)
            after = alter(cursor, users.load(cursor, self.key, user_id), now)
            users.update(cursor, self.key, after)
            return after

        return self._audited(admin, client, action, target or user_id, change)

    def change_status(self, admin: Actor, client: str | None, user_id: str, change: str) -> Account:
        """lock, unlock, disable or enable (`users.STATUS_CHANGES`); locking or disabling ends the
        account's sessions at once (its API tokens stop with the status)."""
        rule = users.STATUS_CHANGES[change]

        def alter(cursor: ProjectionCursor, account: Account, now: datetime) -> Account:
            if account.status not in rule.allowed:
                raise AccountStateInvalid(rule.refusal_en, rule.refusal_zh, user_id=user_id, status=account.status)
            if rule.to != ACTIVE:
                sessions.end_sessions_of(cursor, user_id, rule.to, now)
            return replace(account, status=rule.to, locked_until=None, failed_logins=0 if rule.to == ACTIVE else account.failed_logins)

        return self._change(admin, client, rule.action, user_id, alter)

    def set_role(self, admin: Actor, client: str | None, user_id: str, role: Role, person: str | None) -> Account:
        def alter(cursor: ProjectionCursor, account: Account, now: datetime) -> Account:
            self._check_person(Role(role), person)
            return replace(account, role=Role(role), person=person)

        return self._change(admin, client, "admin:ChangeRole", user_id, alter, target=f"{user_id}:{Role(role).value}")

    def reset_password(self, admin: Actor, client: str | None, user_id: str) -> tuple[Account, str]:
        """A new one-time password, to be changed at the next sign-in; the user's sessions end."""
        password = passwords.generate(user_id)
        password_hash = passwords.hash_password(password)  # before the store's write lock

        def alter(cursor: ProjectionCursor, account: Account, now: datetime) -> Account:
            sessions.end_sessions_of(cursor, user_id, "password_reset", now)
            history = tuple(h for h in (account.password_hash, *account.previous_hashes) if h)[: passwords.HISTORY - 1]
            return replace(
                account, password_hash=password_hash, password_set_at=now.isoformat(), must_change=True,
                previous_hashes=history, failed_logins=0, status=ACTIVE if account.status == LOCKED else account.status, locked_until=None,
            )  # fmt: skip

        return self._change(admin, client, "admin:ResetPassword", user_id, alter), password

    def issue_token(self, admin: Actor, client: str | None, user_id: str, label: str, valid_days: int, secret: str | None = None) -> dict[str, Any]:
        issued: dict[str, Any] = {}

        def change(cursor: ProjectionCursor) -> dict[str, Any]:
            issued.update(tokens.issue_token(cursor, self.key, self.clock, admin.user_id, user_id, label, valid_days, secret))
            return issued

        try:
            return self.ledger.write_access(
                lambda cursor: (change(cursor), [self._record(admin.user_id, admin.role.value, client, "admin:IssueToken", f"{user_id}:{issued['token_id']}", ACCEPTED)])
            )
        except DomainError as error:
            self.ledger.audit_record(self._record(admin.user_id, admin.role.value, client, "admin:IssueToken", user_id, REFUSED, error.code))
            raise

    def revoke_token(self, admin: Actor, client: str | None, token_id: str) -> dict[str, Any]:
        return self._audited(admin, client, "admin:RevokeToken", token_id, lambda cursor: tokens.revoke_token(cursor, self.key, self.clock, admin.user_id, token_id))

    # -- start-up and verification ----------------------------------------------------------

    def seal_migrated(self) -> int:
        return self.ledger.write_access(lambda cursor: (users.seal_unsealed(cursor, self.key), []))

    def verify(self) -> list[tuple[str, str]]:
        return [
            *users.verify_users(self.engine, self.key),
            *tokens.verify_tokens(self.engine, self.key),
            *sessions.verify_sessions(self.engine, self.key),
        ]
