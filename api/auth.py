"""Who a request is (身份鉴别 over HTTP): a session cookie, a bearer, or nothing.

    Cookie: jixiao_session=<session token>    the browser, after POST /auth/login; HttpOnly,
                                              SameSite=Strict, Secure over HTTPS. A write (any
                                              method but GET/HEAD/OPTIONS) also sends the
                                              session's CSRF token in `X-CSRF-Token`.
    Authorization: Bearer <token>             an API client: a session from POST /auth/login
                                              with "bearer": true, or an issued API token

A session whose password must be changed (initial, reset or expired) may only change it, read
who it is and sign out. The rules themselves are in `ledger.accounts`; this module reads HTTP.
"""

from __future__ import annotations

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from ledger.accounts.accounts import PasswordChangeRequired, Principal
from ledger.accounts.sessions import COOKIE, csrf_ok
from ledger.domain.errors import Forbidden

COOKIE_NAME = "jixiao_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a session whose password must be changed may still do.
WHILE_PASSWORD_CHANGE_REQUIRED = frozenset({"/auth/password", "/auth/logout", "/auth/session", "/me"})


class Unauthorized(Exception):
    pass


class CsrfRefused(Forbidden):
    code = "CSRF_TOKEN_INVALID"
    message_zh = "页面已过期或请求来源不可信，请刷新页面后重试"
    message_en = "A cookie-authenticated write must send the session's X-CSRF-Token"


def client_of(request: Request) -> str | None:
    """The client's address as the server saw it (behind a proxy: run uvicorn with
    --proxy-headers and --forwarded-allow-ips, docs/operations.md)."""
    return request.client.host if request.client else None


def _lookup(request: Request) -> Principal | None:
    """The request's principal, read without writing (its session's last use is left to `touch`)."""
    accounts = request.app.state.service.accounts
    authorization = request.headers.get("authorization")
    if authorization is not None:
        if authorization.lower().startswith("bearer ") and authorization[7:].strip():
            return accounts.by_bearer(authorization[7:].strip())  # type: ignore[no-any-return]
        return None
    if request.cookies.get(COOKIE_NAME):
        return accounts.by_session(request.cookies[COOKIE_NAME], COOKIE)  # type: ignore[no-any-return]
    return None


def principal_of(request: Request) -> Principal | None:
    """The signed-in user of the request, or None; looked up once per request."""
    if not hasattr(request.state, "principal"):
        request.state.principal = principal = _lookup(request)
        if principal is not None:
            request.app.state.service.accounts.touch(principal)
    return request.state.principal  # type: ignore[no-any-return]


def _refusal(request: Request, principal: Principal | None) -> tuple[Exception, str | None] | None:
    """Why a request that must be signed in is refused, and the code its refusal is logged
    under (None: not logged); None when it may go on. A cookie write must carry its CSRF token,
    and a password that must be changed allows nothing else."""
    if principal is None:
        return Unauthorized("Sign in (POST /auth/login) or send 'Authorization: Bearer <API token>'"), None
    if principal.via == COOKIE and request.method not in SAFE_METHODS:
        if not csrf_ok(request.app.state.service.key, request.cookies[COOKIE_NAME], request.headers.get(CSRF_HEADER)):
            return CsrfRefused(), CsrfRefused.code
    if principal.must_change_password and request.url.path not in WHILE_PASSWORD_CHANGE_REQUIRED:
        return PasswordChangeRequired(), None if request.method in SAFE_METHODS else PasswordChangeRequired.code
    return None


def _log_refusal(request: Request, principal: Principal, code: str) -> None:
    request.app.state.service.accounts.refused(principal.actor, client_of(request), f"http:{request.method} {request.url.path}", code)


async def authenticate(request: Request) -> Principal:
    """The principal of a request that must be signed in (`_refusal` says when it is refused).

    Signing in is three indexed reads, done on the event loop: a thread hop costs more than the
    reads (api/routing.py). What writes — the session's last use once a minute, a logged
    refusal — goes to the thread pool, so the loop never waits for the database's write lock."""
    if not hasattr(request.state, "principal"):
        request.state.principal = _lookup(request)
        if request.state.principal is not None and request.state.principal.touch_at is not None:
            await run_in_threadpool(request.app.state.service.accounts.touch, request.state.principal)
    principal: Principal | None = request.state.principal
    refused = _refusal(request, principal)
    if refused is not None:
        error, code = refused
        if code is not None and principal is not None:
            await run_in_threadpool(_log_refusal, request, principal, code)
        raise error
    assert principal is not None
    return principal


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    secure = request.url.scheme == "https"  # behind a TLS proxy: uvicorn --proxy-headers sets the scheme
    response.set_cookie(COOKIE_NAME, token, max_age=max_age, path="/", secure=secure, httponly=True, samesite="strict")


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", secure=request.url.scheme == "https", httponly=True, samesite="strict")
