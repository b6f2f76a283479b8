"""One place that turns refusals into RFC 9457 problem details.

Every problem has `type`, `title`, `status`, `code` (stable, machine-readable), `detail`
(English) and `detail_zh` (简体中文), plus the facts of the refusal.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import Unauthorized, principal_of
from api.policy import PUBLIC, rules_of
from api.responses import ProblemResponse
from ledger.domain.errors import DomainError, StoreBusy

# The problem's own members; a domain fact of the same name must not overwrite (or be lost to) them.
RESERVED = frozenset({"type", "title", "status", "code", "detail", "detail_zh"})


def problem(status: int, code: str, title: str, detail: str, detail_zh: str, **facts: Any) -> ProblemResponse:
    body = {
        "type": f"https://jixiao.invalid/problems/{code.lower().replace('_', '-')}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
        "detail_zh": detail_zh,
        **facts,
    }
    return ProblemResponse(body, status_code=status)


def _facts(error: DomainError) -> dict[str, Any]:
    """The refusal's facts. A fact named like a problem member is renamed, not dropped: SHEET_CLOSED's
    `status` ("submitted") is the sheet's state, which the client needs, not the HTTP status."""
    prefix = "sheet_" if "sheet" in error.facts else "fact_"
    return {(prefix + k if k in RESERVED else k): v for k, v in error.facts.items()}


def _authenticated(request: Request) -> bool:
    """Whether the request is signed in (the same test as `deps.get_actor`), or needs not be
    (a PUBLIC route: sign-in itself)."""
    route = request.scope.get("route")
    return (route is not None and rules_of(route) == (PUBLIC,)) or principal_of(request) is not None


def _unauthorized_problem(detail: str) -> ProblemResponse:
    response = problem(401, "UNAUTHENTICATED", "Unauthenticated", detail or "Sign in first", "未登录或登录已过期，请重新登录")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, error: DomainError) -> ProblemResponse:
        return problem(error.status, error.code, error.message_en, error.detail_en, error.detail_zh, **_facts(error))

    @app.exception_handler(StoreBusy)
    async def _busy(_: Request, error: StoreBusy) -> ProblemResponse:
        return problem(error.status, error.code, error.message_en, error.detail_en, error.detail_zh)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> ProblemResponse:
        # FastAPI decodes a JSON body before it resolves dependencies, so a malformed body would
        # otherwise answer an anonymous client with 400 instead of 401: authenticate first.
        if not await run_in_threadpool(_authenticated, request):  # it may write the session's last use: not on the loop
            return _unauthorized_problem("Sign in (POST /auth/login) or send 'Authorization: Bearer <API token>'")
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "type": e.get("type"), "msg": e.get("msg")}
            | ({"reason": str(e["ctx"]["error"])} if isinstance(e.get("ctx"), dict) and "error" in e["ctx"] else {})
            for e in error.errors()
        ]
        duplicate = next((e["reason"] for e in errors if e["type"] == "json_invalid" and e.get("reason", "").startswith("duplicate key")), None)
        if duplicate is not None:
            return problem(
                400, "DUPLICATE_KEY", "Duplicate key", f"The JSON body names a key twice: {duplicate}", "请求体中同一字段出现了两次", errors=errors
            )
        if any(e["type"] == "json_invalid" for e in errors):
            return problem(400, "MALFORMED_JSON", "Malformed JSON", "The request body is not valid JSON", "请求体不是合法的 JSON", errors=errors)
        return problem(422, "INVALID_INPUT", "Invalid input", "The request does not match the command's schema", "请求内容不符合要求", errors=errors)

    @app.exception_handler(Unauthorized)
    async def _unauthorized(_: Request, error: Unauthorized) -> ProblemResponse:
        return _unauthorized_problem(str(error))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> ProblemResponse:
        # A bug, not a refusal: still a problem document, with nothing of the exception in it.
        return problem(500, "INTERNAL_ERROR", "Internal server error", "The server failed to process the request", "服务器内部错误")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> ProblemResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}.get(error.status_code, "HTTP_ERROR")
        zh = {404: "请求的资源不存在", 405: "不支持该请求方法", 413: "请求内容过大"}.get(error.status_code, "请求无法处理")
        return problem(error.status_code, code, str(error.detail), str(error.detail), zh)
