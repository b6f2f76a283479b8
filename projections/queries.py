"""The query side (查询): reads the projected tables, never the event log.

Every figure is returned as a decimal string ("95.50"), exactly as projected.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from sqlalchemy import Engine, func, select

from ledger.clock import Clock
from ledger.domain.errors import BulletinNotFound, EntryNotFound, PersonNotFound, PlanNotFound, SheetNotFound, UnitNotFound
from ledger.domain.periods import annual_cutoff
from ledger.domain.roster import age_class
from ledger.adapters import tables as ledger_tables
from projections import tables as t
from projections.history import Tables

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
    def __init__(self, engine: Engine, events_table: str = "stored_events", as_of: int | None = None, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or Clock()  # the current year, where a read names none
        self.events_table = events_table
        self.as_of = as_of  # a log position: every read below answers as of it (R-Q-3)
        self.tb = Tables(as_of)

    def at(self, position: int | None) -> "Queries":
        """The same queries as of a log position (None: live)."""
        return self if position == self.as_of else Queries(self.engine, self.events_table, position, self.clock)

    def position_at(self, moment: str) -> int:
        """The log position at a moment (ISO 8601, UTC unless it says otherwise): the last event
        recorded at or before it; 0 before the first."""
        with self.engine.connect() as conn:
            found = conn.execute(select(func.max(ledger_tables.event_chain.c.position)).where(ledger_tables.event_chain.c.recorded_at <= moment)).scalar()
        return int(found or 0)

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
        row = self._one(select(self.tb.tracking.c.position).where(self.tb.tracking.c.name == "ledger"))
        return 0 if row is None else int(row["position"])

    def refusals(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._all(select(ledger_tables.refusals).order_by(ledger_tables.refusals.c.id.desc()).limit(min(limit, PAGE_MAX)))

    # -- roster ----------------------------------------------------------------------------

    def units(self, kind: str | None = None) -> list[dict[str, Any]]:
        members = select(self.tb.persons.c.unit, func.count().label("members")).where(self.tb.persons.c.left_on.is_(None)).group_by(self.tb.persons.c.unit).subquery()
        stmt = (
            select(self.tb.units, self.tb.persons.c.name.label("head_name"), func.coalesce(members.c.members, 0).label("members"))
            .outerjoin(self.tb.persons, self.tb.persons.c.code == self.tb.units.c.head)
            .outerjoin(members, members.c.unit == self.tb.units.c.code)
            .order_by(self.tb.units.c.kind, self.tb.units.c.code)
        )
        if kind:
            stmt = stmt.where(self.tb.units.c.kind == kind)
        return self._all(stmt)

    def unit(self, code: str) -> dict[str, Any]:
        row = self._one(select(self.tb.units).where(self.tb.units.c.code == code))
        if row is None:
            raise UnitNotFound(f"unknown unit {code!r}", f"单位不存在：{code!r}", unit=code)
        row["heads"] = self._all(select(self.tb.unit_heads).where(self.tb.unit_heads.c.unit == code).order_by(self.tb.unit_heads.c.effective_from))
        row["members"] = self._all(
            select(self.tb.persons.c.code, self.tb.persons.c.name, self.tb.persons.c.tier)
            .where(self.tb.persons.c.unit == code, self.tb.persons.c.left_on.is_(None))
            .order_by(self.tb.persons.c.code)
        )
        return row

    def persons(self, unit: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        stmt = select(self.tb.persons).order_by(self.tb.persons.c.code).limit(min(limit, PAGE_MAX)).offset(offset)
        if unit:
            stmt = stmt.where(self.tb.persons.c.unit == unit)
        return [self._person_out(r) for r in self._all(stmt)]

    def person(self, code: str, year: int | None = None) -> dict[str, Any]:
        row = self._one(select(self.tb.persons).where(self.tb.persons.c.code == code))
        if row is None:
            raise PersonNotFound(f"unknown person {code!r}", f"人员不存在：{code!r}", person=code)
        row = self._person_out(row, year)
        row["assignments"] = self._all(select(self.tb.assignments).where(self.tb.assignments.c.person == code).order_by(self.tb.assignments.c.effective_from))
        return row

    def _person_out(self, row: dict[str, Any], year: int | None = None) -> dict[str, Any]:
        row = dict(row)
        row["in_authority"] = bool(row["in_authority"])
        # R-ORG-3: the class that governs a year is the one on its annual cut-off date.
        cutoff = annual_cutoff(year or self.clock.today().year)
        row["age_class"] = age_class(row["gender"], date.fromisoformat(row["birth_date"]), cutoff).value
        row["age_class_on"] = cutoff.isoformat()
        return row

    # -- plan ------------------------------------------------------------------------------

    def plan(self, year: int) -> dict[str, Any]:
        row = self._one(select(self.tb.plans).where(self.tb.plans.c.year == year))
        if row is None:
            raise PlanNotFound(f"no plan for {year}", f"{year} 年度考核方案尚未建立", year=year)
        row.pop("aggregate_id", None)
        row["policy"] = orjson.loads(row["policy"])
        row["policy_changes"] = self._all(select(self.tb.policy_changes).where(self.tb.policy_changes.c.year == year).order_by(self.tb.policy_changes.c.position))
        row["periods"] = [
            {**p, "items": orjson.loads(p["items"]), "panels": orjson.loads(p["panels"])}
            for p in self._all(select(self.tb.periods).where(self.tb.periods.c.year == year).order_by(self.tb.periods.c.code))
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
        stmt = select(self.tb.sheets).order_by(self.tb.sheets.c.period, self.tb.sheets.c.track, self.tb.sheets.c.target).limit(min(limit, PAGE_MAX)).offset(offset)
        for column, value in (("period", period), ("track", track), ("unit", unit), ("target", target), ("year", year), ("status", status)):
            if value is not None:
                stmt = stmt.where(self.tb.sheets.c[column] == value)
        return [_sheet_out(r) for r in self._all(stmt)]

    def sheet(self, code: str) -> dict[str, Any]:
        row = self._one(select(self.tb.sheets).where(self.tb.sheets.c.code == code))
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
        rows = self._all(select(self.tb.entries).where(self.tb.entries.c.entry_id >= prefix, self.tb.entries.c.entry_id < upper))
        rows.sort(key=lambda e: (e["period"], e["track"], e["no"]))
        return [_entry_out(e) for e in rows]

    def entry(self, entry_id: str) -> dict[str, Any]:
        row = self._one(select(self.tb.entries).where(self.tb.entries.c.entry_id == entry_id))
        if row is None:
            raise EntryNotFound(f"no entry {entry_id}", f"扣分记录不存在：{entry_id}", entry_id=entry_id)
        out = _entry_out(row)
        children = self._all(select(self.tb.entries).where(self.tb.entries.c.entry_id.in_(out["cascaded_to"]))) if out["cascaded_to"] else []
        order = {e: i for i, e in enumerate(out["cascaded_to"])}
        out["cascades"] = [_entry_out(e) for e in sorted(children, key=lambda e: order[e["entry_id"]])]
        return out

    def ledger(self, target: str, year: int) -> dict[str, Any]:
        """The target's scoring ledger (评分登记表) for a year: every sheet and every entry,
        with its status (active, reversed, amended), cascade links and finding sources."""
        sheets = [_sheet_out(r) for r in self._all(select(self.tb.sheets).where(self.tb.sheets.c.target == target, self.tb.sheets.c.year == year).order_by(self.tb.sheets.c.period, self.tb.sheets.c.track))]
        entries = self._entries_with_prefix(f"{target}:{year}-")
        if not sheets and not entries:
            self.unit_or_person(target)
        disputed = {e["sheet"] for e in entries if e["disputed"]}
        for sheet in sheets:
            sheet["provisional"] = sheet["code"] in disputed
        return {"target": target, "year": year, "sheets": sheets, "entries": entries}

    def unit_or_person(self, code: str) -> dict[str, Any]:
        row = self._one(select(self.tb.units.c.code).where(self.tb.units.c.code == code)) or self._one(select(self.tb.persons.c.code).where(self.tb.persons.c.code == code))
        if row is None:
            raise UnitNotFound(f"no unit or person {code!r}", f"单位或人员不存在：{code!r}", target=code)
        return row

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

    # -- the annual review -------------------------------------------------------------------

    def bonus_items(self, year: int) -> list[dict[str, Any]]:
        return self._all(select(self.tb.bonus_items).where(self.tb.bonus_items.c.year == year).order_by(self.tb.bonus_items.c.code))

    def bonus_claims(self, year: int | None = None, target: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        stmt = select(self.tb.bonus_claims).order_by(self.tb.bonus_claims.c.year, self.tb.bonus_claims.c.target, self.tb.bonus_claims.c.basis_ref)
        for column, value in (("year", year), ("target", target), ("status", status)):
            if value is not None:
                stmt = stmt.where(self.tb.bonus_claims.c[column] == value)
        out = []
        for row in self._all(stmt.limit(PAGE_MAX)):
            row.pop("aggregate_id", None)
            row["evidence"] = orjson.loads(row["evidence"])
            row["late"], row["carried_over"] = bool(row["late"]), bool(row["carried_over"])
            out.append(row)
        return out

    def vetoes(self, year: int | None = None) -> list[dict[str, Any]]:
        stmt = select(self.tb.vetoes).order_by(self.tb.vetoes.c.year, self.tb.vetoes.c.code)
        if year is not None:
            stmt = stmt.where(self.tb.vetoes.c.year == year)
        out = []
        for row in self._all(stmt.limit(PAGE_MAX)):
            row.pop("aggregate_id", None)
            row["persons"] = orjson.loads(row["persons"])
            out.append(row)
        return out

    def evaluations(self, year: int, target: str | None = None) -> list[dict[str, Any]]:
        stmt = select(self.tb.evaluations).where(self.tb.evaluations.c.year == year).order_by(self.tb.evaluations.c.target, self.tb.evaluations.c.kind)
        if target is not None:
            stmt = stmt.where(self.tb.evaluations.c.target == target)
        return self._all(stmt)


    # -- oversight ---------------------------------------------------------------------------

    def bulletins(self, year: int | None = None) -> list[dict[str, Any]]:
        stmt = select(self.tb.bulletins).order_by(self.tb.bulletins.c.position.desc())
        if year is not None:
            stmt = stmt.where(self.tb.bulletins.c.period.like(f"{year}-%"))
        return self._all(stmt.limit(PAGE_MAX))

    def bulletin(self, number: str) -> dict[str, Any]:
        row = self._one(select(self.tb.bulletins).where(self.tb.bulletins.c.number == number))
        if row is None:
            raise BulletinNotFound(f"no bulletin {number}", f"简报不存在：{number}", bulletin=number)
        return row

    # -- disputes (R-DISPUTE-1) --------------------------------------------------------------

    def disputes(self, year: int | None = None, target: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        stmt = select(self.tb.disputes).order_by(self.tb.disputes.c.filed_position.desc())
        for column, value in (("year", year), ("target", target), ("status", status)):
            if value is not None:
                stmt = stmt.where(self.tb.disputes.c[column] == value)
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
