"""Request bodies (请求体): one JSON reading for every command.

A body whose object names a key twice is refused (`{"points": "1", "points": "9"}` would
otherwise mean whichever came last, and two readers of the same request could disagree on
what was asked). The size of a body is bounded by the app (`FastAPI(max_body_size=…)`, the
`JIXIAO_MAX_BODY_BYTES` setting), which answers 413 before a byte of an oversized body is parsed.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Coroutine

from fastapi import Request, Response
from fastapi.routing import APIRoute


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


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is read by `StrictJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict
