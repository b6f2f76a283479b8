"""Annual results for a year (年度考核结果), read from the projected annual inputs.

The projector keeps running sums (monthly totals, rate totals, deducted points) and the review's
facts (evaluations, approved claims, vetoes, bases) up to date with every event. Bureau-wide
figures — ranks, the 15% quota, directly-graded branch heads, bottom flags — depend on every target
at once, so they are derived from the projected rows on each read (a few hundred rows; no event is
replayed). Every rule is a function of `ledger.domain` (annual, annual_units, annual_persons,
quota); this module and its parts (`annual_inputs`, `annual_units`, `annual_persons`,
`annual_grades`, `annual_summary`) only gather the inputs and shape the rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from ledger.domain.errors import PlanNotFound
from ledger.domain.periods import annual_cutoff
from projections.annual_grades import civil_servant_grades, payouts, quota
from projections.annual_inputs import YearInputs, read_inputs
from projections.annual_persons import person_results
from projections.annual_summary import summary
from projections.annual_units import unit_results
from projections.history import Tables

__all__ = ["AnnualResults", "YearInputs", "compute"]


class AnnualResults:
    def __init__(self, engine: Engine, as_of: int | None = None) -> None:
        self.engine = engine
        self.as_of = as_of
        self.tb = Tables(as_of)

    def at(self, position: int | None) -> "AnnualResults":
        return self if position == self.as_of else AnnualResults(self.engine, position)

    def inputs(self, year: int) -> YearInputs:
        with self.engine.connect() as conn:
            return read_inputs(conn, self.tb, year)

    def year(self, year: int) -> dict[str, Any]:
        """Every unit's and every person's annual result, and the bureau summary."""
        inputs = self.inputs(year)
        try:
            previous = compute(self.inputs(year - 1), None)
        except PlanNotFound:
            previous = None
        return compute(inputs, previous)


def compute(inp: YearInputs, previous: dict[str, Any] | None) -> dict[str, Any]:
    """Apply RULES.md §5 to one year's inputs. `previous` is the year before's result (for the
    two-year 不称职 run of R-CS-1), or None."""
    cutoff = annual_cutoff(inp.year).isoformat()
    units, decisions = unit_results(inp, cutoff)
    persons, grades = person_results(inp, cutoff, decisions.direct_excellent)
    places = quota(persons, decisions.failing_heads, inp.policy)
    civil_servant_grades(persons, grades, decisions.failing_heads, previous)
    payouts(inp, persons, grades)
    for code, row in persons.items():
        row["provisional"] = bool(row["missing"]) or code in inp.disputed
        row["disputed_entries"] = inp.disputed.get(code, [])
    return {
        "summary": summary(inp.year, inp.policy, units, persons, decisions.direct_excellent, places),
        "units": list(units.values()),
        "persons": list(persons.values()),
        "persons_by_code": persons,
    }
