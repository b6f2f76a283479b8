"""Plan queries (考核方案): a year's plan with its policy, policy changes and periods (R-PLAN-1/2)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select

from ledger.domain.errors import PlanNotFound
from projections.query_base import QueryBase


class PlanQueries(QueryBase):
    def plan(self, year: int) -> dict[str, Any]:
        tb = self.tb
        row = self._one(select(tb.plans).where(tb.plans.c.year == year))
        if row is None:
            raise PlanNotFound(f"no plan for {year}", f"{year} 年度考核方案尚未建立", year=year)
        row.pop("aggregate_id", None)
        row["policy"] = orjson.loads(row["policy"])
        row["policy_changes"] = self._all(select(tb.policy_changes).where(tb.policy_changes.c.year == year).order_by(tb.policy_changes.c.position))
        row["periods"] = [
            {**p, "items": orjson.loads(p["items"]), "panels": orjson.loads(p["panels"])}
            for p in self._all(select(tb.periods).where(tb.periods.c.year == year).order_by(tb.periods.c.code))
        ]
        return row

    def units_assessed_by(self, person: str) -> frozenset[str]:
        """The units on the panels `person` sits on (R-SHEET-5), in any period of any year."""
        units: set[str] = set()
        for row in self._all(select(self.tb.periods.c.panels)):
            for panel in orjson.loads(row["panels"]):
                if person in panel.get("assessors", ()):
                    units.update(panel.get("units", ()))
        return frozenset(units)
