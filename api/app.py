"""The HTTP API (FastAPI). `create_app(service)`; `jixiao serve` runs it with uvicorn."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import errors
from api.body import BodyLimit
from api.headers import SecurityHeaders
from api.policy import PUBLIC, declare_docs_public, reads
from api.responses import OrjsonResponse
from api.routing import include
from api import web
from api.routes import admin, attachments, audit, auth, bulletin_word, commands, documents, notices, printing, queries, results, roster_import
from api.schemas import openapi
from api.service import LedgerService
from ledger.settings import Settings

DESCRIPTION = """绩效台账 Jixiao Ledger — 工商局绩效考核台账。

Every deduction, correction and approval is an immutable event; scores are live projections.
Sign in with `POST /auth/login` (a session cookie for the browser; `"bearer": true` for a session
token), or send `Authorization: Bearer <API token>` (issued by the system administrator; the demo
prints one per demo account). A cookie session sends `X-CSRF-Token` with every write.
Errors are RFC 9457 problem details with a stable `code` and messages in English and Chinese.
Send `Idempotency-Key` with a command to make a retry apply once.
"""


def create_app(service: LedgerService | None = None) -> FastAPI:
    owned = service is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.service is None:
            app.state.service = LedgerService()  # from the settings (JIXIAO_*)
        yield
        if owned and app.state.service is not None:
            app.state.service.close()

    settings = service.settings if service is not None else Settings()
    app = FastAPI(
        title="绩效台账 Jixiao Ledger",
        version="0.1.0",
        description=DESCRIPTION,
        default_response_class=OrjsonResponse,
        lifespan=lifespan,
        docs_url=None,  # served by api/web.py from local copies of Swagger UI and ReDoc
        redoc_url=None,
    )
    # an upload's multipart body: the file and a few hundred bytes of framing
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, paths={"/attachments": settings.attachment_max_bytes + 65_536, "/roster/import": settings.attachment_max_bytes + 65_536})  # 413 before an oversized body is read
    if settings.cors_origins:  # off unless configured: the UI is served from this same origin
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-CSRF-Token"],
        )  # fmt: skip
    app.add_middleware(SecurityHeaders)  # outermost of ours: every response carries them
    app.state.service = service
    errors.install(app)
    declare_docs_public(app)
    for routes_of in (auth, commands, queries, results, audit, admin, attachments, notices, documents, printing, bulletin_word, roster_import):
        include(app, routes_of.router)
    web.install(app)  # the UI at /, and /docs, /redoc offline
    openapi.install(app)  # every operation's errors in the document, as problems (api/schemas/openapi.py)

    @app.get("/health", tags=["ops"], summary="健康检查", dependencies=[Depends(reads(PUBLIC))])
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    return app
