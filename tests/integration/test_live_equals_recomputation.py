"""Property (issue 3): for random event histories, the live annual projections equal a
from-scratch recomputation over the events, and `jixiao rebuild` leaves them unchanged.

The oracle below reads the stored log in order and recomputes, in plain Python from RULES.md,
every person's monthly sheets (R-SHEET-1: 100 − Σ active deductions, never below 0), their
monthly total and deducted points (R-STAFF-1, R-BONUS-T-3), and the annual rate
(R-STAFF-2: (mean monthly rate × 70% + democratic rate × 30%) × 100, half-up to 2 places) and
the last-ranked flag (R-UNIT-4: among regular persons — the small bureau has no senior or exempt
one — with a rate, everyone tied at the lowest, nobody when fewer than two have a rate);
reversals and amendments (R-FIX-1) and cascades (R-CASCADE-1) come from the events alone."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from ledger.application import commands as c
from ledger.domain.errors import DomainError
from ledger.domain.review import AnnualReview
from ledger.domain.sheet import Sheet
from api.service import LedgerService
from tests.conftest import LEADING, OFFICE, SUPERVISION, build_bureau

PERSONS = ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10", "P11"]
B01_STAFF = ["P01", "P02", "P03", "P04"]
B02_STAFF = ["P05", "P06", "P07"]

points = st.integers(min_value=1, max_value=2500).map(lambda cents: str(Decimal(cents) / 100))
op = st.one_of(
    st.tuples(st.just("person"), st.sampled_from(PERSONS), st.integers(1, 3), points),
    st.tuples(st.just("unit"), st.sampled_from(["B01", "B02"]), st.integers(1, 3), points),
    st.tuples(st.just("reverse"), st.integers(0, 30)),
    st.tuples(st.just("amend"), st.integers(0, 30), points),
    st.tuples(st.just("democratic"), st.sampled_from(PERSONS), st.integers(50, 100)),
)


def _apply(service: LedgerService, ops: list[tuple[Any, ...]]) -> None:
    run = service.ledger.execute
    entries: list[str] = []
    for i, o in enumerate(ops):
        try:
            if o[0] == "person":
                out = run(SUPERVISION, c.RecordDeduction(person=o[1], points=o[3], basis="效能监察", occurred_on=date(2026, o[2], 10), form_no=f"JC-{i}"))
                entries.append(out["entry_id"])
            elif o[0] == "unit":
                staff = B01_STAFF if o[1] == "B01" else B02_STAFF
                responsible = [c.Responsible(person=staff[i % len(staff)])]
                out = run(SUPERVISION, c.RecordDeduction(unit=o[1], track="routine", points=o[3], basis="效能监察", occurred_on=date(2026, o[2], 12), form_no=f"JC-{i}", responsible=responsible))
                entries.append(out["entry_id"])
            elif o[0] == "reverse" and entries:
                run(LEADING, c.ReverseEntry(entry_id=entries[o[1] % len(entries)], reason="误扣", decision_ref=f"r{i}"))
            elif o[0] == "amend" and entries:
                out = run(LEADING, c.AmendEntry(entry_id=entries[o[1] % len(entries)], points=o[2], reason="更正", decision_ref=f"a{i}"))
                entries.append(out["entry_id"])
            elif o[0] == "democratic":
                run(OFFICE, c.RecordDemocraticRate(year=2026, person=o[1], rate=str(Decimal(o[2]) / 100)))
        except DomainError:
            pass  # refused commands (an entry already reversed, a sheet item cap…) write nothing


def _oracle(service: LedgerService) -> dict[str, dict[str, Any]]:
    """Recompute the persons' figures from the stored events alone."""
    sheets: dict[str, tuple[str, str]] = {}  # sheet aggregate id -> (target, track)
    points_of: dict[tuple[str, int], Decimal] = {}
    active: set[tuple[str, int]] = set()
    democratic: dict[str, Decimal] = {}
    recorder, mapper = service.ledger.recorder, service.ledger.mapper
    for n in recorder.select_notifications(start=1, limit=1_000_000):
        e = mapper.to_domain_event(n)
        if isinstance(e, Sheet.Opened):
            sheets[str(e.originator_id)] = (e.target, e.track)
        elif isinstance(e, Sheet.DeductionRecorded):
            key = (str(e.originator_id), e.no)
            points_of[key] = Decimal(e.points)
            active.add(key)
        elif isinstance(e, Sheet.DeductionReversed):
            active.discard((str(e.originator_id), e.no))
        elif isinstance(e, AnnualReview.DemocraticRateRecorded):
            democratic[e.person] = Decimal(e.rate)
    deducted_on: dict[str, Decimal] = {sid: Decimal(0) for sid in sheets}
    for key in active:
        deducted_on[key[0]] += points_of[key]
    out: dict[str, dict[str, Any]] = {}
    for sid, (target, track) in sheets.items():
        if track != "monthly":
            continue
        row = out.setdefault(target, {"total": Decimal(0), "deducted": Decimal(0), "months": 0})
        row["total"] += max(Decimal(0), 100 - deducted_on[sid])
        row["deducted"] += deducted_on[sid]
        row["months"] += 1
    result = {}
    for person, row in out.items():
        figures = {"monthly_total": f"{row['total']:.2f}", "deducted_points": f"{row['deducted']:.2f}", "annual_rate": None}
        if person in democratic:
            rate = (row["total"] / (100 * row["months"]) * Decimal("0.7") + democratic[person] * Decimal("0.3")) * 100
            figures["annual_rate"] = str(rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        result[person] = figures
    rated = {p: Decimal(f["annual_rate"]) for p, f in result.items() if f["annual_rate"] is not None}
    for p, f in result.items():
        f["bottom"] = len(rated) >= 2 and p in rated and rated[p] == min(rated.values())
    return result


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=1, max_size=25))
def test_live_annual_figures_equal_a_recomputation_and_survive_rebuild_R_STAFF_1_R_STAFF_2_R_FIX_1_R_CASCADE_1(ops: list[tuple[Any, ...]]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="jixiao-prop-"))
    service = LedgerService(f"sqlite:///{folder / 'ledger.db'}")
    try:
        build_bureau(service)
        _apply(service, ops)
        live = service.annual.year(2026)
        expected = _oracle(service)
        got = {code: {k: r[k] for k in ("monthly_total", "deducted_points", "annual_rate", "bottom")} for code, r in live["persons_by_code"].items()}
        assert got == expected
        service.rebuild()
        assert service.annual.year(2026) == live
    finally:
        service.close()
        shutil.rmtree(folder, ignore_errors=True)
