"""The annual review's facts (年度考核): bonus items and claims (R-BONUS-1..3), vetoes (R-VETO-1/2),
evaluations and exemptions. The results computed from them are `projections.annual`."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select

from projections.query_base import PAGE_MAX, QueryBase


class ReviewQueries(QueryBase):
    def bonus_items(self, year: int) -> list[dict[str, Any]]:
        items = self.tb.bonus_items
        return self._all(select(items).where(items.c.year == year).order_by(items.c.code))

    def bonus_claims(self, year: int | None = None, target: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        claims = self.tb.bonus_claims
        stmt = select(claims).order_by(claims.c.year, claims.c.target, claims.c.basis_ref)
        for column, value in (("year", year), ("target", target), ("status", status)):
            if value is not None:
                stmt = stmt.where(claims.c[column] == value)
        out = []
        for row in self._all(stmt.limit(PAGE_MAX)):
            row.pop("aggregate_id", None)
            row["evidence"] = orjson.loads(row["evidence"])
            row["late"], row["carried_over"] = bool(row["late"]), bool(row["carried_over"])
            out.append(row)
        return out

    def vetoes(self, year: int | None = None, unit: str | None = None) -> list[dict[str, Any]]:
        vetoes = self.tb.vetoes
        stmt = select(vetoes).order_by(vetoes.c.year, vetoes.c.code)
        if year is not None:
            stmt = stmt.where(vetoes.c.year == year)
        if unit is not None:
            stmt = stmt.where(vetoes.c.unit == unit)
        out = []
        for row in self._all(stmt.limit(PAGE_MAX)):
            row.pop("aggregate_id", None)
            row["persons"] = orjson.loads(row["persons"])
            out.append(row)
        return out

    def evaluations(self, year: int, target: str | None = None) -> list[dict[str, Any]]:
        evaluations = self.tb.evaluations
        stmt = select(evaluations).where(evaluations.c.year == year).order_by(evaluations.c.target, evaluations.c.kind)
        if target is not None:
            stmt = stmt.where(evaluations.c.target == target)
        return self._all(stmt)
