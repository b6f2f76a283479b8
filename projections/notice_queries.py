"""Notice queries (公示): the notices and their confirmation, as projected."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from ledger.domain.notice import NoticeNotFound
from projections.query_base import QueryBase



def _out(row: dict[str, Any]) -> dict[str, Any]:
    row["objections"] = json.loads(row["objections"])
    row["late"] = bool(row["late"])
    return row


class NoticeQueries(QueryBase):
    def notices(self, year: int | None = None) -> list[dict[str, Any]]:
        notices = self.tb.notices
        stmt = select(notices).order_by(notices.c.position.desc())
        if year is not None:
            stmt = stmt.where(notices.c.year == year)
        return [_out(r) for r in self._all(stmt)]

    def notice(self, scope: str) -> dict[str, Any]:
        row = self._one(select(self.tb.notices).where(self.tb.notices.c.scope == scope))
        if row is None:
            raise NoticeNotFound(f"no notice for {scope}", f"{scope} 尚未发布公示", scope=scope)
        return _out(row)
