"""One place that turns refusals into RFC 9457 problem details.

Every problem has `type`, `title`, `status`, `code` (stable, machine-readable), `detail`
(English) and `detail_zh` (简体中文), plus the facts of the refusal.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import ProblemResponse
from ledger.errors import DomainError


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


class Unauthorized(Exception):
    pass


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, error: DomainError) -> ProblemResponse:
        facts = {k: v for k, v in error.facts.items() if k not in {"type", "title", "status", "code", "detail", "detail_zh"}}
        return problem(error.status, error.code, error.message_en, error.detail_en, error.detail_zh, **facts)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> ProblemResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "type": e.get("type"), "msg": e.get("msg")}
            for e in error.errors()
        ]
        if any(e["type"] == "json_invalid" for e in errors):
            return problem(400, "MALFORMED_JSON", "Malformed JSON", "The request body is not valid JSON", "请求体不是合法的 JSON", errors=errors)
        return problem(422, "INVALID_INPUT", "Invalid input", "The request does not match the command's schema", "请求内容不符合要求", errors=errors)

    @app.exception_handler(Unauthorized)
    async def _unauthorized(_: Request, error: Unauthorized) -> ProblemResponse:
        response = problem(401, "UNAUTHENTICATED", "Unauthenticated", str(error) or "A valid bearer token is required", "需要有效的访问令牌")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> ProblemResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(error.status_code, "HTTP_ERROR")
        return problem(error.status_code, code, str(error.detail), str(error.detail), "请求的资源不存在" if error.status_code == 404 else "请求无法处理")
