"""Eight HTTP clients write to one server (`jixiao serve`) at once, 1,000 commands each (250 on
PostgreSQL), each command with its own Idempotency-Key: every acknowledged command is in the event
log exactly once, where its answer said (entry id and log position), with no duplicate, and the
projections agree with the log and with the sum of the acknowledged deductions (Decimal).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any, Callable

import pytest
from sqlalchemy import bindparam, select

from projections.tables import entries, sheets
from tests.reliability.harness import Outcome, Server, Store, last_position, plan, stored_deductions, write

WRITERS = 8
# 1,000 commands per writer on SQLite (about 40-50 s here, ~190 commands/s); a quarter of that on
# PostgreSQL (~75 commands/s here), which CI runs too, to keep the suite's time bounded.
PER_WRITER = {"sqlite": 1000, "postgresql": 250}
CENT = Decimal("0.01")


def _sheet_rows(store: Store, codes: list[str]) -> dict[str, dict[str, Any]]:
    engine = store.engine()
    try:
        with engine.connect() as conn:
            query = select(sheets).where(sheets.c.code.in_(bindparam("codes", expanding=True)))
            return {r["code"]: dict(r) for r in conn.execute(query, {"codes": codes}).mappings()}
    finally:
        engine.dispose()


def _our_entries(store: Store, run: str) -> list[dict[str, Any]]:
    engine = store.engine()
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(entries).where(entries.c.form_no.like(f"JC-{run}-%"))).mappings()]
    finally:
        engine.dispose()


@pytest.mark.parametrize("workers", [1, 2], ids=["one-process", "two-workers"])
def test_eight_concurrent_writers_each_acknowledged_command_is_stored_exactly_once(store: Store, serve: Callable[..., Server], workers: int) -> None:
    """With two server processes (`--workers 2`) the writers' connections are shared between
    them, and the processes write one store: each command still once, where its answer said."""
    per_writer = PER_WRITER[store.dialect]
    commands = plan(store, "t1", WRITERS, per_writer)
    every = [d for mine in commands for d in mine]
    codes = sorted({f"{d.person}:{d.month}:monthly" for d in every})
    before = _sheet_rows(store, codes)
    assert len(before) == len(codes)

    server = serve(workers)
    start = server.read("/stats")
    outcome = Outcome()
    began = time.monotonic()
    for thread in write(server, commands, outcome):
        thread.join(timeout=600)
    elapsed = time.monotonic() - began
    live = server.read("/stats")
    server.stop()
    print(f"\n{len(outcome.acked)} commands acknowledged in {elapsed:.1f} s: {len(outcome.acked) / elapsed:.0f} commands/s over HTTP ({store.dialect}, {workers} server process(es))")

    # Every command was answered, and answered 201, once.
    assert outcome.lost == [] and outcome.other == [], (outcome.lost[:3], outcome.other[:3])
    assert len(outcome.acked) == WRITERS * per_writer
    results = [result for _, result in outcome.acked.values()]
    assert all("replayed" not in r for r in results)
    assert len({r["entry_id"] for r in results}) == len(results), "two commands were answered with the same entry"
    assert len({r["position"] for r in results}) == len(results), "two commands were answered with the same log position"
    # SQLite numbers the log without gaps. A PostgreSQL sequence leaves one where two processes
    # raced for one sheet and the loser's insert was rolled back (the command ran again).
    gapless = store.dialect == "sqlite" or workers == 1
    assert live["events"] == start["events"] + len(every)
    assert live["position"] == live["events"] if gapless else live["position"] >= live["events"]

    # The event log: exactly the acknowledged deductions, each once, where its answer said.
    service = store.open()
    try:
        logged = stored_deductions(service, store, start["position"])
        assert service.queries.event_count() == start["events"] + len(every)
        assert service.queries.projection_position() == last_position(service) == live["position"]
    finally:
        service.close()
    by_form = Counter(form for _, _, form, _ in logged)
    assert [f for f, n in by_form.items() if n > 1] == [], "a command stored twice"
    assert {form: (position, entry_id, points) for position, entry_id, form, points in logged} == {
        d.form_no: (r["position"], r["entry_id"], d.points) for d, r in outcome.acked.values()
    }

    # The projections: one entry per acknowledged command, and each sheet's totals moved by
    # exactly the acknowledged deductions on it.
    rows = _our_entries(store, "t1")
    assert len(rows) == len(every)
    assert {r["form_no"]: (r["entry_id"], Decimal(str(r["points"])), r["status"]) for r in rows} == {
        d.form_no: (r["entry_id"], d.points, "active") for d, r in outcome.acked.values()
    }
    added: dict[str, Decimal] = defaultdict(Decimal)
    count: Counter[str] = Counter()
    for d, _ in outcome.acked.values():
        added[f"{d.person}:{d.month}:monthly"] += d.points
        count[f"{d.person}:{d.month}:monthly"] += 1
    after = _sheet_rows(store, codes)
    for code in codes:
        was, now = before[code], after[code]
        deducted = Decimal(str(now["deducted"]))
        assert deducted - Decimal(str(was["deducted"])) == added[code], code
        assert (now["entries_total"] - was["entries_total"], now["entries_active"] - was["entries_active"]) == (count[code], count[code]), code
        assert Decimal(str(now["score"])) == max(Decimal(0), Decimal(100) - deducted).quantize(CENT), code
