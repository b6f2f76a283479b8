"""The HTTP answer for a document: its content type and a Chinese file name (RFC 6266 / RFC 5987)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response

MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


def content_disposition(filename: str, inline: bool = False) -> str:
    """`attachment; filename="<ascii fallback>"; filename*=UTF-8''<percent-encoded>` — the UTF-8
    name for every current browser, a plain fallback for anything older."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in filename)
    return f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(content: bytes, filename: str, extension: str, inline: bool = False, as_of: int | None = None) -> Response:
    """The file as an answer. `as_of`: the log position it was read at, in X-As-Of-Position (a
    route that returns its own Response loses the header the view's dependency set)."""
    headers = {"Content-Disposition": content_disposition(f"{filename}.{extension}", inline), "Cache-Control": "no-store"}
    if as_of is not None:
        headers["X-As-Of-Position"] = str(as_of)
    return Response(content, media_type=MEDIA[extension], headers=headers)


def responses(*extensions: str) -> dict[int | str, dict[str, object]]:
    """The OpenAPI `responses` of a download route: 200 with each content type, a binary body."""
    return {200: {"content": {MEDIA[e].split(";")[0]: {"schema": {"type": "string", "format": "binary"}} for e in extensions}, "description": "the document (下载文件)"}}
