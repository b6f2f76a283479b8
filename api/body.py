"""Request bodies (请求体): one JSON reading for every command.

A body whose object names a key twice is refused (`{"points": "1", "points": "9"}` would
otherwise mean whichever came last, and two readers of the same request could disagree on
what was asked). The size of a body is bounded (`BodyLimit`, the `JIXIAO_MAX_BODY_BYTES`
setting): 413 before a byte of an oversized body is parsed.

Why not FastAPI's own `max_body_size`: its 413 is plain text sent from outside the app's
exception handlers; every error of this API is a problem document (api/errors.py).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Coroutine

from fastapi import Request, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.routing import OneHopRoute

TOO_LARGE = "Content Too Large"


class BodyLimit:
    """ASGI middleware: a request body over `max_bytes` is refused with 413 — at once when its
    Content-Length says so, else when the bytes received pass the limit (the exception reaches
    the app's handlers, which answer with a problem document)."""

    def __init__(self, app: ASGIApp, max_bytes: int, paths: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = paths or {}  # a larger limit for some paths (uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.paths.get(scope.get("path", ""), self.max_bytes)
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            from api.errors import problem  # the one place problems are made

            response = problem(413, "PAYLOAD_TOO_LARGE", TOO_LARGE, f"The request body is over {max_bytes} bytes", "请求内容过大")
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, limited, send)


def _refuse_duplicates(doc: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in pairs:
            if key in obj:
                # A JSONDecodeError: FastAPI reports it as a 422 `json_invalid` validation problem.
                raise json.JSONDecodeError(f"duplicate key {key[:40]!r}", doc, 0)
            obj[key] = value
        return obj

    return build


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            text = (await self.body()).decode("utf-8")
            self._json = json.loads(text, object_pairs_hook=_refuse_duplicates(text))
        return self._json


class StrictJSONRoute(OneHopRoute):
    """A route whose JSON body is read by `StrictJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict
