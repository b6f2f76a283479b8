"""One thread hop per request (每个请求只切换一次线程).

FastAPI runs every plain `def` — each dependency, the route itself, and then the check of the
route's answer against its response model — in the thread pool, one hop each. A hop costs about
as much as a small read, and under load the hops queue behind each other: a GET of seven hops was
spent mostly handing work between threads. So the dependencies that only look at the request are
`async def` (they run on the event loop), the ones that read the store keep their hop, and
`OneHopRoute` gives each route a single hop for its body: the `def` runs in the pool, its answer is
checked and serialized back on the event loop.

Routes join the app's own route list (`include`) rather than through `app.include_router`: since
0.137 FastAPI keeps an included router as a node that every request walks candidate by candidate,
which cost ~0.6 ms a request with our ~150 routes on this machine (measured, issue 14); the app's
own list is matched route by route on the compiled path patterns. Our routers have no prefix and
no dependencies of their own, so nothing of the inclusion is lost.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from contextvars import ContextVar
from typing import Any, Callable, Coroutine

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from api.responses import OrjsonResponse
from ledger.application.group_commit import Pending


Check = Callable[[], "Callable[[], None] | None"]  # a check before the body, and what to wait for before the answer

# What must run before the route's body, in its hop: the read policy's check of the subject and
# its audit record (api/policy.py). A new list each time a `OneHopRoute` starts handling a
# request (`get_route_handler`); its dependencies run in that context before the body.
_BEFORE: ContextVar[list[Check]] = ContextVar("jixiao_before_route")


async def before_route(request: Request, check: Check) -> None:
    """Run `check` (it reads or writes the store) before the route's body: queued into the route's
    own hop when the route is a `OneHopRoute` with a `def` body, else at once in the thread pool.
    Either way it runs before the body, and its refusal is the request's answer. A check may
    return a wait (a read's audit record queued for a group commit): the body runs meanwhile, and
    the wait ends before the answer is given, so nothing is answered before its record is durable."""
    if getattr(request.scope.get("route"), "one_hop", False):
        _BEFORE.get().append(check)
        return
    await run_in_threadpool(_checked, [check], _nothing, (), {})


def _nothing() -> None:
    return None


def _checked(pending: list[Check], endpoint: Callable[..., Any], args: Any, kwargs: Any, later: list[Pending] | None = None) -> Any:
    """The checks, then the body; then each check's wait. With `later`, a wait that can be left
    (an audit record in a group another thread is committing: `Durable.settle`) is put there for
    the event loop to await (`_answered`), and this thread goes back to the pool."""
    waits = []
    try:
        for check in pending:
            wait = check()
            if wait is not None:
                waits.append(wait)
        return endpoint(*args, **kwargs)
    finally:
        for wait in waits:
            settle = getattr(wait, "settle", None) if later is not None else None
            if settle is None:
                wait()
            elif (item := settle()) is not None:
                later.append(item)


async def _answered(item: Pending) -> None:
    """Until `item` is answered, on the event loop; raises its error."""
    if not item.done.is_set():
        loop = asyncio.get_running_loop()
        answered = loop.create_future()

        def tell() -> None:  # in the thread that answers: only hands the news to the loop
            try:
                loop.call_soon_threadsafe(_resolve, answered)
            except RuntimeError:  # the loop is closed: the server stopped, nobody waits
                pass

        item.then(tell)
        await answered
    if item.error is not None:
        raise item.error


def _resolve(answered: asyncio.Future[None]) -> None:
    if not answered.done():  # not when the request was cancelled meanwhile
        answered.set_result(None)


def in_one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint` as a coroutine that runs it, after the checks queued for it (`before_route`), in
    the thread pool: FastAPI then awaits it and checks the answer without a hop of its own. Its
    signature (and module, for the annotations) is the endpoint's own (functools.wraps; FastAPI
    reads both through `__wrapped__`)."""

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        later: list[Pending] = []
        try:
            return await run_in_threadpool(_checked, _BEFORE.get(), endpoint, args, kwargs, later)
        finally:  # the answer, or the error, only once every audit record under it is durable
            for item in later:
                await _answered(item)

    return run


class OneHopRoute(APIRoute):
    """A route whose `def` body, the checks before it and its response check share one thread hop
    (`in_one_hop`). A route with an `async def` body is left as it is."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.one_hop = inspect.isfunction(endpoint) and not inspect.iscoroutinefunction(endpoint)
        super().__init__(path, in_one_hop(endpoint) if self.one_hop else endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def fresh(request: Request) -> Response:
            # A queue of this request's own: a request refused by a dependency leaves its queue
            # behind, and one context can carry several requests (an in-process client).
            _BEFORE.set([])
            return await handler(request)

        return fresh


def routes(tags: list[str], route_class: type[APIRoute] = OneHopRoute) -> APIRouter:
    """A module's routes: one hop each, answered with orjson (the app's default response)."""
    return APIRouter(tags=list(tags), route_class=route_class, default_response_class=OrjsonResponse)


def include(app: FastAPI, router: APIRouter) -> None:
    """The router's routes, added to the app's own list (see above)."""
    if router.prefix or router.dependencies:
        raise ValueError("include() adds routes as they are: a router with a prefix or dependencies needs app.include_router")
    app.router.routes.extend(router.routes)
