"""Helpers shared by the projections: how a value is written into a read-model row."""

from __future__ import annotations

from typing import Any, Callable

import orjson

from ledger.adapters.store import ProjectionCursor

Apply = Callable[[ProjectionCursor, int, Any], None]  # (cursor, position, event)


class RowCache(dict):  # type: ignore[type-arg]
    """Read-model rows kept in memory between commands by the projector, so the row read before
    each change comes from here, not a SELECT. Valid while this process is the only one that
    wrote since it filled them: the projector empties them when the positions it is handed do
    not follow on from its own last one (another server process wrote in between, PostgreSQL)
    and after a failed command. Emptied, too, when it reaches `most` rows (a bound on memory)."""

    def __init__(self, most: int = 100_000) -> None:
        super().__init__()
        self.most = most

    def keep(self, key: Any, row: dict[str, Any]) -> None:
        if len(self) >= self.most:
            self.clear()
        self[key] = row


def json_text(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def date_text(value: Any) -> str | None:
    return None if value is None else value.isoformat()
