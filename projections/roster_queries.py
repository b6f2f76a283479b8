"""Roster queries (名册): units, their heads, persons, and where a person belongs (R-ORG-1/2/3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from ledger.domain.errors import PersonNotFound, UnitNotFound
from ledger.domain.periods import annual_cutoff
from ledger.domain.roster import age_class
from projections.query_base import PAGE_MAX, QueryBase


class RosterQueries(QueryBase):
    def units(self, kind: str | None = None) -> list[dict[str, Any]]:
        tb = self.tb
        members = select(tb.persons.c.unit, func.count().label("members")).where(tb.persons.c.left_on.is_(None)).group_by(tb.persons.c.unit).subquery()
        stmt = (
            select(tb.units, tb.persons.c.name.label("head_name"), func.coalesce(members.c.members, 0).label("members"))
            .outerjoin(tb.persons, tb.persons.c.code == tb.units.c.head)
            .outerjoin(members, members.c.unit == tb.units.c.code)
            .order_by(tb.units.c.kind, tb.units.c.code)
        )
        if kind:
            stmt = stmt.where(tb.units.c.kind == kind)
        return self._all(stmt)

    def unit(self, code: str) -> dict[str, Any]:
        tb = self.tb
        row = self._one(select(tb.units).where(tb.units.c.code == code))
        if row is None:
            raise UnitNotFound(f"unknown unit {code!r}", f"单位不存在：{code!r}", unit=code)
        row["heads"] = self._all(select(tb.unit_heads).where(tb.unit_heads.c.unit == code).order_by(tb.unit_heads.c.effective_from))
        row["members"] = self._all(
            select(tb.persons.c.code, tb.persons.c.name, tb.persons.c.tier)
            .where(tb.persons.c.unit == code, tb.persons.c.left_on.is_(None))
            .order_by(tb.persons.c.code)
        )
        return row

    def persons(self, unit: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        stmt = select(self.tb.persons).order_by(self.tb.persons.c.code).limit(min(limit, PAGE_MAX)).offset(offset)
        if unit:
            stmt = stmt.where(self.tb.persons.c.unit == unit)
        return [self._person_out(r) for r in self._all(stmt)]

    def all_persons(self) -> list[dict[str, Any]]:
        """Every person on the roster, by code (a form or a list that names them all; not paged)."""
        return [self._person_out(r) for r in self._all(select(self.tb.persons).order_by(self.tb.persons.c.code))]

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

    def unit_or_person(self, code: str) -> dict[str, Any]:
        row = self._one(select(self.tb.units.c.code).where(self.tb.units.c.code == code)) or self._one(select(self.tb.persons.c.code).where(self.tb.persons.c.code == code))
        if row is None:
            raise UnitNotFound(f"no unit or person {code!r}", f"单位或人员不存在：{code!r}", target=code)
        return row

    # -- where someone belongs: narrow lookups for the read policy (api/policy.py) -----------------

    def has_unit(self, code: str) -> bool:
        return self._one(select(self.tb.units.c.code).where(self.tb.units.c.code == code)) is not None

    def unit_of_person(self, person: str, on: date | None = None) -> str | None:
        """A person's unit (R-ORG-2): the assignment in force on `on`, or without a date their
        latest; None on a date before their first assignment."""
        tb = self.tb
        if on is None:
            row = self._one(select(tb.persons.c.unit).where(tb.persons.c.code == person))
            if row is None:
                raise PersonNotFound(f"unknown person {person!r}", f"人员不存在：{person!r}", person=person)
            return str(row["unit"])
        row = self._one(
            select(tb.assignments.c.unit)
            .where(tb.assignments.c.person == person, tb.assignments.c.effective_from <= on.isoformat())
            .order_by(tb.assignments.c.effective_from.desc())
            .limit(1)
        )
        if row is not None:
            return str(row["unit"])
        self.unit_of_person(person)  # PERSON_NOT_FOUND, or enrolled after `on`
        return None

    def unit_of(self, code: str, on: date | None = None) -> str | None:
        """The unit a person or unit belongs to: a unit is its own; a person's is `unit_of_person`.
        A code on neither list is UNIT_NOT_FOUND (the same error as a ledger of nobody)."""
        if self.has_unit(code):
            return code
        try:
            return self.unit_of_person(code, on)
        except PersonNotFound:
            raise UnitNotFound(f"no unit or person {code!r}", f"单位或人员不存在：{code!r}", target=code) from None

    def units_headed_by(self, person: str, on: date | None = None) -> frozenset[str]:
        """The units `person` heads (R-ORG-1): on a date, those whose appointment in force then is
        theirs; without a date, those whose latest appointment is theirs (`units.head`)."""
        tb = self.tb
        if on is None:
            return frozenset(r["code"] for r in self._all(select(tb.units.c.code).where(tb.units.c.head == person)))
        ever = [r["unit"] for r in self._all(select(tb.unit_heads.c.unit).where(tb.unit_heads.c.person == person).distinct())]
        if not ever:
            return frozenset()
        appointments = self._all(
            select(tb.unit_heads.c.unit, tb.unit_heads.c.person)
            .where(tb.unit_heads.c.unit.in_(ever), tb.unit_heads.c.effective_from <= on.isoformat())
            .order_by(tb.unit_heads.c.unit, tb.unit_heads.c.effective_from)
        )
        in_force = {a["unit"]: a["person"] for a in appointments}  # the last appointment per unit wins
        return frozenset(unit for unit, head in in_force.items() if head == person)
