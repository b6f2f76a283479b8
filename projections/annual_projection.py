"""The annual inputs' projection: running sums per person and per unit track, and the annual
review's facts (evaluations, bonus items and claims, vetoes, target-bonus settings).

Part of `projections.projector.Projector` in the command's transaction. A deduction changes
one person's or one unit track's sums in O(1); `projections.annual` turns the sums into results.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable


from ledger.domain.bonus import BonusClaim
from ledger.domain.numbers import CENT, HUNDRED, ZERO, fmt
from ledger.domain.review import AnnualReview
from ledger.adapters.store import ProjectionCursor
from ledger.domain.veto import Veto
from projections import tables
from projections.rows import Apply, RowCache, json_text

RATE_TOTAL_PLACES = Decimal("0.0001")


class AnnualProjection:
    def __init__(self) -> None:
        self._persons = RowCache()  # by (year, person)
        self._tracks = RowCache()  # by (year, unit, track)

    def discard(self) -> None:
        self._persons.clear()
        self._tracks.clear()

    def handlers(self) -> dict[type, Apply]:
        return {
            AnnualReview.Started: lambda cur, pos, e: None,
            AnnualReview.BonusItemDefined: self._bonus_item_defined,
            AnnualReview.DemocraticRateRecorded: self._evaluation("democratic", lambda e: (e.person, fmt(e.rate))),
            AnnualReview.GrassrootsRateRecorded: self._evaluation("grassroots", lambda e: (e.unit, fmt(e.rate))),
            AnnualReview.ComprehensiveGradeRecorded: self._evaluation("party_grade", lambda e: (e.person, e.grade)),
            AnnualReview.ExemptionApproved: self._evaluation(
                "exemption", lambda e: (e.person, json_text({"reason": e.reason, "application_ref": e.application_ref}))
            ),
            AnnualReview.TargetBonusSet: self._target_bonus_set,
            BonusClaim.Filed: self._claim_filed,
            BonusClaim.Approved: self._claim_decided("approved"),
            BonusClaim.Rejected: self._claim_decided("rejected"),
            Veto.Imposed: self._veto_imposed,
            Veto.Lifted: self._veto_lifted,
        }

    # -- running sums of sheets ------------------------------------------------------------

    def _person(self, cur: ProjectionCursor, year: int, person: str) -> dict[str, Any]:
        key = (year, person)
        row = self._persons.get(key)
        if row is None:
            cur.execute("SELECT months, months_published, monthly_total, deducted_total FROM annual_persons WHERE year = ? AND person = ?", key)
            found = cur.fetchone()
            row = dict(found) if found is not None else {"months": 0, "months_published": 0, "monthly_total": "0.00", "deducted_total": "0.00"}
            row["_new"] = found is None
            self._persons.keep(key, row)
        return row

    def _write_person(self, cur: ProjectionCursor, pos: int, year: int, person: str, row: dict[str, Any]) -> None:
        params = (row["months"], row["months_published"], row["monthly_total"], row["deducted_total"], pos, year, person)
        if row.pop("_new", False):
            cur.execute(
                "INSERT INTO annual_persons (months, months_published, monthly_total, deducted_total, position, year, person) VALUES (?, ?, ?, ?, ?, ?, ?)",
                params,
            )
        else:
            cur.execute(
                "UPDATE annual_persons SET months = ?, months_published = ?, monthly_total = ?, deducted_total = ?, position = ? WHERE year = ? AND person = ?",
                params,
            )

    def _track(self, cur: ProjectionCursor, year: int, unit: str, track: str) -> dict[str, Any]:
        key = (year, unit, track)
        row = self._tracks.get(key)
        if row is None:
            cur.execute("SELECT sheets, sheets_published, rate_total FROM annual_unit_tracks WHERE year = ? AND unit = ? AND track = ?", key)
            found = cur.fetchone()
            row = dict(found) if found is not None else {"sheets": 0, "sheets_published": 0, "rate_total": "0.0000"}
            row["_new"] = found is None
            self._tracks.keep(key, row)
        return row

    def _write_track(self, cur: ProjectionCursor, pos: int, year: int, unit: str, track: str, row: dict[str, Any]) -> None:
        params = (row["sheets"], row["sheets_published"], row["rate_total"], pos, year, unit, track)
        if row.pop("_new", False):
            cur.execute(
                "INSERT INTO annual_unit_tracks (sheets, sheets_published, rate_total, position, year, unit, track) VALUES (?, ?, ?, ?, ?, ?, ?)", params
            )
        else:
            cur.execute(
                "UPDATE annual_unit_tracks SET sheets = ?, sheets_published = ?, rate_total = ?, position = ? WHERE year = ? AND unit = ? AND track = ?",
                params,
            )

    def sheet_changed(self, cur: ProjectionCursor, pos: int, sheet: dict[str, Any], *, sheets: int, published: int, score_delta: Decimal, deducted_delta: Decimal) -> None:
        """Add a sheet's change to its target's sums: a new sheet (sheets=1, score_delta=100),
        a deduction or reversal (the score's and the deducted points' changes), or a
        publication (published=±1)."""
        year = sheet["year"]
        if sheet["target_kind"] == "person":
            row = self._person(cur, year, sheet["target"])
            row["months"] += sheets
            row["months_published"] += published
            row["monthly_total"] = fmt((Decimal(row["monthly_total"]) + score_delta).quantize(CENT))
            row["deducted_total"] = fmt((Decimal(row["deducted_total"]) + deducted_delta).quantize(CENT))
            self._write_person(cur, pos, year, sheet["target"], row)
        else:
            row = self._track(cur, year, sheet["target"], sheet["track"])
            row["sheets"] += sheets
            row["sheets_published"] += published
            row["rate_total"] = fmt((Decimal(row["rate_total"]) + score_delta / HUNDRED).quantize(RATE_TOTAL_PLACES))
            self._write_track(cur, pos, year, sheet["target"], sheet["track"], row)

    # -- the review's facts ------------------------------------------------------------------

    def _bonus_item_defined(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO bonus_items (year, code, title, points, requirement, applies_to, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (e.year, e.code, e.title, fmt(e.points), e.requirement, e.applies_to, pos),
        )

    def _evaluation(self, kind: str, target_value: Callable[[Any], tuple[str, str]]) -> Apply:
        def apply(cur: ProjectionCursor, pos: int, e: Any) -> None:
            target, value = target_value(e)
            # An upsert, never delete + insert: the row's earlier version goes to its history
            # table (projections/history.py), so as-of queries see what was shown before.
            cur.execute(
                "INSERT INTO evaluations (year, target, kind, value, recorded_at, recorded_by, position) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (year, target, kind) DO UPDATE SET value = excluded.value, recorded_at = excluded.recorded_at,"
                " recorded_by = excluded.recorded_by, position = excluded.position",
                (e.year, target, kind, value, e.timestamp.isoformat(), e.actor["user"], pos),
            )

        return apply

    def _target_bonus_set(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO target_bonus (year, bases, point_value, position) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (year) DO UPDATE SET bases = excluded.bases, point_value = excluded.point_value, position = excluded.position",
            (e.year, json_text({k: fmt(v) for k, v in e.bases.items()}), fmt(e.point_value), pos),
        )

    def _claim_filed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO bonus_claims (target, basis_ref, aggregate_id, year, target_kind, item, points, basis, earned_on, document_dated, evidence,"
            " filed_on, late, carried_over, status, filed_by, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'filed', ?, ?)",
            (
                e.target, e.basis_ref, str(e.originator_id), e.year, e.target_kind, e.item, fmt(e.points), e.basis, e.earned_on.isoformat(),
                e.document_dated.isoformat(), json_text(e.evidence), e.filed_on.isoformat(), bool(e.late), bool(e.carried_over), e.actor["user"], pos,
            ),
        )  # fmt: skip

    def _claim_decided(self, status: str) -> Apply:
        def apply(cur: ProjectionCursor, pos: int, e: Any) -> None:
            cur.execute(
                "UPDATE bonus_claims SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ?, position = ? WHERE aggregate_id = ?",
                (status, e.actor["user"], e.timestamp.isoformat(), e.reason, pos, str(e.originator_id)),
            )

        return apply

    def _veto_imposed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO vetoes (code, aggregate_id, year, unit, kind, head, persons, occurred_on, reason, decision_ref, status, imposed_by, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
            (
                e.code, str(e.originator_id), e.year, e.unit, e.kind, e.head, json_text(e.persons), e.occurred_on.isoformat(), e.reason,
                e.decision_ref, e.actor["user"], pos,
            ),
        )  # fmt: skip

    def _veto_lifted(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "UPDATE vetoes SET status = 'lifted', lifted_by = ?, lift_reason = ?, lift_ref = ?, position = ? WHERE aggregate_id = ?",
            (e.actor["user"], e.reason, e.decision_ref, pos, str(e.originator_id)),
        )


# -- batch mode, for `jixiao rebuild` ---------------------------------------------------------

PERSON_COLUMNS = tuple(c.name for c in tables.annual_persons.columns)
TRACK_COLUMNS = tuple(c.name for c in tables.annual_unit_tracks.columns)


def _statements(table: str, columns: tuple[str, ...]) -> tuple[str, str]:
    names = ", ".join(columns)
    return (
        f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})",
        f"INSERT INTO {table}_history ({names}, superseded_at) VALUES ({', '.join('?' * (len(columns) + 1))})",
    )


_PERSON_INSERT, _PERSON_HISTORY_INSERT = _statements("annual_persons", PERSON_COLUMNS)
_TRACK_INSERT, _TRACK_HISTORY_INSERT = _statements("annual_unit_tracks", TRACK_COLUMNS)
_MONTHS, _MONTHS_PUBLISHED, _MONTHLY_TOTAL, _DEDUCTED_TOTAL, _PERSON_POSITION = (
    PERSON_COLUMNS.index(n) for n in ("months", "months_published", "monthly_total", "deducted_total", "position")
)
_SHEETS, _SHEETS_PUBLISHED, _RATE_TOTAL, _TRACK_POSITION = (TRACK_COLUMNS.index(n) for n in ("sheets", "sheets_published", "rate_total", "position"))


class AnnualSum:
    """One row of running sums during a rebuild: the row in column order, its decimal sums as
    Decimals, and whether the live handler would have inserted it already."""

    __slots__ = ("row", "person", "total", "deducted", "written")

    def __init__(self, row: list[Any], person: bool, total: str, deducted: str | None) -> None:
        self.row = row
        self.person = person
        self.total = Decimal(total)  # monthly_total (a person) or rate_total (a unit track)
        self.deducted = None if deducted is None else Decimal(deducted)
        self.written = False


class AnnualSums:
    """The batch mode of the running sums (`AnnualProjection.sheet_changed`), for `jixiao rebuild`
    only (`projections.sheet_projection.SheetReplay`): the rows kept in memory and inserted once at
    the end, each version an UPDATE would have superseded written as a history row."""

    def __init__(self) -> None:
        self.persons: dict[tuple[int, str], AnnualSum] = {}
        self.tracks: dict[tuple[int, str, str], AnnualSum] = {}
        self.person_history: list[tuple[Any, ...]] = []
        self.track_history: list[tuple[Any, ...]] = []

    def of_sheet(self, year: int, target_kind: str, target: str, track: str) -> AnnualSum:
        """The sums a sheet adds to: its person's year, or its unit's track in the year."""
        if target_kind == "person":
            key: Any = (year, target)
            found = self.persons.get(key)
            if found is None:
                values = {"year": year, "person": target, "months": 0, "months_published": 0, "monthly_total": "0.00", "deducted_total": "0.00", "position": None}
                found = self.persons[key] = AnnualSum([values[n] for n in PERSON_COLUMNS], True, "0.00", "0.00")
            return found
        key = (year, target, track)
        found = self.tracks.get(key)
        if found is None:
            values = {"year": year, "unit": target, "track": track, "sheets": 0, "sheets_published": 0, "rate_total": "0.0000", "position": None}
            found = self.tracks[key] = AnnualSum([values[n] for n in TRACK_COLUMNS], False, "0.0000", None)
        return found

    def changed(self, s: AnnualSum, pos: int, sheets: int, published: int, score_delta: Decimal, deducted_delta: Decimal) -> None:
        """`AnnualProjection.sheet_changed`: (sum row, position, sheets, published, score delta, deducted delta)."""
        row = s.row
        if s.person:
            if s.written:
                self.person_history.append((*row, pos))
            row[_MONTHS] += sheets
            row[_MONTHS_PUBLISHED] += published
            s.total = (s.total + score_delta).quantize(CENT)
            row[_MONTHLY_TOTAL] = fmt(s.total)
            s.deducted = (s.deducted + deducted_delta).quantize(CENT)  # type: ignore[operator]
            row[_DEDUCTED_TOTAL] = fmt(s.deducted)
            row[_PERSON_POSITION] = pos
        else:
            if s.written:
                self.track_history.append((*row, pos))
            row[_SHEETS] += sheets
            row[_SHEETS_PUBLISHED] += published
            s.total = (s.total + score_delta / HUNDRED).quantize(RATE_TOTAL_PLACES)
            row[_RATE_TOTAL] = fmt(s.total)
            row[_TRACK_POSITION] = pos
        s.written = True

    def flush(self, many: Callable[[str, list[tuple[Any, ...]]], None]) -> None:
        if self.person_history:
            many(_PERSON_HISTORY_INSERT, self.person_history)
            self.person_history = []
        if self.track_history:
            many(_TRACK_HISTORY_INSERT, self.track_history)
            self.track_history = []

    def finish(self, many: Callable[[str, list[tuple[Any, ...]]], None]) -> None:
        self.flush(many)
        for statement, rows in ((_PERSON_INSERT, self.persons), (_TRACK_INSERT, self.tracks)):
            written = [tuple(s.row) for s in rows.values() if s.written]
            if written:
                many(statement, written)


__all__ = ["AnnualProjection", "AnnualSum", "AnnualSums", "ZERO"]
