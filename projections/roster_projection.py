"""Roster projection (名册): units, their heads, persons and their effective-dated units (R-ORG-1/2)."""

from __future__ import annotations

from typing import Any

from ledger.adapters.store import ProjectionCursor
from projections.rows import Apply, date_text
from ledger.domain.roster import Roster


class RosterProjection:
    def handlers(self) -> dict[type, Apply]:
        return {
            Roster.Created: lambda cur, pos, e: None,
            Roster.UnitRegistered: self._unit_registered,
            Roster.HeadAppointed: self._head_appointed,
            Roster.PersonEnrolled: self._person_enrolled,
            Roster.PersonTransferred: self._person_transferred,
            Roster.PositionChanged: self._position_changed,
            Roster.AuthoritySet: self._authority_set,
            Roster.PersonLeft: self._person_left,
        }

    def _unit_registered(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO units (code, name, kind, registered_on, head, position) VALUES (?, ?, ?, ?, NULL, ?)",
            (e.code, e.name, e.kind, date_text(e.registered_on), pos),
        )

    def _head_appointed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO unit_heads (unit, effective_from, person, position) VALUES (?, ?, ?, ?)",
            (e.unit, date_text(e.effective_from), e.person, pos),
        )
        cur.execute(
            "UPDATE units SET head = (SELECT person FROM unit_heads WHERE unit = ? ORDER BY effective_from DESC LIMIT 1), position = ? WHERE code = ?",
            (e.unit, pos, e.unit),
        )

    def _person_enrolled(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO persons (code, name, gender, birth_date, tier, position_grade, joined_on, left_on, in_authority, unit, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
            (e.code, e.name, e.gender, date_text(e.birth_date), e.tier, e.position_grade, date_text(e.joined_on), bool(e.in_authority), e.unit, pos),
        )
        cur.execute(
            "INSERT INTO assignments (person, effective_from, unit, position) VALUES (?, ?, ?, ?)", (e.code, date_text(e.joined_on), e.unit, pos)
        )

    def _person_transferred(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO assignments (person, effective_from, unit, position) VALUES (?, ?, ?, ?)",
            (e.person, date_text(e.effective_from), e.unit, pos),
        )
        cur.execute(
            "UPDATE persons SET unit = (SELECT unit FROM assignments WHERE person = ? ORDER BY effective_from DESC LIMIT 1), position = ? WHERE code = ?",
            (e.person, pos, e.person),
        )

    def _position_changed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        # The grade before a change is kept: a senior graded excellent is paid the former
        # position's target-bonus base (R-BONUS-T-2).
        cur.execute(
            "UPDATE persons SET former_position_grade = CASE WHEN position_grade <> ? THEN position_grade ELSE former_position_grade END,"
            " tier = ?, position_grade = ?, position = ? WHERE code = ?",
            (e.position_grade, e.tier, e.position_grade, pos, e.person),
        )

    def _authority_set(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute("UPDATE persons SET in_authority = ?, position = ? WHERE code = ?", (bool(e.in_authority), pos, e.person))

    def _person_left(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute("UPDATE persons SET left_on = ?, position = ? WHERE code = ?", (date_text(e.left_on), pos, e.person))
