"""Injected dependencies: the running service, the authenticated actor and the view (live or as
of a moment). What a route may read is declared with `api/policy.py`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from fastapi.security import APIKeyCookie, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.auth import COOKIE_NAME, authenticate
from ledger.accounts.accounts import Principal
from ledger.domain.actors import Actor
from ledger.domain.errors import InvalidInput
from api.service import LedgerService, View


async def get_service(request: Request) -> LedgerService:
    return request.app.state.service


ServiceDep = Annotated[LedgerService, Depends(get_service)]


# The ways to sign in, as the OpenAPI document names them (its security schemes). They are not
# dependencies of `get_principal`: api/auth.py reads the request itself, and FastAPI solving two
# more dependencies on every signed-in request cost more than the sign-in's reads. The document
# gets them from api/schemas/openapi.py: declare_security, on every operation that depends on
# `get_principal`.
SECURITY_SCHEMES = (
    HTTPBearer(auto_error=False, description="an issued API token, or a session token from POST /auth/login with bearer: true"),
    APIKeyCookie(name=COOKIE_NAME, auto_error=False, description="the browser's session (POST /auth/login); writes send X-CSRF-Token"),
)


async def get_principal(request: Request) -> Principal:
    """The signed-in user (api/auth.py): a session cookie (with its CSRF token on writes), a
    bearer session or an issued API token."""
    return await authenticate(request)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_actor(principal: PrincipalDep) -> Actor:
    return principal.actor


ActorDep = Annotated[Actor, Depends(get_actor)]


BEIJING = timezone(timedelta(hours=8))  # a moment without an offset is the bureau's local time
AS_OF_DOC = (
    "历史查询 as of: a log position (e.g. 5817), a moment (2026-06-30T18:00, Beijing time unless an offset is"
    " given) or a date (2026-06-30 = the end of that day). The answer is what the system showed then."
)


def parse_as_of(service: LedgerService, as_of: str | None) -> int | None:
    """R-Q-3: a log position, or the position at a moment."""
    if as_of is None or not as_of.strip():
        return None
    text = as_of.strip()
    if not text.isascii():
        # str.isdigit() and int() take "²" and "٣": a position is written in ASCII digits only.
        raise InvalidInput(f"as_of must be written in ASCII: {text[:40]!r}", f"历史查询参数须使用半角字符：{text[:40]!r}", field="as_of")
    if text.isdigit():
        position = int(text)
        if position > service.queries.projection_position():
            raise InvalidInput(f"as_of {position} is beyond the log", f"历史查询位置 {position} 超出事件日志范围", field="as_of")
        return position
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time.max, BEIJING)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=BEIJING)
    except ValueError:
        raise InvalidInput(f"as_of must be a log position, a date or an ISO moment: {text!r}", f"历史查询时间格式无效：{text!r}", field="as_of") from None
    return service.queries.position_at(moment.astimezone(timezone.utc).isoformat())


async def get_view(service: ServiceDep, response: Response, as_of: Annotated[str | None, Query(max_length=40, description=AS_OF_DOC)] = None) -> View:
    # only a past moment reads the store here (the position at it), in the thread pool (api/routing.py)
    position = None if as_of is None else await run_in_threadpool(parse_as_of, service, as_of)
    if position is not None:
        response.headers["X-As-Of-Position"] = str(position)
    return service.view(position)


ViewDep = Annotated[View, Depends(get_view)]
