"""The query side (查询): reads the projected tables, never the event log.

Every figure is returned as a decimal string ("95.50"), exactly as projected. `Queries` is
composed of one part per part of the domain, each in its own module:

    log_queries        the log: length, positions (R-Q-3), refusals, the ledger's size
    roster_queries     units, heads, persons; where a person belongs (R-ORG-1/2/3)
    plan_queries       a year's plan, policy changes and periods (R-PLAN-1/2)
    sheet_queries      sheets, entries, a target's ledger for a year (R-SHEET-*, R-Q-1)
    review_queries     the annual review's facts: bonus items and claims, vetoes, evaluations
    oversight_queries  bulletins (R-AUDIT-1) and disputes (R-DISPUTE-1)
    notice_queries     public notices (公示) of results and their confirmation

Each part reads through `self.tb` (projections/history.Tables), so every query answers as of the
same log position.
"""

from __future__ import annotations

from projections.log_queries import LogQueries
from projections.notice_queries import NoticeQueries
from projections.oversight_queries import OversightQueries
from projections.plan_queries import PlanQueries
from projections.query_base import PAGE_MAX
from projections.review_queries import ReviewQueries
from projections.roster_queries import RosterQueries
from projections.sheet_queries import SheetQueries

__all__ = ["PAGE_MAX", "Queries"]


class Queries(LogQueries, RosterQueries, PlanQueries, SheetQueries, ReviewQueries, OversightQueries, NoticeQueries):
    """Every read of the projections, as of one log position (None: live)."""

    def at(self, position: int | None) -> Queries:
        """The same queries as of a log position (None: live)."""
        return self if position == self.as_of else Queries(self.engine, self.events_table, position, self.clock)
