"""The read side as one object (读取视图): queries, annual results and deadlines, all answering as
of one log position (R-Q-3), or live."""

from __future__ import annotations

from dataclasses import dataclass

from projections.annual import AnnualResults
from projections.deadlines import Deadlines
from projections.queries import Queries


@dataclass(frozen=True)
class View:
    queries: Queries
    annual: AnnualResults
    deadlines: Deadlines
    as_of: int | None

    @classmethod
    def live_or_at(cls, queries: Queries, annual: AnnualResults, deadlines: Deadlines, as_of: int | None) -> "View":
        if as_of is None:
            return cls(queries, annual, deadlines, None)
        return cls(queries.at(as_of), annual.at(as_of), deadlines.at(as_of), as_of)
