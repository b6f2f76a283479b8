"""The browser UI (web/, Vue 3 + Element Plus) and the API's documentation pages, served from this
origin with nothing loaded from elsewhere: the built bundle is committed in web/dist (`make ui`
rebuilds it), Swagger UI and ReDoc come from web/dist/vendor, so /docs works without the internet.

    /                 web/dist/index.html (the UI routes are in the fragment: /#/sheets)
    /assets/…         the bundle (file names carry their hash: cached for a year)
    /vendor/…         Swagger UI and ReDoc
    /docs, /redoc     the OpenAPI document rendered by them
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from api.policy import PUBLIC, reads

WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
NOT_BUILT = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>绩效台账</title>
<body><p>界面尚未构建：请运行 <code>make ui</code>（需要 Node.js）。接口文档见 <a href="/docs">/docs</a>。</p></body></html>"""


class HashedAssets(StaticFiles):
    """Static files whose names carry their content hash: a browser keeps them for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def install(app: FastAPI) -> None:
    public = [Depends(reads(PUBLIC))]
    for folder, cls in (("assets", HashedAssets), ("vendor", StaticFiles)):
        if (WEB_DIST / folder).is_dir():
            app.mount(f"/{folder}", cls(directory=WEB_DIST / folder), name=folder)

    @app.get("/", include_in_schema=False, dependencies=public, response_model=None)
    def index() -> Any:
        page = WEB_DIST / "index.html"
        return FileResponse(page, headers={"Cache-Control": "no-cache"}) if page.is_file() else HTMLResponse(NOT_BUILT)

    @app.get("/docs", include_in_schema=False, dependencies=public)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="绩效台账 接口文档", oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url="/vendor/swagger-ui/swagger-ui-bundle.js", swagger_css_url="/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/vendor/swagger-ui/favicon-32x32.png",
        )  # fmt: skip

    @app.get("/docs/oauth2-redirect", include_in_schema=False, dependencies=public)
    def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False, dependencies=public)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json", title="绩效台账 接口文档", redoc_js_url="/vendor/redoc/redoc.standalone.js",
            redoc_favicon_url="/vendor/swagger-ui/favicon-32x32.png", with_google_fonts=False,
        )  # fmt: skip
