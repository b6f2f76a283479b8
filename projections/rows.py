"""Helpers shared by the projections: how a value is written into a read-model row."""

from __future__ import annotations

from typing import Any, Callable

import orjson

from ledger.adapters.store import ProjectionCursor

Apply = Callable[[ProjectionCursor, int, Any], None]  # (cursor, position, event)


def json_text(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def date_text(value: Any) -> str | None:
    return None if value is None else value.isoformat()
