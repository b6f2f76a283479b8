"""Trace (溯源), R-Q-2: every figure the system shows, explained as a tree down to the entries it
rests on — and the entries that no longer count, with the reversal, amendment or dispute that
removed them — each with its actor, time, basis and evidence. Cascaded entries hang under the unit
entry they came from.

A node is `{"figure", "value", "formula", "inputs", "children", ...}`; an entry node carries the
entry's facts and `counts` (whether it is in the figure). Built from projected rows only, so a
trace can be asked as of any log position like any other query (`View`). Each figure is
recomputed from the inputs it shows by the domain's own functions, so the explanation and the
figure cannot drift apart. The parts: `trace_sheet` (a sheet score), `trace_person` (a person's
annual result), `trace_unit` (a unit's annual result).
"""

from __future__ import annotations

from typing import Any

from projections.trace_person import PersonTrace
from projections.trace_sheet import SOURCE_ZH, SheetTrace, entry_node
from projections.trace_unit import UnitTrace
from projections.view import View

__all__ = ["SOURCE_ZH", "Trace", "entry_node"]


class Trace:
    """The three traces over one view (live or as of a log position)."""

    def __init__(self, view: View) -> None:
        self.view = view
        self._sheets = SheetTrace(view.queries)
        self._persons = PersonTrace(view, self._sheets)
        self._units = UnitTrace(view, self._sheets)

    def sheet(self, code: str) -> dict[str, Any]:
        return self._sheets.sheet(code)

    def person(self, year: int, code: str) -> dict[str, Any]:
        return self._persons.person(year, code)

    def unit(self, year: int, code: str) -> dict[str, Any]:
        return self._units.unit(year, code)
