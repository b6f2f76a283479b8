"""The log's own figures: its length, the projection's position, a moment's position (R-Q-3),
the refused commands (R-ORG-4) and the ledger's size."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ledger.adapters import tables as ledger_tables
from projections.query_base import PAGE_MAX, QueryBase, projection_position


class LogQueries(QueryBase):
    def position_at(self, moment: str) -> int:
        """The log position at a moment (ISO 8601, UTC unless it says otherwise): the last event
        recorded at or before it; 0 before the first."""
        chain = ledger_tables.event_chain
        with self.engine.connect() as conn:
            found = conn.execute(select(func.max(chain.c.position)).where(chain.c.recorded_at <= moment)).scalar()
        return int(found or 0)

    def event_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {self.events_table}").scalar_one())

    def projection_position(self) -> int:
        return projection_position(self.engine)

    def refusals(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._all(select(ledger_tables.refusals).order_by(ledger_tables.refusals.c.id.desc()).limit(min(limit, PAGE_MAX)))

    def audit_log(
        self,
        user: str | None = None,
        action: str | None = None,
        outcome: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """安全审计日志, newest first: by user, action (a prefix: `command:` or `read:` or a full
        action), outcome, and a time range (UTC ISO moments, `since` inclusive, `until` exclusive)."""
        log = ledger_tables.audit_log
        stmt = select(*[c for c in log.c if c.name != "mac"]).order_by(log.c.id.desc())
        if user is not None:
            stmt = stmt.where(log.c.user_id == user)
        if action is not None:
            stmt = stmt.where(log.c.action.startswith(action, autoescape=True))
        if outcome is not None:
            stmt = stmt.where(log.c.outcome == outcome)
        if since is not None:
            stmt = stmt.where(log.c.at >= since)
        if until is not None:
            stmt = stmt.where(log.c.at < until)
        return self._all(stmt.limit(min(limit, PAGE_MAX)).offset(offset))

    def summary(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            count = lambda table: conn.execute(select(func.count()).select_from(table)).scalar_one()  # noqa: E731
            return {
                "units": count(self.tb.units),
                "persons": count(self.tb.persons),
                "sheets": count(self.tb.sheets),
                "entries": count(self.tb.entries),
                "events": int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {self.events_table}").scalar_one()),
                "position": self.projection_position(),
            }
