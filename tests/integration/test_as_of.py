"""R-Q-3: a query as of log position P answers what the system showed then — exactly what a
rebuild of the log cut at P shows — without replaying the log (history tables, projections/history.py)."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from ledger.application import commands as c
from ledger.adapters.tables import event_chain
from ledger.domain.errors import DomainError, PlanNotFound
from api.service import LedgerService
from tests.conftest import LEADING, OFFICE, SUPERVISION, Bureau, build_bureau
from tests.integration.test_live_equals_recomputation import _apply, op


def _cut(service: LedgerService, position: int, folder: Path) -> LedgerService:
    """A second store holding the log up to `position`, its projections rebuilt from it.

    SQLite only: the cut copies the rows, positions (rowids) included, straight from the source
    file it ATTACHes, so each cut is a new file in a folder. The property test below builds its
    own SQLite store for each Hypothesis example (a fresh history each time), not the `db_url`
    fixture's one store per test."""
    path = Path(tempfile.mkdtemp(dir=folder)) / "cut.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))")
    conn.execute("ATTACH DATABASE ? AS src", (service.database.sqlite_path,))
    conn.execute("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) SELECT rowid, originator_id, originator_version, topic, state FROM src.stored_events WHERE rowid <= ?", (position,))
    conn.commit()
    conn.close()
    cut = LedgerService(f"sqlite:///{path}")
    cut.rebuild()
    return cut


def _view(queries: Any, annual: Any) -> dict[str, Any]:
    try:
        results = annual.year(2026)
    except PlanNotFound:
        results = None
    try:
        ledgers = {p: queries.ledger(p, 2026) for p in ("P02", "P03", "B01")}
    except DomainError:
        ledgers = None
    for target, full in (ledgers or {}).items():  # a page: found from the sheets alone, by key
        page = queries.ledger(target, 2026, limit=2, offset=1)
        assert page == {**full, "entries": full["entries"][1:3], "offset": 1}, f"page of {target}"
        assert full["entries_total"] == len(full["entries"])
    return {
        "sheets": queries.sheets(year=2026, limit=500),
        "units": queries.units(),
        "persons": queries.persons(limit=500),
        "ledgers": ledgers,
        "results": results,
    }


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=1, max_size=15), cuts=st.lists(st.floats(0, 1), min_size=1, max_size=3))
def test_as_of_equals_a_rebuild_of_the_log_cut_there_R_Q_3(ops: list[tuple[Any, ...]], cuts: list[float]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="jixiao-asof-"))
    service = LedgerService(f"sqlite:///{folder / 'ledger.db'}")
    try:
        build_bureau(service)
        _apply(service, ops)
        last = service.queries.event_count()
        for position in sorted({max(1, int(fraction * last)) for fraction in cuts}):
            cut = _cut(service, position, folder)
            try:
                assert _view(service.queries.at(position), service.annual.at(position)) == _view(cut.queries, cut.annual), f"as of {position}"
            finally:
                cut.close()
        assert _view(service.queries.at(last), service.annual.at(last)) == _view(service.queries, service.annual)
    finally:
        service.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_a_figure_before_and_after_a_correction_R_Q_3_R_FIX_1(bureau: Bureau) -> None:
    """P02 loses 15 points in January (sheet 85.00); the leading group reverses it (100.00). As of
    the position before the reversal the sheet still shows 85.00, and as of a moment before it
    too; the entry shows 'active' then and 'reversed' now."""
    out = bureau.run(SUPERVISION, c.RecordDeduction(person="P02", points="15", basis="违纪", occurred_on=date(2026, 1, 8), form_no="JC-1"))
    bureau.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P02", rate="0.95"))
    before = bureau.events()
    q = bureau.service.queries
    moment = q._one(event_chain.select().where(event_chain.c.position == before))["recorded_at"]
    bureau.run(LEADING, c.ReverseEntry(entry_id=out["entry_id"], reason="误扣", decision_ref="绩领〔2026〕1号"))
    assert q.sheet("P02:2026-01:monthly")["score"] == "100.00"
    then = q.at(before)
    assert then.sheet("P02:2026-01:monthly")["score"] == "85.00"
    assert then.entry(out["entry_id"])["status"] == "active" and q.entry(out["entry_id"])["status"] == "reversed"
    assert q.position_at(moment) == before
    annual_then, annual_now = bureau.service.annual.at(before).year(2026), bureau.service.annual.year(2026)
    # (85 + 100 + 100) / 300 = 0.95 → 66.5 + 28.5 = 95.00; after the reversal 70 + 28.5 = 98.50.
    assert (annual_then["persons_by_code"]["P02"]["annual_rate"], annual_now["persons_by_code"]["P02"]["annual_rate"]) == ("95.00", "98.50")
    assert q.position_at("2000-01-01T00:00:00") == 0


def test_a_correction_compared_before_and_after_and_results_across_years_R_Q_3(bureau: Bureau) -> None:
    """P02 −15 in January, democratic 0.95: 95.00 excellent; reversed: 98.50. The comparison
    names the reversal's position and both sets of figures; the year-by-year history shows 2026."""
    from projections.crossyear import CrossYear

    out = bureau.run(SUPERVISION, c.RecordDeduction(person="P02", points="15", basis="违纪", occurred_on=date(2026, 1, 8), form_no="JC-1"))
    bureau.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P02", rate="0.95"))
    reversal = bureau.run(LEADING, c.ReverseEntry(entry_id=out["entry_id"], reason="误扣", decision_ref="r"))
    cross = CrossYear(bureau.service.view())
    diff = cross.correction(out["entry_id"])
    assert diff["corrected_at_position"] == reversal["position"]
    assert (diff["before"]["sheet_score"], diff["before"]["entry_status"], diff["before"]["annual"]["annual_rate"]) == ("85.00", "active", "95.00")
    assert (diff["after"]["sheet_score"], diff["after"]["entry_status"], diff["after"]["annual"]["annual_rate"]) == ("100.00", "reversed", "98.50")
    history = cross.person("P02")
    assert [(y["year"], y["annual_rate"]) for y in history["years"]] == [(2026, "98.50")]
    assert history["incompetent_runs"] == []


def test_an_amendment_compared_after_its_replacement_is_recorded_R_Q_3_R_FIX_1(bureau: Bureau) -> None:
    """P02 −15 in January amended to −5: the amendment takes the entry out at one position and
    records its replacement at the next; "after" is the sheet with the replacement, 95.00
    (100 − 5), not 100.00 between the two events."""
    from projections.crossyear import CrossYear

    out = bureau.run(SUPERVISION, c.RecordDeduction(person="P02", points="15", basis="违纪", occurred_on=date(2026, 1, 8), form_no="JC-1"))
    bureau.run(LEADING, c.AmendEntry(entry_id=out["entry_id"], points="5", reason="改扣5分", decision_ref="r"))
    diff = CrossYear(bureau.service.view()).correction(out["entry_id"])
    assert (diff["before"]["sheet_score"], diff["after"]["sheet_score"], diff["after"]["entry_status"]) == ("85.00", "95.00", "amended")
