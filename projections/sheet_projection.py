"""Sheet projection (考核表): sheets, their entries, scores and status (R-SHEET-1..4, R-FIX-1).

It computes only from events: R-SHEET-1's score = max(0, 100 − Σ active deductions) is derived
here, never stored in an event. Every change to a sheet's score is passed on to the annual
running sums (`AnnualProjection.sheet_changed`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.adapters.store import ProjectionCursor
from ledger.domain.numbers import CENT, HUNDRED, fmt
from ledger.domain.sheet import Sheet
from projections.annual_projection import AnnualProjection
from projections.rows import Apply, date_text, json_text

RATE_PLACES = Decimal("0.0001")


def sheet_score(deducted: Decimal) -> tuple[str, str]:
    """R-SHEET-1: score = max(0, 100 − Σ active deductions); rate = score / 100.

    Points have at most two places, so both are exact: the score at 2 places, the rate at 4.
    Neither is rounded; rounding happens only in annual results (RULES.md §5)."""
    score = max(Decimal(0), HUNDRED - deducted)
    return fmt(score.quantize(CENT)), fmt((score / HUNDRED).quantize(RATE_PLACES))


class SheetProjection:
    def __init__(self, annual: AnnualProjection) -> None:
        # SQLite has one writer process (ours), so sheet rows can be kept in memory between
        # commands: the row read before each deduction comes from here, not a SELECT.
        # Cleared whenever a command fails (`discard`). Not used on PostgreSQL, where other
        # processes may write.
        self._sheet_cache: dict[str, dict[str, Any]] = {}
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
        if cur.dialect == "sqlite":
            self._sheet_cache[str(e.originator_id)] = row
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
            if cur.dialect == "sqlite":
                self._sheet_cache[key] = row
        return row

    def _deduction_recorded(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        s = self._sheet_row(cur, e.originator_id)
        entry_id = f"{s['code']}:{e.no}"
        cur.execute(
            "INSERT INTO entries (entry_id, sheet, no, target_kind, target, unit, period, year, track, points, item, basis, occurred_on,"
            " source, form_no, attachments, cascaded_from, cascaded_to, amends, amended_by, late, status, recorded_at, recorded_by,"
            " recorded_role, recorded_position, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 'active', ?, ?, ?, ?, ?)",
            (
                entry_id, s["code"], e.no, s["target_kind"], s["target"], s["unit"], s["period"], s["year"], s["track"],
                fmt(e.points), e.item, e.basis, date_text(e.occurred_on), e.source, e.form_no, json_text(e.attachments),
                e.cascaded_from, json_text(e.cascaded_to), e.amends, bool(e.late), e.timestamp.isoformat(), e.actor["user"],
                e.actor["role"], pos, pos,
            ),
        )  # fmt: skip
        self._change_sheet_total(cur, pos, s, e.points, +1)

    def _deduction_reversed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        s = self._sheet_row(cur, e.originator_id)
        entry_id = f"{s['code']}:{e.no}"
        cur.execute("SELECT points FROM entries WHERE entry_id = ?", (entry_id,))
        points = Decimal(cur.fetchone()["points"])
        cur.execute(
            "UPDATE entries SET status = ?, amended_by = ?, reversed_at = ?, reversed_by = ?, reversal_reason = ?, reversal_ref = ?,"
            " reversal_following = ?, position = ? WHERE entry_id = ?",
            (
                "amended" if e.amended_by else "reversed", e.amended_by, e.timestamp.isoformat(), e.actor["user"], e.reason,
                e.decision_ref, e.following, pos, entry_id,
            ),
        )  # fmt: skip
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
            # The bureau's date of the step; events from before it was recorded fall back to
            # the date of their timestamp.
            on = date_text(getattr(e, "on", None) or e.timestamp.date())
            column = {"submitted": "submitted_on", "published": "published_on"}.get(status)
            if column is None:
                cur.execute("UPDATE sheets SET status = ?, position = ? WHERE aggregate_id = ?", (status, pos, str(e.originator_id)))
            else:
                cur.execute(f"UPDATE sheets SET status = ?, {column} = ?, position = ? WHERE aggregate_id = ?", (status, on, pos, str(e.originator_id)))
            if published:
                self.annual.sheet_changed(cur, pos, s, sheets=0, published=published, score_delta=Decimal(0), deducted_delta=Decimal(0))

        return apply
