"""Annual results are computed once per (year, log position) and served from there (R-Q-3: what
the log said at a position never changes); a new event moves the live position, so the next read
computes afresh — a cached result is never stale."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import projections.annual as annual_module
from ledger.application import commands as c
from tests.conftest import OFFICE, SUPERVISION, Bureau


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the whole bureau's results were computed."""
    calls: list[int] = []
    real = annual_module.compute

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(annual_module, "compute", counting)
    return calls


def test_a_year_is_computed_once_per_position_and_again_after_an_event__R_Q_3(bureau: Bureau, computed: list[int]) -> None:
    annual = bureau.service.annual
    first = annual.year(2026)
    n = len(computed)  # the year, and the year before for R-CS-1 (no plan for 2025: not computed)
    assert annual.year(2026) == first and len(computed) == n, "the second read is served from the cache"

    before = bureau.service.queries.projection_position()
    bureau.run(SUPERVISION, c.RecordDeduction(person="P02", points="15", basis="上班时间离岗", occurred_on=date(2026, 1, 12), form_no="JC-1"))
    bureau.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P02", rate="0.90"))
    now = annual.year(2026)
    assert len(computed) == 2 * n, "a new position is computed afresh"
    assert now["persons_by_code"]["P02"]["deducted_points"] == "15.00" != first["persons_by_code"]["P02"]["deducted_points"]
    # as of the earlier position: the result cached for it, equal to what was read then
    assert annual.at(before).year(2026) == first and len(computed) == 2 * n


def test_a_reader_changing_its_copy_does_not_change_the_cache(bureau: Bureau) -> None:
    annual = bureau.service.annual
    mine = annual.year(2026)
    mine["persons"].clear()
    mine["summary"]["year"] = 1999
    again = annual.year(2026)
    assert again["persons"] and again["summary"]["year"] == 2026
