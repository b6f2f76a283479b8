"""Oversight queries (监督): bulletins with their log digests (R-AUDIT-1) and disputes (R-DISPUTE-1)."""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import select

from ledger.domain.errors import BulletinNotFound, EntryNotFound
from projections.query_base import PAGE_MAX, QueryBase


class OversightQueries(QueryBase):
    entry: Callable[[str], dict[str, Any]]  # SheetQueries, in the composed `Queries`

    def bulletins(self, year: int | None = None) -> list[dict[str, Any]]:
        bulletins = self.tb.bulletins
        stmt = select(bulletins).order_by(bulletins.c.position.desc())
        if year is not None:
            stmt = stmt.where(bulletins.c.period.like(f"{year}-%"))
        return self._all(stmt.limit(PAGE_MAX))

    def bulletin(self, number: str) -> dict[str, Any]:
        row = self._one(select(self.tb.bulletins).where(self.tb.bulletins.c.number == number))
        if row is None:
            raise BulletinNotFound(f"no bulletin {number}", f"简报不存在：{number}", bulletin=number)
        return row

    def disputes(self, year: int | None = None, target: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        disputes = self.tb.disputes
        stmt = select(disputes).order_by(disputes.c.filed_position.desc())
        for column, value in (("year", year), ("target", target), ("status", status)):
            if value is not None:
                stmt = stmt.where(disputes.c[column] == value)
        out = []
        for row in self._all(stmt.limit(PAGE_MAX)):
            row.pop("aggregate_id", None)
            out.append(row)
        return out

    def dispute(self, entry_id: str) -> dict[str, Any]:
        row = self._one(select(self.tb.disputes).where(self.tb.disputes.c.entry_id == entry_id))
        if row is None:
            raise EntryNotFound(f"no dispute on {entry_id}", f"扣分记录 {entry_id} 没有申诉", entry_id=entry_id)
        row.pop("aggregate_id", None)
        row["entry"] = self.entry(entry_id)
        return row

    def dispute_owner(self, entry_id: str) -> dict[str, Any]:
        """The disputed target and the unit of the entry in dispute (for api/policy.py)."""
        disputes, entries = self.tb.disputes, self.tb.entries
        row = self._one(
            select(disputes.c.target, entries.c.unit)
            .select_from(disputes.join(entries, entries.c.entry_id == disputes.c.entry_id))
            .where(disputes.c.entry_id == entry_id)
        )
        if row is None:
            raise EntryNotFound(f"no dispute on {entry_id}", f"扣分记录 {entry_id} 没有申诉", entry_id=entry_id)
        return row
