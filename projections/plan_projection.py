"""Plan projection (考核方案): the year's plan and policy, its changes, and the periods (R-PLAN-1/2, R-CAL-1)."""

from __future__ import annotations

from typing import Any

import orjson

from ledger.adapters.store import ProjectionCursor
from ledger.domain.plan import YearPlan
from projections.rows import Apply, date_text, json_text


class PlanProjection:
    def handlers(self) -> dict[type, Apply]:
        return {
            YearPlan.Planned: self._planned,
            YearPlan.PolicyChanged: self._policy_changed,
            YearPlan.PeriodOpened: self._period_opened,
        }

    def _planned(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO plans (year, aggregate_id, policy, position) VALUES (?, ?, ?, ?)", (e.year, str(e.originator_id), json_text(e.policy), pos)
        )

    def _policy_changed(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute("SELECT year, policy FROM plans WHERE aggregate_id = ?", (str(e.originator_id),))
        row = cur.fetchone()
        year, policy = row["year"], orjson.loads(row["policy"])
        policy[e.key] = e.value
        cur.execute("UPDATE plans SET policy = ?, position = ? WHERE year = ?", (json_text(policy), pos, year))
        cur.execute(
            "INSERT INTO policy_changes (position, year, key, value, reason, decision_ref, effective_from, recorded_at, recorded_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (pos, year, e.key, e.value, e.reason, e.decision_ref, date_text(e.effective_from), e.timestamp.isoformat(), e.actor["user"]),
        )

    def _period_opened(self, cur: ProjectionCursor, pos: int, e: Any) -> None:
        cur.execute(
            "INSERT INTO periods (code, year, kind, items, panels, window_opens, window_closes, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (e.period, int(e.period[:4]), e.kind, json_text(e.items), json_text(e.panels), date_text(e.window_opens), date_text(e.window_closes), pos),
        )
