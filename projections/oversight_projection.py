"""Oversight projection (监督): bulletins (R-AUDIT-1), the working-day calendar and record-form
filings (R-CAL-2/3), and disputes (R-DISPUTE-1)."""

from __future__ import annotations

import json
from typing import Any

from ledger.adapters.store import ProjectionCursor
from projections.rows import Apply, date_text
from ledger.domain.bulletin import Bulletin
from ledger.domain.calendar import WorkCalendar
from ledger.domain.dispute import Dispute
from ledger.domain.filing import RecordFiling
from ledger.domain.notice import ResultsNotice


class OversightProjection:
    def handlers(self) -> dict[type, Apply]:
        return {
            Bulletin.Published: self._bulletin_published,
            WorkCalendar.Started: lambda cur, pos, e: None,
            WorkCalendar.DaysDeclared: self._days_declared,
            RecordFiling.Filed: self._record_forms_filed,
            Dispute.Filed: self._dispute_filed,
            Dispute.Reviewed: self._dispute_reviewed,
            Dispute.Decided: self._dispute_decided,
            ResultsNotice.Published: self._notice_published,
            ResultsNotice.ObjectionReceived: self._objection_received,
            ResultsNotice.Confirmed: self._results_confirmed,
        }

    def _bulletin_published(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO bulletins (number, period, title, body, through_position, digest, published_at, published_by, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (e.number, e.period, e.title, e.body, e.through_position, e.digest, e.timestamp.isoformat(), e.actor["user"], pos),
        )

    def _days_declared(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        for d in e.days:
            cur.execute(
                "INSERT INTO calendar_days (day, working, note, position) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (day) DO UPDATE SET working = excluded.working, note = excluded.note, position = excluded.position",
                (d["day"], bool(d["working"]), d["note"], pos),
            )
        if e.complete_year is not None:
            cur.execute(
                "INSERT INTO calendar_years (year, position) VALUES (?, ?) ON CONFLICT (year) DO UPDATE SET position = excluded.position",
                (e.complete_year, pos),
            )

    def _record_forms_filed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO record_filings (unit, quarter, filed_on, deadline, late, filed_by, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (e.unit, e.quarter, date_text(e.filed_on), date_text(e.deadline), bool(e.late), e.actor["user"], pos),
        )

    def _dispute_filed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO disputes (entry_id, aggregate_id, sheet, target, year, status, reason, filed_on, window_closes, filed_by, filed_at,"
            " filed_position, position) VALUES (?, ?, ?, ?, ?, 'filed', ?, ?, ?, ?, ?, ?, ?)",
            (
                e.entry_id, str(e.originator_id), e.sheet, e.target, e.year, e.reason, date_text(e.filed_on), date_text(e.window_closes),
                e.actor["user"], e.timestamp.isoformat(), pos, pos,
            ),
        )  # fmt: skip
        cur.execute("UPDATE entries SET dispute = 'filed', position = ? WHERE entry_id = ?", (pos, e.entry_id))

    def _dispute_reviewed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "UPDATE disputes SET status = 'reviewed', recommendation = ?, findings = ?, reviewed_by = ?, reviewed_at = ?, position = ?"
            " WHERE aggregate_id = ? RETURNING entry_id",
            (e.recommendation, e.findings, e.actor["user"], e.timestamp.isoformat(), pos, str(e.originator_id)),
        )
        entry_id = cur.fetchone()["entry_id"]
        cur.execute("UPDATE entries SET dispute = 'reviewed', position = ? WHERE entry_id = ?", (pos, entry_id))

    def _dispute_decided(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "UPDATE disputes SET status = 'decided', decision = ?, decision_reason = ?, decision_ref = ?, replacement = ?, decided_by = ?,"
            " decided_at = ?, decided_position = ?, position = ? WHERE aggregate_id = ? RETURNING entry_id",
            (e.decision, e.reason, e.decision_ref, e.replacement, e.actor["user"], e.timestamp.isoformat(), pos, pos, str(e.originator_id)),
        )
        entry_id = cur.fetchone()["entry_id"]
        cur.execute("UPDATE entries SET dispute = ?, position = ? WHERE entry_id = ?", (f"decided:{e.decision}", pos, entry_id))

    def _notice_published(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO notices (scope, kind, year, starts_on, ends_on, working_days, earliest_end, late, noticed_position, noticed_at,"
            " noticed_by, objections, status, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', 'noticed', ?)",
            (
                e.scope, e.kind, e.year, date_text(e.starts_on), date_text(e.ends_on), e.working_days, date_text(e.earliest_end),
                bool(e.late), e.through_position, e.timestamp.isoformat(), e.actor["user"], pos,
            ),
        )  # fmt: skip

    def _objection_received(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute("SELECT objections FROM notices WHERE scope = ?", (e.scope,))
        objections = json.loads(cur.fetchone()["objections"]) + [e.entry_id]
        cur.execute("UPDATE notices SET objections = ?, position = ? WHERE scope = ?", (json.dumps(objections), pos, e.scope))

    def _results_confirmed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "UPDATE notices SET status = 'confirmed', confirmed_on = ?, confirmed_position = ?, confirmed_by = ?, confirmed_at = ?, position = ?"
            " WHERE scope = ?",
            (date_text(e.confirmed_on), e.through_position, e.actor["user"], e.timestamp.isoformat(), pos, e.scope),
        )
