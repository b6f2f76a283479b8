"""The inline projector: applies each event to the read-model tables, in the command's own
transaction, and advances the tracking position in that same transaction.

It computes only from events (R-SHEET-1's score = max(0, 100 − Σ active deductions) is derived
here, never stored in an event). `jixiao rebuild` runs this same code over the whole log.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Sequence

import orjson

from ledger.domain.bulletin import Bulletin
from ledger.domain.calendar import WorkCalendar
from ledger.domain.dispute import Dispute
from ledger.domain.filing import RecordFiling
from ledger.domain.numbers import CENT, HUNDRED, fmt
from ledger.domain.plan import YearPlan
from ledger.domain.roster import Roster
from ledger.domain.sheet import Sheet
from ledger.adapters.store import ProjectionCursor
from projections.annual_projector import AnnualProjection

TRACKING_NAME = "ledger"


class ProjectionGap(RuntimeError):
    """The projector was handed positions that do not follow the last one it applied."""


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _date(value: Any) -> str | None:
    return None if value is None else value.isoformat()


RATE_PLACES = Decimal("0.0001")


def _score(deducted: Decimal) -> tuple[str, str]:
    """R-SHEET-1: score = max(0, 100 − Σ active deductions); rate = score / 100.

    Points have at most two places, so both are exact: the score at 2 places, the rate at 4.
    Neither is rounded; rounding happens only in annual results (RULES.md §5)."""
    score = max(Decimal(0), HUNDRED - deducted)
    return fmt(score.quantize(CENT)), fmt((score / HUNDRED).quantize(RATE_PLACES))


class Projector:
    """Maps event types to row changes. Called as an inline hook of the recorder."""

    def __init__(self) -> None:
        # SQLite has one writer process (ours), so sheet rows can be kept in memory between
        # commands: the row read before each deduction comes from here, not a SELECT.
        # Cleared whenever a command fails (`discard`). Not used on PostgreSQL, where other
        # processes may write.
        self._sheet_cache: dict[str, dict[str, Any]] = {}
        self.annual = AnnualProjection()
        self._apply: dict[type, Callable[[ProjectionCursor, int, Any], None]] = {
            Roster.Created: self._ignore,
            Roster.UnitRegistered: self._unit_registered,
            Roster.HeadAppointed: self._head_appointed,
            Roster.PersonEnrolled: self._person_enrolled,
            Roster.PersonTransferred: self._person_transferred,
            Roster.PositionChanged: self._position_changed,
            Roster.AuthoritySet: self._authority_set,
            Roster.PersonLeft: self._person_left,
            YearPlan.Planned: self._planned,
            YearPlan.PolicyChanged: self._policy_changed,
            YearPlan.PeriodOpened: self._period_opened,
            Sheet.Opened: self._sheet_opened,
            Sheet.DeductionRecorded: self._deduction_recorded,
            Sheet.DeductionReversed: self._deduction_reversed,
            Sheet.Submitted: self._status("submitted"),
            Sheet.Published: self._status("published"),
            Sheet.Reopened: self._status("open"),
            Bulletin.Published: self._bulletin_published,
            WorkCalendar.Started: self._ignore,
            WorkCalendar.DaysDeclared: self._days_declared,
            RecordFiling.Filed: self._record_forms_filed,
            Dispute.Filed: self._dispute_filed,
            Dispute.Reviewed: self._dispute_reviewed,
            Dispute.Decided: self._dispute_decided,
            **self.annual.handlers(),
        }

    # -- the hook --------------------------------------------------------------------------

    def __call__(self, cursor: ProjectionCursor, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None:
        self.apply(cursor, list(zip(notification_ids, kwargs["new_events"], strict=True)))

    def apply(self, cursor: ProjectionCursor, positioned: Sequence[tuple[int, Any]]) -> None:
        if not positioned:
            return
        for position, event in positioned:
            self._apply[type(event)](cursor, position, event)
        self._advance(cursor, positioned[0][0], positioned[-1][0])

    def _advance(self, cursor: ProjectionCursor, first: int, final: int) -> None:
        """Move the tracking position to `final`, only if the batch follows on from it.

        Never skip a position, never apply one twice: SQLite assigns positions without gaps,
        so the batch must start right after the tracked one. A PostgreSQL sequence may leave a
        gap after a rolled-back insert, never one a later commit could fill (the recorder
        locks the table), so there the batch must only start after it. One statement does
        the check and the move; zero rows changed means the check failed.
        """
        if cursor.dialect == "sqlite":
            cursor.execute("UPDATE projection_tracking SET position = ? WHERE name = ? AND position = ?", (final, TRACKING_NAME, first - 1))
            if cursor.rowcount == 1:
                return
        else:
            # psycopg's pipeline mode knows no rowcount until it syncs: ask for the row back.
            cursor.execute("UPDATE projection_tracking SET position = ? WHERE name = ? AND position < ? RETURNING position", (final, TRACKING_NAME, first))
            if cursor.fetchone() is not None:
                return
        cursor.execute("SELECT position FROM projection_tracking WHERE name = ?", (TRACKING_NAME,))
        row = cursor.fetchone()
        if row is None and (first == 1 or cursor.dialect != "sqlite"):
            cursor.execute("INSERT INTO projection_tracking (name, position) VALUES (?, ?)", (TRACKING_NAME, final))
            return
        raise ProjectionGap(f"projection at {None if row is None else row['position']} was handed positions {first}..{final}")

    def discard(self) -> None:
        """Forget cached rows (a transaction that wrote them may have been rolled back)."""
        self._sheet_cache.clear()
        self.annual.discard()

    # -- roster ----------------------------------------------------------------------------

    def _ignore(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        return None

    def _unit_registered(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO units (code, name, kind, registered_on, head, position) VALUES (?, ?, ?, ?, NULL, ?)",
            (e.code, e.name, e.kind, _date(e.registered_on), pos),
        )

    def _head_appointed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO unit_heads (unit, effective_from, person, position) VALUES (?, ?, ?, ?)",
            (e.unit, _date(e.effective_from), e.person, pos),
        )
        cur.execute(
            "UPDATE units SET head = (SELECT person FROM unit_heads WHERE unit = ? ORDER BY effective_from DESC LIMIT 1), position = ? WHERE code = ?",
            (e.unit, pos, e.unit),
        )

    def _person_enrolled(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO persons (code, name, gender, birth_date, tier, position_grade, joined_on, left_on, in_authority, unit, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
            (e.code, e.name, e.gender, _date(e.birth_date), e.tier, e.position_grade, _date(e.joined_on), bool(e.in_authority), e.unit, pos),
        )
        cur.execute(
            "INSERT INTO assignments (person, effective_from, unit, position) VALUES (?, ?, ?, ?)", (e.code, _date(e.joined_on), e.unit, pos)
        )

    def _person_transferred(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO assignments (person, effective_from, unit, position) VALUES (?, ?, ?, ?)",
            (e.person, _date(e.effective_from), e.unit, pos),
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
        cur.execute("UPDATE persons SET left_on = ?, position = ? WHERE code = ?", (_date(e.left_on), pos, e.person))

    # -- plan ------------------------------------------------------------------------------

    def _planned(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO plans (year, aggregate_id, policy, position) VALUES (?, ?, ?, ?)", (e.year, str(e.originator_id), _json(e.policy), pos)
        )

    def _policy_changed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute("SELECT year, policy FROM plans WHERE aggregate_id = ?", (str(e.originator_id),))
        row = cur.fetchone()
        year, policy = row["year"], orjson.loads(row["policy"])
        policy[e.key] = e.value
        cur.execute("UPDATE plans SET policy = ?, position = ? WHERE year = ?", (_json(policy), pos, year))
        cur.execute(
            "INSERT INTO policy_changes (position, year, key, value, reason, decision_ref, effective_from, recorded_at, recorded_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (pos, year, e.key, e.value, e.reason, e.decision_ref, _date(e.effective_from), e.timestamp.isoformat(), e.actor["user"]),
        )

    def _period_opened(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO periods (code, year, kind, items, panels, window_opens, window_closes, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (e.period, int(e.period[:4]), e.kind, _json(e.items), _json(e.panels), _date(e.window_opens), _date(e.window_closes), pos),
        )

    # -- sheets ----------------------------------------------------------------------------

    def _sheet_opened(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        score, rate = _score(Decimal(0))
        cur.execute(
            "INSERT INTO sheets (code, aggregate_id, target_kind, target, unit, period, year, track, status, items,"
            " deducted, score, rate, entries_total, entries_active, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, '0.00', ?, ?, 0, 0, ?)",
            (e.code, str(e.originator_id), e.target_kind, e.target, e.unit, e.period, int(e.period[:4]), e.track, _json(e.items), score, rate, pos),
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
                fmt(e.points), e.item, e.basis, _date(e.occurred_on), e.source, e.form_no, _json(e.attachments),
                e.cascaded_from, _json(e.cascaded_to), e.amends, bool(e.late), e.timestamp.isoformat(), e.actor["user"],
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
        score, rate = _score(deducted)
        self.annual.sheet_changed(
            cur, pos, s, sheets=0, published=0, score_delta=Decimal(score) - Decimal(_score(before)[0]), deducted_delta=sign * points
        )
        s["deducted"] = fmt(deducted)
        s["entries_total"] += 1 if sign > 0 else 0
        s["entries_active"] += sign
        cur.execute(
            "UPDATE sheets SET deducted = ?, score = ?, rate = ?, entries_total = ?, entries_active = ?, position = ? WHERE code = ?",
            (s["deducted"], score, rate, s["entries_total"], s["entries_active"], pos, s["code"]),
        )

    def _status(self, status: str) -> Callable[[ProjectionCursor, int, Any], None]:
        def apply(cur: ProjectionCursor, pos: int, e: Any) -> None:
            s = self._sheet_row(cur, e.originator_id)
            published = (status == "published") - (s["status"] == "published")
            s["status"] = status
            # The bureau's date of the step; events from before it was recorded fall back to
            # the date of their timestamp.
            on = _date(getattr(e, "on", None) or e.timestamp.date())
            column = {"submitted": "submitted_on", "published": "published_on"}.get(status)
            if column is None:
                cur.execute("UPDATE sheets SET status = ?, position = ? WHERE aggregate_id = ?", (status, pos, str(e.originator_id)))
            else:
                cur.execute(f"UPDATE sheets SET status = ?, {column} = ?, position = ? WHERE aggregate_id = ?", (status, on, pos, str(e.originator_id)))
            if published:
                self.annual.sheet_changed(cur, pos, s, sheets=0, published=published, score_delta=Decimal(0), deducted_delta=Decimal(0))

        return apply

    # -- oversight -------------------------------------------------------------------------

    def _bulletin_published(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO bulletins (number, period, title, body, through_position, digest, published_at, published_by, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (e.number, e.period, e.title, e.body, e.through_position, e.digest, e.timestamp.isoformat(), e.actor["user"], pos),
        )

    # -- calendar and deadlines (R-CAL-2/3) ------------------------------------------------

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
            (e.unit, e.quarter, _date(e.filed_on), _date(e.deadline), bool(e.late), e.actor["user"], pos),
        )

    # -- disputes (R-DISPUTE-1) ------------------------------------------------------------

    def _dispute_filed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO disputes (entry_id, aggregate_id, sheet, target, year, status, reason, filed_on, window_closes, filed_by, filed_at,"
            " filed_position, position) VALUES (?, ?, ?, ?, ?, 'filed', ?, ?, ?, ?, ?, ?, ?)",
            (
                e.entry_id, str(e.originator_id), e.sheet, e.target, e.year, e.reason, _date(e.filed_on), _date(e.window_closes),
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
