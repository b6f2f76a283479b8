"""The unit of work (工作单元) a handler is given: the aggregates one command reads and changes,
the bureau's date, and the head of the hash chain. Handlers see nothing else of the application.

Every aggregate a handler fetches is remembered (`touched`), so a refused command can drop what
it changed in memory; what the handler returns in its `Outcome` is saved in one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate

from ledger.domain.calendar import WorkCalendar, WorkingDays, calendar_id
from ledger.domain.errors import PlanNotFound, SheetNotFound
from ledger.domain.periods import parse_period
from ledger.domain.plan import YearPlan
from ledger.domain.review import AnnualReview
from ledger.domain.roster import Roster
from ledger.domain.sheet import Sheet, sheet_id


class Outcome:
    """What a handler decided: the aggregates to save and the result to return."""

    def __init__(self, *aggregates: Aggregate, **result: Any) -> None:
        self.aggregates = aggregates
        self.result = result


class UnitOfWork:
    def __init__(self, repository: Repository, today: date, chain_head: Callable[[], tuple[int, bytes]]) -> None:
        self.repository = repository
        self.today = today  # the bureau's date when the command is issued (ledger.clock)
        self.chain_head = chain_head  # (position, digest) of the log so far (R-AUDIT-1)
        self.touched: list[Any] = []
        self.kept: dict[Any, Any] = {}  # aggregates a command of this unit made or changed, not stored yet

    def get(self, cls: type[Any], aggregate_id: Any) -> Any:
        self.touched.append(aggregate_id)
        if aggregate_id in self.kept:
            return self.kept[aggregate_id]
        return self.repository.get(aggregate_id)

    def keep(self, *aggregates: Aggregate) -> None:
        """A batch: what one command made is what the next one finds (a new roster, a new sheet),
        before anything is stored."""
        self.kept.update((aggregate.id, aggregate) for aggregate in aggregates)

    def find(self, cls: type[Any], aggregate_id: Any) -> Any | None:
        """The aggregate, or None when it was never created."""
        try:
            return self.get(cls, aggregate_id)
        except AggregateNotFoundError:
            return None

    def exists(self, cls: type[Any], aggregate_id: Any) -> bool:
        """Whether an aggregate was ever created (a once-only identity: a bulletin number, the
        dispute of an entry, a unit's filing for a quarter)."""
        return self.find(cls, aggregate_id) is not None

    def roster(self) -> Roster:
        return self.find(Roster, Roster.create_id()) or Roster()

    def plan(self, year: int) -> YearPlan:
        plan = self.find(YearPlan, YearPlan.create_id(year))
        if plan is None:
            raise PlanNotFound(f"no plan for {year}", f"{year} 年度考核方案尚未建立", year=year)
        return plan

    def review(self, year: int) -> AnnualReview | None:
        return self.find(AnnualReview, AnnualReview.create_id(year))

    def exempt_persons(self, year: int) -> set[str]:
        """R-STAFF-5: persons exempted from daily assessment in the year."""
        review = self.review(year)
        return set() if review is None else set(review.exempt)

    def work_calendar(self) -> WorkCalendar:
        return self.find(WorkCalendar, calendar_id()) or WorkCalendar()

    def working_days(self) -> WorkingDays:
        """R-CAL-2: the official calendar with the office's local exceptions."""
        return self.work_calendar().working_days()

    def sheet(self, code: str) -> Sheet:
        sheet = self.find(Sheet, sheet_id(code))
        if sheet is not None:
            return sheet
        parts = code.split(":")
        if len(parts) == 3:
            period = parse_period(parts[1])
            self.plan(period.year).period(period.code)  # PERIOD_NOT_OPEN when the period itself is missing
        raise SheetNotFound(f"no sheet {code}", f"考核表不存在：{code}", sheet=code)
