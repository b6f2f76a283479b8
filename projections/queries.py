"""The query side (查询): reads the projected tables, never the event log.

Every figure is returned as a decimal string ("95.50"), exactly as projected.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from sqlalchemy import Engine, func, select

from ledger.errors import BulletinNotFound, EntryNotFound, PersonNotFound, PlanNotFound, SheetNotFound, UnitNotFound
from ledger.periods import annual_cutoff
from ledger.roster import age_class
from projections import tables as t

PAGE_MAX = 500  # the most rows one list query returns


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


def _entry_out(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["attachments"] = orjson.loads(row["attachments"])
    row["cascaded_to"] = orjson.loads(row["cascaded_to"])
    row["late"] = bool(row["late"])
    # R-DISPUTE-1: while a dispute is open the entry still counts and is shown as disputed.
    row["disputed"] = row.get("dispute") in ("filed", "reviewed")
    return row


def _sheet_out(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["items"] = orjson.loads(row["items"])
    row.pop("aggregate_id", None)
    return row


class Queries:
    def __init__(self, engine: Engine, events_table: str = "stored_events") -> None:
        self.engine = engine
        self.events_table = events_table

    def _all(self, stmt: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return _rows(conn.execute(stmt))

    def _one(self, stmt: Any) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else dict(row._mapping)

    # -- the log ---------------------------------------------------------------------------

    def event_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {self.events_table}").scalar_one())

    def projection_position(self) -> int:
        row = self._one(select(t.tracking.c.position).where(t.tracking.c.name == "ledger"))
        return 0 if row is None else int(row["position"])

    def refusals(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._all(select(t.refusals).order_by(t.refusals.c.id.desc()).limit(min(limit, PAGE_MAX)))

    # -- roster ----------------------------------------------------------------------------

    def units(self, kind: str | None = None) -> list[dict[str, Any]]:
        members = select(t.persons.c.unit, func.count().label("members")).where(t.persons.c.left_on.is_(None)).group_by(t.persons.c.unit).subquery()
        stmt = (
            select(t.units, t.persons.c.name.label("head_name"), func.coalesce(members.c.members, 0).label("members"))
            .outerjoin(t.persons, t.persons.c.code == t.units.c.head)
            .outerjoin(members, members.c.unit == t.units.c.code)
            .order_by(t.units.c.kind, t.units.c.code)
        )
        if kind:
            stmt = stmt.where(t.units.c.kind == kind)
        return self._all(stmt)

    def unit(self, code: str) -> dict[str, Any]:
        row = self._one(select(t.units).where(t.units.c.code == code))
        if row is None:
            raise UnitNotFound(f"unknown unit {code!r}", f"单位不存在：{code!r}", unit=code)
        row["heads"] = self._all(select(t.unit_heads).where(t.unit_heads.c.unit == code).order_by(t.unit_heads.c.effective_from))
        row["members"] = self._all(
            select(t.persons.c.code, t.persons.c.name, t.persons.c.tier)
            .where(t.persons.c.unit == code, t.persons.c.left_on.is_(None))
            .order_by(t.persons.c.code)
        )
        return row

    def persons(self, unit: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        stmt = select(t.persons).order_by(t.persons.c.code).limit(min(limit, PAGE_MAX)).offset(offset)
        if unit:
            stmt = stmt.where(t.persons.c.unit == unit)
        return [self._person_out(r) for r in self._all(stmt)]

    def person(self, code: str, year: int | None = None) -> dict[str, Any]:
        row = self._one(select(t.persons).where(t.persons.c.code == code))
        if row is None:
            raise PersonNotFound(f"unknown person {code!r}", f"人员不存在：{code!r}", person=code)
        row = self._person_out(row, year)
        row["assignments"] = self._all(select(t.assignments).where(t.assignments.c.person == code).order_by(t.assignments.c.effective_from))
        return row

    @staticmethod
    def _person_out(row: dict[str, Any], year: int | None = None) -> dict[str, Any]:
        row = dict(row)
        row["in_authority"] = bool(row["in_authority"])
        # R-ORG-3: the class that governs a year is the one on its annual cut-off date.
        cutoff = annual_cutoff(year or date.today().year)
        row["age_class"] = age_class(row["gender"], date.fromisoformat(row["birth_date"]), cutoff).value
        row["age_class_on"] = cutoff.isoformat()
        return row

    # -- plan ------------------------------------------------------------------------------

    def plan(self, year: int) -> dict[str, Any]:
        row = self._one(select(t.plans).where(t.plans.c.year == year))
        if row is None:
            raise PlanNotFound(f"no plan for {year}", f"{year} 年度考核方案尚未建立", year=year)
        row.pop("aggregate_id", None)
        row["policy"] = orjson.loads(row["policy"])
        row["policy_changes"] = self._all(select(t.policy_changes).where(t.policy_changes.c.year == year).order_by(t.policy_changes.c.position))
        row["periods"] = [
            {**p, "items": orjson.loads(p["items"]), "panels": orjson.loads(p["panels"])}
            for p in self._all(select(t.periods).where(t.periods.c.year == year).order_by(t.periods.c.code))
        ]
        return row

    # -- sheets and entries ----------------------------------------------------------------

    def sheets(
        self,
        *,
        period: str | None = None,
        track: str | None = None,
        unit: str | None = None,
        target: str | None = None,
        year: int | None = None,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        stmt = select(t.sheets).order_by(t.sheets.c.period, t.sheets.c.track, t.sheets.c.target).limit(min(limit, PAGE_MAX)).offset(offset)
        for column, value in (("period", period), ("track", track), ("unit", unit), ("target", target), ("year", year), ("status", status)):
            if value is not None:
                stmt = stmt.where(t.sheets.c[column] == value)
        return [_sheet_out(r) for r in self._all(stmt)]

    def sheet(self, code: str) -> dict[str, Any]:
        row = self._one(select(t.sheets).where(t.sheets.c.code == code))
        if row is None:
            raise SheetNotFound(f"no sheet {code}", f"考核表不存在：{code}", sheet=code)
        out = _sheet_out(row)
        out["entries"] = self._entries_with_prefix(f"{code}:")
        out["provisional"] = any(e["disputed"] for e in out["entries"])
        return out

    def _entries_with_prefix(self, prefix: str) -> list[dict[str, Any]]:
        """Entries whose id starts with `prefix` (ids are `<target>:<period>:<track>:<no>`),
        read as a primary-key range: ':' < ';' and '-' < '.' in code-point order."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = self._all(select(t.entries).where(t.entries.c.entry_id >= prefix, t.entries.c.entry_id < upper))
        rows.sort(key=lambda e: (e["period"], e["track"], e["no"]))
        return [_entry_out(e) for e in rows]

    def entry(self, entry_id: str) -> dict[str, Any]:
        row = self._one(select(t.entries).where(t.entries.c.entry_id == entry_id))
        if row is None:
            raise EntryNotFound(f"no entry {entry_id}", f"扣分记录不存在：{entry_id}", entry_id=entry_id)
        out = _entry_out(row)
        children = self._all(select(t.entries).where(t.entries.c.entry_id.in_(out["cascaded_to"]))) if out["cascaded_to"] else []
        order = {e: i for i, e in enumerate(out["cascaded_to"])}
        out["cascades"] = [_entry_out(e) for e in sorted(children, key=lambda e: order[e["entry_id"]])]
        return out

    def ledger(self, target: str, year: int) -> dict[str, Any]:
        """The target's scoring ledger (评分登记表) for a year: every sheet and every entry,
        with its status (active, reversed, amended), cascade links and finding sources."""
        sheets = [_sheet_out(r) for r in self._all(select(t.sheets).where(t.sheets.c.target == target, t.sheets.c.year == year).order_by(t.sheets.c.period, t.sheets.c.track))]
        entries = self._entries_with_prefix(f"{target}:{year}-")
        if not sheets and not entries:
            self.unit_or_person(target)
        disputed = {e["sheet"] for e in entries if e["disputed"]}
        for sheet in sheets:
            sheet["provisional"] = sheet["code"] in disputed
        return {"target": target, "year": year, "sheets": sheets, "entries": entries}

    def unit_or_person(self, code: str) -> dict[str, Any]:
        row = self._one(select(t.units.c.code).where(t.units.c.code == code)) or self._one(select(t.persons.c.code).where(t.persons.c.code == code))
        if row is None:
            raise UnitNotFound(f"no unit or person {code!r}", f"单位或人员不存在：{code!r}", target=code)
        return row

    def summary(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            count = lambda table: conn.execute(select(func.count()).select_from(table)).scalar_one()  # noqa: E731
            return {
                "units": count(t.units),
                "persons": count(t.persons),
                "sheets": count(t.sheets),
                "entries": count(t.entries),
                "events": int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {self.events_table}").scalar_one()),
                "position": self.projection_position(),
            }

    # -- the annual review -------------------------------------------------------------------

    def bonus_items(self, year: int) -> list[dict[str, Any]]:
        return self._all(select(t.bonus_items).where(t.bonus_items.c.year == year).order_by(t.bonus_items.c.code))

    def bonus_claims(self, year: int | None = None, target: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        stmt = select(t.bonus_claims).order_by(t.bonus_claims.c.year, t.bonus_claims.c.target, t.bonus_claims.c.basis_ref)
        for column, value in (("year", year), ("target", target), ("status", status)):
            if value is not None:
                stmt = stmt.where(t.bonus_claims.c[column] == value)
        out = []
        for row in self._all(stmt.limit(PAGE_MAX)):
            row.pop("aggregate_id", None)
            row["evidence"] = orjson.loads(row["evidence"])
            row["late"], row["carried_over"] = bool(row["late"]), bool(row["carried_over"])
            out.append(row)
        return out

    def vetoes(self, year: int | None = None) -> list[dict[str, Any]]:
        stmt = select(t.vetoes).order_by(t.vetoes.c.year, t.vetoes.c.code)
        if year is not None:
            stmt = stmt.where(t.vetoes.c.year == year)
        out = []
        for row in self._all(stmt.limit(PAGE_MAX)):
            row.pop("aggregate_id", None)
            row["persons"] = orjson.loads(row["persons"])
            out.append(row)
        return out

    def evaluations(self, year: int, target: str | None = None) -> list[dict[str, Any]]:
        stmt = select(t.evaluations).where(t.evaluations.c.year == year).order_by(t.evaluations.c.target, t.evaluations.c.kind)
        if target is not None:
            stmt = stmt.where(t.evaluations.c.target == target)
        return self._all(stmt)


    # -- oversight ---------------------------------------------------------------------------

    def bulletins(self, year: int | None = None) -> list[dict[str, Any]]:
        stmt = select(t.bulletins).order_by(t.bulletins.c.position.desc())
        if year is not None:
            stmt = stmt.where(t.bulletins.c.period.like(f"{year}-%"))
        return self._all(stmt.limit(PAGE_MAX))

    def bulletin(self, number: str) -> dict[str, Any]:
        row = self._one(select(t.bulletins).where(t.bulletins.c.number == number))
        if row is None:
            raise BulletinNotFound(f"no bulletin {number}", f"简报不存在：{number}", bulletin=number)
        return row

    # -- disputes (R-DISPUTE-1) --------------------------------------------------------------

    def disputes(self, year: int | None = None, target: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        stmt = select(t.disputes).order_by(t.disputes.c.filed_position.desc())
        for column, value in (("year", year), ("target", target), ("status", status)):
            if value is not None:
                stmt = stmt.where(t.disputes.c[column] == value)
        out = []
        for row in self._all(stmt.limit(PAGE_MAX)):
            row.pop("aggregate_id", None)
            out.append(row)
        return out

    def dispute(self, entry_id: str) -> dict[str, Any]:
        row = self._one(select(t.disputes).where(t.disputes.c.entry_id == entry_id))
        if row is None:
            raise EntryNotFound(f"no dispute on {entry_id}", f"扣分记录 {entry_id} 没有申诉", entry_id=entry_id)
        row.pop("aggregate_id", None)
        row["entry"] = self.entry(entry_id)
        return row
