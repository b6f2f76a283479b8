"""Sheet projection (考核表): sheets, their entries, scores and status (R-SHEET-1..4, R-FIX-1).

It computes only from events: R-SHEET-1's score = max(0, 100 − Σ active deductions) is derived
here, never stored in an event. Every change to a sheet's score is passed on to the annual
running sums (`AnnualProjection.sheet_changed`).
"""

from __future__ import annotations

from decimal import Decimal
from operator import itemgetter
from typing import Any, Callable

from ledger.adapters.store import ProjectionCursor
from ledger.domain.numbers import CENT, HUNDRED, fmt
from ledger.domain.sheet import Sheet
from projections import tables
from projections.annual_projection import AnnualProjection, AnnualSum, AnnualSums
from projections.rows import Apply, RowCache, date_text, json_text

RATE_PLACES = Decimal("0.0001")


def sheet_score(deducted: Decimal) -> tuple[str, str]:
    """R-SHEET-1: score = max(0, 100 − Σ active deductions); rate = score / 100.

    Points have at most two places, so both are exact: the score at 2 places, the rate at 4.
    Neither is rounded; rounding happens only in annual results (RULES.md §5)."""
    score = max(Decimal(0), HUNDRED - deducted)
    return fmt(score.quantize(CENT)), fmt((score / HUNDRED).quantize(RATE_PLACES))


# The entry statements, shared with the batch mode of `jixiao rebuild` (`SheetReplay`).
ENTRY_INSERT = (
    "INSERT INTO entries (entry_id, sheet, no, target_kind, target, unit, period, year, track, points, item, basis, occurred_on,"
    " source, form_no, attachments, cascaded_from, cascaded_to, amends, amended_by, late, status, recorded_at, recorded_by,"
    " recorded_role, recorded_position, position)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 'active', ?, ?, ?, ?, ?)"
)
ENTRY_REVERSAL = (
    "UPDATE entries SET status = ?, amended_by = ?, reversed_at = ?, reversed_by = ?, reversal_reason = ?, reversal_ref = ?,"
    " reversal_following = ?, position = ? WHERE entry_id = ?"
)


def _json_list(value: Any) -> str:
    """`json_text` of an entry's list field; most are empty (a rebuild writes a million)."""
    return "[]" if value == [] else json_text(value)


def entry_values(s: dict[str, Any], e: Any, pos: int) -> tuple[Any, ...]:
    """The parameters of `ENTRY_INSERT` for a `Sheet.DeductionRecorded` on sheet row `s`."""
    code = s["code"]
    actor = e.actor
    return (
        f"{code}:{e.no}", code, e.no, s["target_kind"], s["target"], s["unit"], s["period"], s["year"], s["track"],
        fmt(e.points), e.item, e.basis, date_text(e.occurred_on), e.source, e.form_no, _json_list(e.attachments),
        e.cascaded_from, _json_list(e.cascaded_to), e.amends, bool(e.late), e.timestamp.isoformat(), actor["user"],
        actor["role"], pos, pos,
    )  # fmt: skip


def reversal_values(entry_id: str, e: Any, pos: int) -> tuple[Any, ...]:
    """The parameters of `ENTRY_REVERSAL` for a `Sheet.DeductionReversed`."""
    return (
        "amended" if e.amended_by else "reversed", e.amended_by, e.timestamp.isoformat(), e.actor["user"], e.reason,
        e.decision_ref, e.following, pos, entry_id,
    )  # fmt: skip


def status_date(e: Any) -> str | None:
    """The bureau's date of a submission or publication; events from before it was recorded
    fall back to the date of their timestamp."""
    return date_text(getattr(e, "on", None) or e.timestamp.date())


STATUS_COLUMN = {"submitted": "submitted_on", "published": "published_on"}


class SheetProjection:
    def __init__(self, annual: AnnualProjection) -> None:
        self._sheet_cache = RowCache()  # by the sheet's aggregate id
        self.annual = annual

    def discard(self) -> None:
        self._sheet_cache.clear()

    def handlers(self) -> dict[type, Apply]:
        return {
            Sheet.Opened: self._sheet_opened,
            Sheet.DeductionRecorded: self._deduction_recorded,
            Sheet.DeductionReversed: self._deduction_reversed,
            Sheet.Submitted: self._status("submitted"),
            Sheet.Published: self._status("published"),
            Sheet.Reopened: self._status("open"),
        }

    def _sheet_opened(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        score, rate = sheet_score(Decimal(0))
        cur.execute(
            "INSERT INTO sheets (code, aggregate_id, target_kind, target, unit, period, year, track, status, items,"
            " deducted, score, rate, entries_total, entries_active, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, '0.00', ?, ?, 0, 0, ?)",
            (e.code, str(e.originator_id), e.target_kind, e.target, e.unit, e.period, int(e.period[:4]), e.track, json_text(e.items), score, rate, pos),
        )
        row = {
            "code": e.code, "target_kind": e.target_kind, "target": e.target, "unit": e.unit, "period": e.period,
            "year": int(e.period[:4]), "track": e.track, "status": "open", "deducted": "0.00", "entries_total": 0, "entries_active": 0,
        }  # fmt: skip
        self._sheet_cache.keep(str(e.originator_id), row)
        self.annual.sheet_changed(cur, pos, row, sheets=1, published=0, score_delta=HUNDRED, deducted_delta=Decimal(0))

    def _sheet_row(self, cur: ProjectionCursor, originator_id: Any) -> dict[str, Any]:
        key = str(originator_id)
        row = self._sheet_cache.get(key)
        if row is None:
            cur.execute(
                "SELECT code, target_kind, target, unit, period, year, track, status, deducted, entries_total, entries_active FROM sheets WHERE aggregate_id = ?",
                (key,),
            )
            row = dict(cur.fetchone())
            self._sheet_cache.keep(key, row)
        return row

    def _deduction_recorded(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        s = self._sheet_row(cur, e.originator_id)
        cur.execute(ENTRY_INSERT, entry_values(s, e, pos))
        self._change_sheet_total(cur, pos, s, e.points, +1)

    def _deduction_reversed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        s = self._sheet_row(cur, e.originator_id)
        entry_id = f"{s['code']}:{e.no}"
        cur.execute("SELECT points FROM entries WHERE entry_id = ?", (entry_id,))
        points = Decimal(cur.fetchone()["points"])
        cur.execute(ENTRY_REVERSAL, reversal_values(entry_id, e, pos))
        self._change_sheet_total(cur, pos, s, points, -1)

    def _change_sheet_total(self, cur: ProjectionCursor, pos: int, s: dict[str, Any], points: Decimal, sign: int) -> None:
        before = Decimal(s["deducted"])
        deducted = (before + sign * points).quantize(CENT)
        score, rate = sheet_score(deducted)
        self.annual.sheet_changed(
            cur, pos, s, sheets=0, published=0, score_delta=Decimal(score) - Decimal(sheet_score(before)[0]), deducted_delta=sign * points
        )
        s["deducted"] = fmt(deducted)
        s["entries_total"] += 1 if sign > 0 else 0
        s["entries_active"] += sign
        cur.execute(
            "UPDATE sheets SET deducted = ?, score = ?, rate = ?, entries_total = ?, entries_active = ?, position = ? WHERE code = ?",
            (s["deducted"], score, rate, s["entries_total"], s["entries_active"], pos, s["code"]),
        )

    def _status(self, status: str) -> Apply:
        def apply(cur: ProjectionCursor, pos: int, e: Any) -> None:
            s = self._sheet_row(cur, e.originator_id)
            published = (status == "published") - (s["status"] == "published")
            s["status"] = status
            on = status_date(e)
            column = STATUS_COLUMN.get(status)
            if column is None:
                cur.execute("UPDATE sheets SET status = ?, position = ? WHERE aggregate_id = ?", (status, pos, str(e.originator_id)))
            else:
                cur.execute(f"UPDATE sheets SET status = ?, {column} = ?, position = ? WHERE aggregate_id = ?", (status, on, pos, str(e.originator_id)))
            if published:
                self.annual.sheet_changed(cur, pos, s, sheets=0, published=published, score_delta=Decimal(0), deducted_delta=Decimal(0))

        return apply


# -- batch mode, for `jixiao rebuild` ---------------------------------------------------------

SHEET_COLUMNS = tuple(c.name for c in tables.sheets.columns)
_COL = {name: i for i, name in enumerate(SHEET_COLUMNS)}
_CODE, _STATUS, _DEDUCTED, _SCORE, _RATE = _COL["code"], _COL["status"], _COL["deducted"], _COL["score"], _COL["rate"]
_TOTAL, _ACTIVE, _POSITION = _COL["entries_total"], _COL["entries_active"], _COL["position"]
_SHEET_INSERT = f"INSERT INTO sheets ({', '.join(SHEET_COLUMNS)}) VALUES ({', '.join('?' * len(SHEET_COLUMNS))})"
_SHEET_HISTORY_INSERT = (
    f"INSERT INTO sheets_history ({', '.join(SHEET_COLUMNS)}, superseded_at) VALUES ({', '.join('?' * (len(SHEET_COLUMNS) + 1))})"
)

_entry_id = itemgetter(0)
ReplayApply = Callable[[int, Any, Any], None]  # (position, the stored originator id, event)
ExecuteMany = Callable[[str, list[tuple[Any, ...]]], None]


class _ReplayedSheet:
    """One sheet during a rebuild: its row as the table holds it (in column order), and what the
    live handlers would read back from the tables."""

    __slots__ = ("row", "info", "deducted", "score", "points", "sums")

    def __init__(self, row: list[Any], info: dict[str, Any], sums: AnnualSum) -> None:
        self.row = row
        self.info = info  # the columns an entry copies from its sheet (`entry_values`)
        self.deducted = Decimal("0.00")  # Decimal(row deducted)
        self.score = Decimal(row[_SCORE])  # Decimal(row score)
        self.points: list[Decimal | None] = []  # entry n's points at [n - 1] (a reversal's; 8 bytes an entry)
        self.sums = sums  # the running sums the sheet adds to


class SheetReplay:
    """The batch mode of this projection, for `jixiao rebuild` only: the same rows as the live
    handlers above write, event by event, with fewer statements.

    Over the whole log every sheet row and every running sum (`AnnualSums`) is kept in memory and
    inserted once at the end; each version the history trigger would have copied on an UPDATE
    (projections/history.py) is written as a history row instead, in the same order and with the
    same `superseded_at`. Entries are inserted with executemany; a reversal updates its entry by
    SQL (after the inserts before it), so the trigger keeps that entry's history. Nothing else
    writes these tables, except the dispute handlers, which update entries: `flush_entries` before
    any other handler runs.
    """

    def __init__(self, sums: AnnualSums) -> None:
        self.sums = sums
        self.sheets: dict[Any, _ReplayedSheet] = {}
        self.entries: list[tuple[Any, ...]] = []
        self.reversals: list[tuple[Any, ...]] = []
        self.history: list[tuple[Any, ...]] = []
        self._scores: dict[str, tuple[str, str, Decimal]] = {}

    def handlers(self) -> dict[type, ReplayApply]:
        return {
            Sheet.Opened: self._opened,
            Sheet.DeductionRecorded: self._recorded,
            Sheet.DeductionReversed: self._reversed,
            Sheet.Submitted: self._status("submitted"),
            Sheet.Published: self._status("published"),
            Sheet.Reopened: self._status("open"),
        }

    def _score(self, deducted: str) -> tuple[str, str, Decimal]:
        """`sheet_score` of a total (its text), remembered: a few thousand distinct totals in a log."""
        found = self._scores.get(deducted)
        if found is None:
            score, rate = sheet_score(Decimal(deducted))
            found = self._scores[deducted] = (score, rate, Decimal(score))
        return found

    def _opened(self, pos: int, key: Any, e: Any) -> None:
        score, rate = sheet_score(Decimal(0))
        year = int(e.period[:4])
        info = {"code": e.code, "target_kind": e.target_kind, "target": e.target, "unit": e.unit, "period": e.period, "year": year, "track": e.track}
        values = {
            **info, "aggregate_id": str(e.originator_id), "status": "open", "items": json_text(e.items), "deducted": "0.00",
            "score": score, "rate": rate, "entries_total": 0, "entries_active": 0, "submitted_on": None, "published_on": None, "position": pos,
        }  # fmt: skip
        sums = self.sums.of_sheet(year, e.target_kind, e.target, e.track)
        self.sheets[key] = _ReplayedSheet([values[name] for name in SHEET_COLUMNS], info, sums)
        self.sums.changed(sums, pos, 1, 0, HUNDRED, Decimal(0))

    def _recorded(self, pos: int, key: Any, e: Any) -> None:
        s = self.sheets[key]
        points = e.points
        self.entries.append(entry_values(s.info, e, pos))
        no, recorded = e.no, s.points
        if no > len(recorded):
            recorded.extend([None] * (no - len(recorded)))
        recorded[no - 1] = points
        self._change_total(pos, s, points, +1)

    def _reversed(self, pos: int, key: Any, e: Any) -> None:
        s = self.sheets[key]
        self.reversals.append(reversal_values(f"{s.row[_CODE]}:{e.no}", e, pos))
        points = s.points[e.no - 1]
        if points is None:
            raise LookupError(f"no entry {s.row[_CODE]}:{e.no} to reverse")
        self._change_total(pos, s, points, -1)

    def _change_total(self, pos: int, s: _ReplayedSheet, points: Decimal, sign: int) -> None:
        """`SheetProjection._change_sheet_total`."""
        delta = sign * points
        deducted = (s.deducted + delta).quantize(CENT)
        text = fmt(deducted)
        score, rate, score_value = self._score(text)
        self.sums.changed(s.sums, pos, 0, 0, score_value - s.score, delta)
        row = s.row
        self.history.append((*row, pos))
        row[_DEDUCTED] = text
        row[_SCORE] = score
        row[_RATE] = rate
        if sign > 0:
            row[_TOTAL] += 1
        row[_ACTIVE] += sign
        row[_POSITION] = pos
        s.deducted = deducted
        s.score = score_value

    def _status(self, status: str) -> ReplayApply:
        """`SheetProjection._status`."""
        column = STATUS_COLUMN.get(status)
        index = None if column is None else _COL[column]

        def apply(pos: int, key: Any, e: Any) -> None:
            s = self.sheets[key]
            row = s.row
            published = (status == "published") - (row[_STATUS] == "published")
            on = status_date(e)
            self.history.append((*row, pos))
            row[_STATUS] = status
            if index is not None:
                row[index] = on
            row[_POSITION] = pos
            if published:
                self.sums.changed(s.sums, pos, 0, published, Decimal(0), Decimal(0))

        return apply

    def flush_entries(self, many: ExecuteMany) -> None:
        """Write the pending entries and reversals (before a handler that reads or updates entries)."""
        if self.entries:
            self.entries.sort(key=_entry_id)  # the table is keyed by entry id: fewer pages touched in key order
            many(ENTRY_INSERT, self.entries)
            self.entries = []
        if self.reversals:
            many(ENTRY_REVERSAL, self.reversals)
            self.reversals = []

    def flush(self, many: ExecuteMany) -> None:
        """Write every pending row (entries, reversals, history versions)."""
        self.flush_entries(many)
        if self.history:
            many(_SHEET_HISTORY_INSERT, self.history)
            self.history = []
        self.sums.flush(many)

    def finish(self, many: ExecuteMany) -> None:
        """Write what is pending, then every sheet row and running sum as it finally stands (in the
        order the live handlers first inserted them)."""
        self.flush(many)
        if self.sheets:
            many(_SHEET_INSERT, [tuple(s.row) for s in self.sheets.values()])
        self.sums.finish(many)
