"""Sign-in (登录), sign-out (退出) and the user's own password (修改密码).

`POST /auth/login` answers every wrong name or password with the same LOGIN_FAILED, and a locked
account with ACCOUNT_LOCKED and when to retry; attempts are limited per client address. A browser
gets an HttpOnly, SameSite=Strict session cookie and the CSRF token to send with its writes; an
API client asking `"bearer": true` gets the session token instead.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request, Response

from api.routing import routes
from api.auth import COOKIE_NAME, clear_session_cookie, client_of, set_session_cookie
from api.body import StrictJSONRoute
from api.deps import PrincipalDep, ServiceDep
from api.policy import PUBLIC, SIGNED_IN, reads
from api.schemas.accounts import ChangePassword, SessionInfo, SignedIn, SignedOut, SignIn
from ledger.accounts.accounts import Principal, beijing
from ledger.accounts.sessions import BEARER, COOKIE, csrf_token
from ledger.domain.actors import ROLE_ZH

router = routes(["auth 登录"], route_class=StrictJSONRoute)


def session_info(service: Any, principal: Principal, token: str | None = None) -> dict[str, Any]:
    account = principal.account
    now = service.accounts.now()
    warning = None
    expires = principal.password_expires_at
    if expires is not None and not principal.must_change_password:
        days_left = (expires - now).days
        if days_left < service.settings.password_warn_days:
            warning = f"密码将于 {beijing(expires)} 过期（还剩{max(days_left, 0)}天），请及时修改"
    return {
        "user_id": account.user_id, "name": account.name, "role": account.role.value, "role_zh": ROLE_ZH[account.role],
        "person": account.person, "via": principal.via, "must_change_password": principal.must_change_password,
        "password_expires_at": beijing(expires), "password_warning": warning, "session_ends_at": beijing(principal.session_ends_at),
        "idle_minutes": service.settings.session_idle_minutes,
        "csrf_token": csrf_token(service.key, token) if token is not None and principal.via == COOKIE else None,
        "bureau_name": service.settings.bureau_name, "today": service.clock.today().isoformat(),
    }  # fmt: skip


SIGN_IN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Wrong login name or password, alike for every failure (LOGIN_FAILED)"},
    403: {"description": "The account is locked: by repeated failures until `locked_until`, or by the administrator (ACCOUNT_LOCKED)"},
    429: {"description": "Too many sign-in attempts from this address (TOO_MANY_ATTEMPTS)"},
}


@router.post("/auth/login", summary="登录", response_model=SignedIn, responses=SIGN_IN_ERRORS, dependencies=[Depends(reads(PUBLIC))])
def login(body: SignIn, request: Request, response: Response, service: ServiceDep) -> dict[str, Any]:
    client = client_of(request)
    principal, token = service.accounts.sign_in(body.login, body.password, client, BEARER if body.bearer else COOKIE)
    if body.bearer:
        return {**session_info(service, principal), "token": token}
    set_session_cookie(request, response, token, max_age=service.settings.session_absolute_hours * 3600)
    return {**session_info(service, principal, token), "token": None}


@router.post("/auth/logout", summary="退出登录", response_model=SignedOut, dependencies=[Depends(reads(SIGNED_IN))])
def logout(request: Request, response: Response, principal: PrincipalDep, service: ServiceDep) -> dict[str, Any]:
    service.accounts.sign_out(principal, client_of(request))
    if principal.via == COOKIE:
        clear_session_cookie(request, response)
    return {"signed_out": True}


@router.post("/auth/password", summary="修改密码", response_model=SessionInfo, dependencies=[Depends(reads(SIGNED_IN))])
def change_password(body: ChangePassword, request: Request, principal: PrincipalDep, service: ServiceDep) -> dict[str, Any]:
    renewed = service.accounts.change_password(principal, client_of(request), body.current_password, body.new_password)
    return session_info(service, renewed, request.cookies.get(COOKIE_NAME) if principal.via == COOKIE else None)


@router.get("/auth/session", summary="当前登录会话（含 CSRF 令牌）", response_model=SessionInfo, dependencies=[Depends(reads(SIGNED_IN))])
def current_session(request: Request, principal: PrincipalDep, service: ServiceDep) -> dict[str, Any]:
    return session_info(service, principal, request.cookies.get(COOKIE_NAME) if principal.via == COOKIE else None)

