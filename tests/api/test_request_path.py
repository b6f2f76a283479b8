"""The request path (api/routing.py, api/auth.py): one thread hop per request, the read policy's
check and audit record run in that hop before the route's body, signing in reads on the event
loop, and the routes sit in the app's own list. What a request is answered stays the same; these
tests pin how it gets there (the cost measured in issue 14) and that nothing was lost on the way."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Iterator

import anyio.to_thread
import httpx
import pytest
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.testclient import TestClient

from api.routing import OneHopRoute, before_route, include, routes
from ledger.accounts import sessions
from tests.api.conftest import Api
from tests.api.test_accounts import create, login


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the functions run in the thread pool, in order."""
    seen: list[str] = []
    original = anyio.to_thread.run_sync

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        target = getattr(func, "func", func)
        seen.append(getattr(target, "__name__", repr(target)))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    yield seen


def test_a_signed_in_read_takes_one_thread_hop(api: Api, hops: list[str]) -> None:
    """GET /me: signing in on the event loop, the body and its response check in one hop (seven
    hops before: each dependency, the body, the response check)."""
    assert api.get("office", "/me").status_code == 200
    assert hops == ["_checked"]


def test_an_audited_read_writes_its_record_in_the_routes_own_hop(api: Api, hops: list[str]) -> None:
    """An oversight read of the whole bureau is audited (安全审计): the record is written in the
    route's hop, before its body, not in a hop of its own."""
    before = len(api.read("security_auditor", "/audit", action="read:/results/{year}", limit=500))
    hops.clear()
    assert api.get("office", "/results/2026").status_code == 200
    assert hops == ["_checked"]
    assert len(api.read("security_auditor", "/audit", action="read:/results/{year}", limit=500)) == before + 1


def test_a_refused_subject_check_stops_the_read_before_its_body_and_audits_nothing(api: Api, hops: list[str]) -> None:
    """A staff member reading another person's sheet: 403 from the check queued before the body
    (the sheet is never read), and no read record."""
    before = len(api.read("security_auditor", "/audit", action="read:/sheets/{code}", limit=500))
    r = api.get("staff", "/sheets/P03:2026-01:monthly")
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"
    assert len(api.read("security_auditor", "/audit", action="read:/sheets/{code}", limit=500)) == before


def _app(order: list[tuple[str, int]]) -> FastAPI:
    """Two routes behind a dependency that queues a check: one with a `def` body, one `async def`."""

    async def check(request: Request) -> None:
        await before_route(request, lambda: order.append(("check", threading.get_ident())))

    router = routes(["t"])

    @router.get("/sync", dependencies=[Depends(check)])
    def sync_body() -> dict[str, str]:
        order.append(("body", threading.get_ident()))
        return {"ok": "sync"}

    @router.get("/async", dependencies=[Depends(check)])
    async def async_body() -> dict[str, str]:
        order.append(("body", threading.get_ident()))
        return {"ok": "async"}

    app = FastAPI()
    include(app, router)
    return app


def test_checks_run_before_the_body_whether_the_route_has_a_hop_or_not() -> None:
    order: list[tuple[str, int]] = []
    with TestClient(_app(order)) as client:
        assert client.get("/sync").json() == {"ok": "sync"}
        (check, in_thread), (body, body_thread) = order
        assert (check, body) == ("check", "body") and in_thread == body_thread  # the route's one hop
        order.clear()
        assert client.get("/async").json() == {"ok": "async"}
        (check, in_thread), (body, body_thread) = order
        assert (check, body) == ("check", "body") and in_thread != body_thread  # a hop of its own, first


def test_work_queued_by_a_refused_request_is_not_run_by_the_next_one_in_the_same_context() -> None:
    """A dependency queues a check, a later one refuses the request: the body never runs, and
    the queued check must not run before the next request's body either — even when both
    requests run in one context (an in-process client calls the app in its own task)."""
    order: list[str] = []

    async def check(request: Request) -> None:
        await before_route(request, lambda: order.append(f"check {request.url.path}"))

    async def refuse(request: Request) -> None:
        if request.query_params.get("refuse"):
            raise HTTPException(403)

    router = routes(["t"])

    @router.get("/one", dependencies=[Depends(check), Depends(refuse)])
    def one() -> dict[str, str]:
        order.append("body /one")
        return {}

    @router.get("/two")
    def two() -> dict[str, str]:
        order.append("body /two")
        return {}

    app = FastAPI()
    include(app, router)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            assert (await client.get("/one", params={"refuse": "1"})).status_code == 403
            assert (await client.get("/two")).status_code == 200
            assert (await client.get("/one")).status_code == 200

    asyncio.run(run())
    assert order == ["body /two", "check /one", "body /one"]


def test_a_one_hop_route_keeps_its_signature_and_an_async_route_is_left_alone() -> None:
    app = _app([])
    found = {r.path: r for r in app.routes if isinstance(r, OneHopRoute)}
    assert found["/sync"].one_hop and not found["/async"].one_hop
    assert found["/sync"].endpoint.__wrapped__.__name__ == "sync_body"  # type: ignore[attr-defined]
    assert found["/async"].endpoint.__name__ == "async_body"


def test_routes_join_the_apps_own_list_and_a_prefixed_router_is_refused() -> None:
    app = _app([])
    assert {getattr(r, "path", None) for r in app.router.routes} >= {"/sync", "/async"}
    prefixed = routes(["t"])
    prefixed.prefix = "/v1"
    with pytest.raises(ValueError):
        include(FastAPI(), prefixed)


def test_a_bearer_session_starting_with_jx_is_found_as_a_session(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    password = create(api)
    monkeypatch.setattr(sessions.secrets, "token_urlsafe", lambda n: "jx_" + "q" * 40)
    r = login(api, "clerk", password, bearer=True)
    assert r.status_code == 200 and r.json()["token"] == "jx_" + "q" * 40
    api.client.cookies.clear()
    me = api.client.get("/auth/session", headers={"Authorization": "Bearer jx_" + "q" * 40})
    assert me.status_code == 200 and me.json()["via"] == "bearer"
    assert api.get("office", "/me").json()["user_id"] == "u-office"  # an issued token, found first
