"""Accounts, sign-in and sessions over HTTP on a real store (身份鉴别, 访问控制 and 安全审计 of
等保 2.0 level 2, docs/operations.md): lockout, one generic failure message, idle and absolute
timeouts on an injected clock, sign-out, the password policy, the forced change, CSRF, rate limits,
the administrator's actions, and one audit record for each.

The accounts here are made by the system administrator over the API (`u-admin`, whose API token the
fixture issues) and sign in with their passwords; the clock is the ledger's, moved by the tests.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from httpx import Response

from ledger.accounts import passwords, users
from ledger.accounts.accounts import Principal
from ledger.clock import Clock
from ledger.domain.actors import Actor, Role
from ledger.domain.errors import DomainError
from tests.api.conftest import Api
from test_commands import BODIES
from tests.conftest import tamper

PASSWORD = "Kaohe#2026a"


class MovingClock(Clock):
    """A clock whose present moment the test moves (the bureau's date follows it)."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def today(self):  # type: ignore[no-untyped-def]
        return self.moment.astimezone(timezone(timedelta(hours=8))).date()

    def move(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock(api: Api) -> MovingClock:
    moving = MovingClock(datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc))
    api.service.clock = api.service.ledger.clock = moving
    return moving


def create(api: Api, user_id: str = "clerk", role: str = "office", person: str | None = None) -> str:
    """A new account as the administrator makes it; returns its one-time password."""
    body: dict[str, Any] = {"user_id": user_id, "name": "办事员", "role": role} | ({"person": person} if person else {})
    return api.ok("system_admin", "/users", body)["initial_password"]


def login(api: Api, user_id: str, password: str, **extra: Any) -> Response:
    api.client.cookies.clear()
    return api.client.post("/auth/login", json={"login": user_id, "password": password, **extra})


def signed_in(api: Api, user_id: str = "clerk", password: str = PASSWORD, role: str = "office") -> dict[str, Any]:
    """An account with `password` already set (the first change done), signed in by cookie."""
    initial = create(api, user_id, role)
    first = login(api, user_id, initial)
    assert first.status_code == 200, first.text
    changed = api.client.post(
        "/auth/password", json={"current_password": initial, "new_password": password}, headers={"X-CSRF-Token": first.json()["csrf_token"]}
    )
    assert changed.status_code == 200, changed.text
    return changed.json()


def user(api: Api, user_id: str) -> dict[str, Any]:
    return next(u for u in api.read("system_admin", "/users") if u["user_id"] == user_id)


def audit(api: Api, **filters: Any) -> list[tuple[str, str, str, str | None]]:
    """(user, action, outcome, code), oldest first."""
    rows = api.read("security_auditor", "/audit", limit=500, **filters)
    return [(r["user_id"], r["action"], r["outcome"], r["code"]) for r in reversed(rows)]


# -- signing in ------------------------------------------------------------------------------------


def test_sign_in_sets_an_httponly_strict_session_cookie_and_returns_a_csrf_token(api: Api, clock: MovingClock) -> None:
    password = create(api)
    r = login(api, "clerk", password)
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("jixiao_session=") and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP (loopback); over HTTPS it is Secure, below
    body = r.json()
    assert (body["user_id"], body["role_zh"], body["via"], body["token"]) == ("clerk", "考核办公室", "cookie", None)
    assert body["csrf_token"] and body["idle_minutes"] == 30
    assert api.client.get("/auth/session").json()["csrf_token"] == body["csrf_token"]  # the UI after a reload
    secure = api.client.post("https://testserver/auth/login", json={"login": "clerk", "password": password})
    assert "Secure" in secure.headers["set-cookie"]


def test_a_bearer_sign_in_returns_the_session_token_and_sets_no_cookie(api: Api, clock: MovingClock) -> None:
    password = create(api)
    r = login(api, "clerk", password, bearer=True)
    assert r.status_code == 200 and "set-cookie" not in r.headers
    token = r.json()["token"]
    api.client.cookies.clear()
    me = api.client.get("/auth/session", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["via"], me["csrf_token"], me["must_change_password"]) == ("bearer", None, True)


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(api: Api, clock: MovingClock) -> None:
    create(api)
    wrong = login(api, "clerk", "Wrong#pass1")
    unknown = login(api, "nobody-here", "Wrong#pass1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "LOGIN_FAILED" and wrong.json()["detail_zh"] == "登录名或密码错误"
    assert audit(api, action="auth:SignIn") == [("clerk", "auth:SignIn", "refused", "LOGIN_FAILED"), ("nobody-here", "auth:SignIn", "refused", "LOGIN_FAILED")]


def test_five_failures_lock_the_account_for_ten_minutes_then_it_opens_again(api: Api, clock: MovingClock) -> None:
    password = create(api)
    for _ in range(4):
        assert login(api, "clerk", "Wrong#pass1").json()["code"] == "LOGIN_FAILED"
    fifth = login(api, "clerk", "Wrong#pass1")
    assert fifth.status_code == 403 and fifth.json()["code"] == "ACCOUNT_LOCKED"
    assert fifth.json()["retry_at_beijing"] == "2026-11-20 09:10"  # 01:00 UTC + 10 minutes, in Beijing time
    assert "请于 2026-11-20 09:10（北京时间）后重试" in fifth.json()["detail_zh"]
    clock.move(minutes=9, seconds=59)
    assert login(api, "clerk", password).json()["code"] == "ACCOUNT_LOCKED"  # the right password too: not even checked
    clock.move(seconds=1)
    assert login(api, "clerk", password).status_code == 200
    assert user(api, "clerk")["failed_logins"] == 0  # counted afresh
    assert ("system", "auth:Lockout", "accepted", "5 failures, 0 sessions ended") in audit(api, action="auth:Lockout")


def test_an_unknown_name_is_locked_out_alike(api: Api, clock: MovingClock) -> None:
    """Five failures on a name no account has answer ACCOUNT_LOCKED too: the lockout does not tell."""
    codes = [login(api, "ghost", "Wrong#pass1").json()["code"] for _ in range(6)]
    assert codes == ["LOGIN_FAILED"] * 4 + ["ACCOUNT_LOCKED"] * 2


def test_the_administrator_unlocks_a_locked_account(api: Api, clock: MovingClock) -> None:
    password = create(api)
    for _ in range(5):
        login(api, "clerk", "Wrong#pass1")
    assert user(api, "clerk")["status_zh"] == "已锁定"
    assert api.ok("system_admin", "/users/clerk/unlock", {})["status"] == "active"
    assert login(api, "clerk", password).status_code == 200
    api.problem(api.post("system_admin", "/users/clerk/unlock", {}), 409, "ACCOUNT_STATE_INVALID")
    assert audit(api, action="admin:UnlockUser") == [
        ("u-admin", "admin:UnlockUser", "accepted", None), ("u-admin", "admin:UnlockUser", "refused", "ACCOUNT_STATE_INVALID"),
    ]  # fmt: skip


def test_sign_in_attempts_are_limited_per_client_address(api: Api, clock: MovingClock) -> None:
    limit = api.service.settings.login_attempts_per_minute
    assert limit == 30
    codes = [login(api, f"someone-{i}", "Wrong#pass1").status_code for i in range(limit + 1)]
    assert codes == [401] * limit + [429]
    assert api.client.post("/auth/login", json={"login": "x1", "password": "y"}).json()["code"] == "TOO_MANY_ATTEMPTS"


# -- sessions ------------------------------------------------------------------------------------------


def test_a_session_ends_after_30_idle_minutes(api: Api, clock: MovingClock) -> None:
    signed_in(api)
    for _ in range(3):
        clock.move(minutes=29)
        assert api.client.get("/me").status_code == 200  # each use restarts the idle time
    clock.move(minutes=30)
    assert api.client.get("/me").status_code == 401


def test_a_session_ends_8_hours_after_sign_in_however_busy(api: Api, clock: MovingClock) -> None:
    signed_in(api)
    for _ in range(23):
        clock.move(minutes=20)
        assert api.client.get("/me").status_code == 200
    clock.move(minutes=19, seconds=59)  # 7 h 59 min 59 s
    assert api.client.get("/me").status_code == 200
    clock.move(seconds=1)
    assert api.client.get("/me").json()["code"] == "UNAUTHENTICATED"


def test_sign_out_ends_the_session_on_the_server(api: Api, clock: MovingClock) -> None:
    info = signed_in(api)
    token = api.client.cookies["jixiao_session"]
    out = api.client.post("/auth/logout", headers={"X-CSRF-Token": info["csrf_token"]})
    assert out.status_code == 200 and 'jixiao_session=""' in out.headers["set-cookie"]
    api.client.cookies.set("jixiao_session", token)  # the cookie kept by someone: no longer a session
    assert api.client.get("/me").status_code == 401
    bearer = login(api, "clerk", PASSWORD, bearer=True).json()["token"]
    api.client.cookies.clear()
    assert api.client.post("/auth/logout", headers={"Authorization": f"Bearer {bearer}"}).status_code == 200
    assert api.client.get("/me", headers={"Authorization": f"Bearer {bearer}"}).status_code == 401
    api.problem(api.post("office", "/auth/logout", {}), 409, "NOT_A_SESSION")  # an API token is revoked instead
    assert [a for _, a, o, _ in audit(api, action="auth:SignOut") if o == "accepted"] == ["auth:SignOut"] * 2


def test_locking_or_disabling_an_account_ends_its_sessions_and_tokens_at_once(api: Api, clock: MovingClock) -> None:
    signed_in(api)
    issued = api.ok("system_admin", "/tokens", {"user_id": "clerk", "label": "报表", "valid_days": 30})
    cookie = api.client.cookies["jixiao_session"]
    api.client.cookies.clear()
    api.ok("system_admin", "/users/clerk/lock", {})
    api.client.cookies.set("jixiao_session", cookie)
    assert api.client.get("/me").status_code == 401
    api.client.cookies.clear()
    assert api.client.get("/me", headers={"Authorization": f"Bearer {issued['token']}"}).status_code == 401
    assert login(api, "clerk", PASSWORD).json()["code"] == "ACCOUNT_LOCKED"
    api.ok("system_admin", "/users/clerk/unlock", {})
    assert api.client.get("/me", headers={"Authorization": f"Bearer {issued['token']}"}).status_code == 200
    assert login(api, "clerk", PASSWORD).status_code == 200
    api.client.cookies.clear()
    api.ok("system_admin", "/users/clerk/disable", {})
    assert login(api, "clerk", PASSWORD).json()["code"] == "LOGIN_FAILED"  # disabled: the generic answer
    assert api.client.get("/me", headers={"Authorization": f"Bearer {issued['token']}"}).status_code == 401
    api.ok("system_admin", "/users/clerk/enable", {})
    assert login(api, "clerk", PASSWORD).status_code == 200


# -- passwords ---------------------------------------------------------------------------------------


def change(api: Api, current: str, new: str) -> Response:
    csrf = api.client.get("/auth/session").json()["csrf_token"]
    return api.client.post("/auth/password", json={"current_password": current, "new_password": new}, headers={"X-CSRF-Token": csrf})


@pytest.mark.parametrize(
    "new, rule",
    [("Ab#12", "length"), ("abcdefgh1", "classes"), ("ABCDEFGH", "classes"), ("Clerk#2026x", "login_name"), ("Ab# 12345", "characters")],
)
def test_the_password_policy_refuses_a_weak_password(api: Api, clock: MovingClock, new: str, rule: str) -> None:
    signed_in(api)
    r = change(api, PASSWORD, new)
    problem = api.problem(r, 422, "PASSWORD_POLICY")
    assert (problem["rule"], problem["field"]) == (rule, "new_password")
    assert login(api, "clerk", PASSWORD).status_code == 200  # unchanged


@pytest.mark.parametrize("new", ["abcdEFG1", "abcd#fg1", "ABCD#FG1", "Ab1#Ab1#"])
def test_three_of_four_classes_and_eight_characters_are_enough(api: Api, clock: MovingClock, new: str) -> None:
    signed_in(api)
    assert change(api, PASSWORD, new).status_code == 200
    assert login(api, "clerk", new).status_code == 200


def test_none_of_the_last_five_passwords_again(api: Api, clock: MovingClock) -> None:
    signed_in(api)  # the initial password, then PASSWORD
    history = [PASSWORD] + [f"Kaohe#2026{c}" for c in "bcde"]
    for previous, new in zip(history, history[1:]):
        assert change(api, previous, new).status_code == 200
    for old in history:  # the last five: PASSWORD ... e
        api.problem(change(api, history[-1], old), 422, "PASSWORD_REUSED")
    assert change(api, history[-1], "Kaohe#2026f").status_code == 200
    assert change(api, "Kaohe#2026f", PASSWORD).status_code == 200  # six back: allowed again


def test_a_wrong_current_password_is_refused_and_counts_toward_the_lockout(api: Api, clock: MovingClock) -> None:
    signed_in(api)
    problem = api.problem(change(api, "Wrong#pass1", "Kaohe#2026z"), 403, "WRONG_PASSWORD")
    assert problem["field"] == "current_password"
    assert user(api, "clerk")["failed_logins"] == 1


def test_an_initial_password_allows_nothing_but_changing_it(api: Api, clock: MovingClock) -> None:
    initial = create(api, role="office")
    r = login(api, "clerk", initial)
    assert r.json()["must_change_password"] is True
    csrf = r.json()["csrf_token"]
    assert api.problem(api.client.get("/units"), 403, "PASSWORD_CHANGE_REQUIRED")["detail_zh"].startswith("请先修改密码")
    before = api.events()
    api.problem(api.client.post("/bulletins", json=BODIES["/bulletins"], headers={"X-CSRF-Token": csrf}), 403, "PASSWORD_CHANGE_REQUIRED")
    assert api.events() == before
    assert api.client.get("/me").status_code == 200  # who am I, still
    api.problem(change(api, initial, initial), 422, "PASSWORD_REUSED")  # the initial one is in the history
    assert change(api, initial, PASSWORD).json()["must_change_password"] is False
    assert api.client.get("/units").status_code == 200


def test_a_password_older_than_90_days_must_be_changed_with_a_warning_before(api: Api, clock: MovingClock) -> None:
    signed_in(api)
    clock.move(days=80)
    info = login(api, "clerk", PASSWORD).json()
    assert info["password_warning"] == "密码将于 2027-02-18 09:00 过期（还剩10天），请及时修改"
    assert info["must_change_password"] is False
    clock.move(days=10)
    assert login(api, "clerk", PASSWORD).json()["must_change_password"] is True
    api.problem(api.client.get("/units"), 403, "PASSWORD_CHANGE_REQUIRED")
    assert change(api, PASSWORD, "Kaohe#2026n").status_code == 200
    assert api.client.get("/units").status_code == 200


def test_changing_the_password_ends_the_users_other_sessions(api: Api, clock: MovingClock) -> None:
    signed_in(api)
    other = login(api, "clerk", PASSWORD, bearer=True).json()["token"]
    login(api, "clerk", PASSWORD)
    assert change(api, PASSWORD, "Kaohe#2026q").status_code == 200
    assert api.client.get("/me").status_code == 200  # this one stays
    assert api.client.get("/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401


# -- CSRF ----------------------------------------------------------------------------------------------


def test_a_cookie_write_without_its_csrf_token_is_refused_and_writes_nothing(api: Api, clock: MovingClock) -> None:
    info = signed_in(api)
    body = BODIES["/bulletins"]
    before = api.events()
    api.problem(api.client.post("/bulletins", json=body), 403, "CSRF_TOKEN_INVALID")
    api.problem(api.client.post("/bulletins", json=body, headers={"X-CSRF-Token": "0" * 64}), 403, "CSRF_TOKEN_INVALID")
    assert api.events() == before
    assert api.client.post("/bulletins", json=body, headers={"X-CSRF-Token": info["csrf_token"]}).status_code == 201
    assert audit(api, user="clerk", outcome="refused") == [("clerk", "http:POST /bulletins", "refused", "CSRF_TOKEN_INVALID")] * 2


def test_a_bearer_write_needs_no_csrf_token(api: Api, clock: MovingClock) -> None:
    api.client.cookies.clear()
    assert api.post("office", "/bulletins", BODIES["/bulletins"]).status_code == 201


# -- the administrator ------------------------------------------------------------------------------------


def test_the_administrator_creates_accounts_and_bad_input_writes_nothing(api: Api, clock: MovingClock) -> None:
    listed = len(api.read("system_admin", "/users"))
    made = api.ok("system_admin", "/users", {"user_id": "zhang.san", "name": "张三", "role": "staff", "person": "P03"})
    assert (made["status"], made["must_change_password"], made["has_password"]) == ("active", True, True)
    assert len(made["initial_password"]) == 14 and "password_hash" not in made
    refusals = [
        ({"user_id": "zhang.san", "name": "x", "role": "office"}, 409, "USER_EXISTS"),
        ({"user_id": "li", "name": "x", "role": "staff"}, 422, "INVALID_INPUT"),  # staff acts as a person
        ({"user_id": "li", "name": "x", "role": "staff", "person": "P9999"}, 404, "PERSON_NOT_FOUND"),
        ({"user_id": "-li", "name": "x", "role": "office"}, 422, "INVALID_INPUT"),
        ({"user_id": "li", "name": "x", "role": "emperor"}, 422, "INVALID_INPUT"),
    ]
    for body, status, code in refusals:
        api.refused("system_admin", "/users", body, status, code)
    assert len(api.read("system_admin", "/users")) == listed + 1
    assert [c for _, _, o, c in audit(api, action="admin:CreateUser", user="u-admin")] == [None, "USER_EXISTS", "INVALID_INPUT", "PERSON_NOT_FOUND"]


def test_a_role_change_takes_effect_at_once(api: Api, clock: MovingClock) -> None:
    signed_in(api, role="viewer")
    assert api.client.get("/refusals").status_code == 200
    api.client.cookies.clear()
    changed = api.ok("system_admin", "/users/clerk/role", {"role": "staff", "person": "P03"})
    assert (changed["role"], changed["role_zh"], changed["person"]) == ("staff", "工作人员", "P03")
    login(api, "clerk", PASSWORD)
    assert api.client.get("/refusals").status_code == 403
    me = api.client.get("/me").json()
    assert (me["user_id"], me["role"], me["person"]) == ("clerk", "staff", "P03")


def test_a_password_reset_is_shown_once_ends_sessions_and_must_be_changed(api: Api, clock: MovingClock) -> None:
    signed_in(api)
    cookie = api.client.cookies["jixiao_session"]
    api.client.cookies.clear()
    reset = api.ok("system_admin", "/users/clerk/password-reset", {})["initial_password"]
    api.client.cookies.set("jixiao_session", cookie)
    assert api.client.get("/me").status_code == 401
    assert login(api, "clerk", PASSWORD).status_code == 401
    assert login(api, "clerk", reset).json()["must_change_password"] is True


def test_the_administrator_does_not_act_on_their_own_account(api: Api, clock: MovingClock) -> None:
    for action in ("lock", "disable", "password-reset"):
        api.refused("system_admin", f"/users/u-admin/{action}", {}, 403, "SELF_ADMINISTRATION")
    api.refused("system_admin", "/users/u-admin/role", {"role": "leading_group"}, 403, "SELF_ADMINISTRATION")
    api.refused("system_admin", "/users/nobody/lock", {}, 404, "USER_NOT_FOUND")


def test_only_the_administrator_manages_accounts(api: Api, clock: MovingClock) -> None:
    for role in ("office", "leading_group", "security_auditor", "staff", "viewer", "party_group"):
        api.problem(api.get(role, "/users"), 403, "FORBIDDEN")
        api.refused(role, "/users", {"user_id": "x1", "name": "x", "role": "office"}, 403, "FORBIDDEN")
        api.refused(role, "/users/u-office/role", {"role": "leading_group"}, 403, "FORBIDDEN")
    assert api.read("leading_group", "/me")["role"] == "leading_group"


# -- one audit record each -------------------------------------------------------------------------------


def test_every_sign_in_event_and_account_change_leaves_one_audit_record(api: Api, clock: MovingClock) -> None:
    signed_in(api)  # created by u-admin; first sign-in; the password changed
    login(api, "clerk", "Wrong#pass1")
    login(api, "clerk", PASSWORD)
    api.client.post("/auth/logout", headers={"X-CSRF-Token": api.client.get("/auth/session").json()["csrf_token"]})
    api.ok("system_admin", "/users/clerk/lock", {})
    api.ok("system_admin", "/users/clerk/unlock", {})
    api.ok("system_admin", "/users/clerk/role", {"role": "viewer"})
    api.ok("system_admin", "/users/clerk/password-reset", {})
    api.ok("system_admin", "/users/clerk/disable", {})
    api.ok("system_admin", "/users/clerk/enable", {})
    records = [r for r in audit(api) if r[0] in ("clerk", "u-admin") and not r[1].startswith("read:")]
    assert records == [
        ("u-admin", "admin:CreateUser", "accepted", None),
        ("clerk", "auth:SignIn", "accepted", None),
        ("clerk", "auth:ChangePassword", "accepted", None),
        ("clerk", "auth:SignIn", "refused", "LOGIN_FAILED"),
        ("clerk", "auth:SignIn", "accepted", None),
        ("clerk", "auth:SignOut", "accepted", None),
        ("u-admin", "admin:LockUser", "accepted", None),
        ("u-admin", "admin:UnlockUser", "accepted", None),
        ("u-admin", "admin:ChangeRole", "accepted", None),
        ("u-admin", "admin:ResetPassword", "accepted", None),
        ("u-admin", "admin:DisableUser", "accepted", None),
        ("u-admin", "admin:EnableUser", "accepted", None),
    ]
    rows = api.read("security_auditor", "/audit", user="clerk", action="auth:SignIn", limit=1)
    assert rows[0]["client"] == "testclient" and rows[0]["target"].startswith("session:")


def test_an_account_row_edited_in_the_database_signs_nobody_in_and_fails_verify(api: Api, clock: MovingClock) -> None:
    """A password hash copied from another account, or a lock lifted, in the database directly."""
    signed_in(api)
    create(api, "other")
    with tamper(api.service) as db:
        db.execute("UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE user_id = 'clerk') WHERE user_id = 'other'")
    assert login(api, "other", PASSWORD).json()["code"] == "LOGIN_FAILED"
    problems = api.service.verify().problems
    assert [(p.kind, p.as_dict()["kind_zh"]) for p in problems] == [("user_modified", "用户记录被修改或插入（未经系统签名）")]


def test_a_login_name_typed_as_a_formula_is_exported_as_text(api: Api, clock: MovingClock) -> None:
    """The audit log keeps what was typed at sign-in; its CSV export keeps Excel from running it."""
    login(api, "=HYPERLINK(\"http://x\")", "Wrong#pass1")
    csv_text = api.client.get("/audit.csv", headers=api.headers("security_auditor")).content.decode("utf-8-sig")
    assert "'=HYPERLINK(\"\"http://x\"\")" in csv_text and "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text
    api.problem(login(api, "clerk\x00", "x"), 422, "INVALID_INPUT")  # no control characters in a login name


@pytest.mark.parametrize("action", ["change", "reset", "create"])
def test_a_password_being_hashed_holds_up_no_other_writer(api: Api, clock: MovingClock, monkeypatch: pytest.MonkeyPatch, action: str) -> None:
    """Argon2 costs ~0.1 s a hash, and a change checks the new password against the last five
    too. It runs before the store's write lock (which every writer, in every process, waits for):
    a deduction recorded while a password is being hashed is stored before the hash is done."""
    signed_in(api)
    accounts, hashing, deducted, failures = api.service.accounts, threading.Event(), threading.Event(), []
    real = passwords.hash_password

    def slow_hash(password: str) -> str:
        hashing.set()
        if not deducted.wait(5):
            failures.append("the deduction waited for the hash")
        return real(password)

    monkeypatch.setattr(passwords, "hash_password", slow_hash)
    admin = Actor(user_id="u-admin", role=Role.SYSTEM_ADMIN)
    clerk = users.find(api.service.engine, api.service.key, "clerk")
    assert clerk is not None
    work = {
        "change": lambda: accounts.change_password(Principal(clerk, "api_token"), None, PASSWORD, "Kaohe#2026q"),
        "reset": lambda: accounts.reset_password(admin, None, "clerk"),
        "create": lambda: accounts.create(admin, None, "clerk2", "办事员", Role.OFFICE, initial_password="Kaohe#2026r"),
    }[action]

    def run() -> None:
        try:
            work()
        except Exception as error:  # noqa: BLE001 - told to the test's thread
            failures.append(repr(error))

    worker = threading.Thread(target=run)
    worker.start()
    assert hashing.wait(10)
    entry = api.ok("supervision", "/deductions", {"person": "P02", "points": "0.5", "basis": "效能监察", "occurred_on": "2026-01-12", "form_no": "JC-9"})
    deducted.set()
    worker.join(30)
    assert not worker.is_alive() and failures == [], failures
    assert entry["entry_id"].startswith("P02:2026-01:monthly:")
    account = users.find(api.service.engine, api.service.key, "clerk2" if action == "create" else "clerk")
    assert account is not None and account.password_hash is not None and account.password_hash != clerk.password_hash


def test_a_password_change_checks_the_current_password_as_stored_when_it_runs(api: Api, clock: MovingClock) -> None:
    """Signed in (the account read), then the password changed by another request before this
    one's change runs: the password this one proves is the one stored now, not the one it was
    signed in with."""
    signed_in(api)
    accounts = api.service.accounts
    clerk = users.find(api.service.engine, api.service.key, "clerk")
    assert clerk is not None
    stale = Principal(clerk, "api_token")  # read before the other request's change
    accounts.change_password(Principal(clerk, "api_token"), None, PASSWORD, "Kaohe#2026n")
    try:
        accounts.change_password(stale, None, PASSWORD, "Kaohe#2026m")
    except DomainError as error:
        assert error.code == "WRONG_PASSWORD"
    else:
        raise AssertionError("a replaced password proved the change")
    assert login(api, "clerk", "Kaohe#2026n").status_code == 200
