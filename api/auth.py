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


def principal_of(request: Request) -> Principal | None:
    """The signed-in user of the request, or None; looked up once per request."""
    if hasattr(request.state, "principal"):
        return request.state.principal  # type: ignore[no-any-return]
    accounts = request.app.state.service.accounts
    principal = None
    authorization = request.headers.get("authorization")
    if authorization is not None:
        if authorization.lower().startswith("bearer ") and authorization[7:].strip():
            principal = accounts.by_bearer(authorization[7:].strip())
    elif request.cookies.get(COOKIE_NAME):
        principal = accounts.by_session(request.cookies[COOKIE_NAME], COOKIE)
    request.state.principal = principal
    return principal


def authenticate(request: Request) -> Principal:
    """The principal of a request that must be signed in; a cookie write must carry its CSRF
    token, and a password that must be changed allows nothing else."""
    principal = principal_of(request)
    if principal is None:
        raise Unauthorized("Sign in (POST /auth/login) or send 'Authorization: Bearer <API token>'")
    service = request.app.state.service
    if principal.via == COOKIE and request.method not in SAFE_METHODS:
        if not csrf_ok(service.key, request.cookies[COOKIE_NAME], request.headers.get(CSRF_HEADER)):
            service.accounts.refused(principal.actor, client_of(request), f"http:{request.method} {request.url.path}", CsrfRefused.code)
            raise CsrfRefused()
    if principal.must_change_password and request.url.path not in WHILE_PASSWORD_CHANGE_REQUIRED:
        if request.method not in SAFE_METHODS:
            service.accounts.refused(principal.actor, client_of(request), f"http:{request.method} {request.url.path}", PasswordChangeRequired.code)
        raise PasswordChangeRequired()
    return principal


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    secure = request.url.scheme == "https"  # behind a TLS proxy: uvicorn --proxy-headers sets the scheme
    response.set_cookie(COOKIE_NAME, token, max_age=max_age, path="/", secure=secure, httponly=True, samesite="strict")


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", secure=request.url.scheme == "https", httponly=True, samesite="strict")
