"""Annual projections on the demo year, against raw SQLite reads on the same machine (`make bench`).

* update: one deduction (which updates the person's running sums inline) followed by reading the
  whole bureau's annual results, vs raw sqlite3 reading the rows those results are computed from;
* rebuild: `jixiao rebuild` of the demo year's projections, vs raw sqlite3 reading every stored event.

Medians of RUNS runs (these machines are noisy); every sample is printed beside the median.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger.application import commands as c  # noqa: E402
from ledger.domain.actors import Actor, Role  # noqa: E402
from ledger.demo.bureau import build_demo  # noqa: E402
from api.service import LedgerService  # noqa: E402
from ledger.clock import Clock  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
UPDATES = int(os.environ.get("BENCH_UPDATES", "50"))
BENCH_DIR = Path(__file__).resolve().parent.parent / "var" / "bench-annual"
INPUT_TABLES = ("persons", "assignments", "units", "unit_heads", "annual_persons", "annual_unit_tracks", "evaluations", "bonus_claims", "vetoes", "plans", "target_bonus")


def raw_read(path: Path, statements: list[str]) -> float:
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    for statement in statements:
        conn.execute(statement).fetchall()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def main() -> None:
    shutil.rmtree(BENCH_DIR, ignore_errors=True)
    BENCH_DIR.mkdir(parents=True)
    path = BENCH_DIR / "demo.db"
    service = LedgerService(f"sqlite:///{path}", clock=Clock(date(2027, 1, 10)))
    try:
        bureau = build_demo(service.ledger)
        year = bureau.year
        events = service.queries.event_count()
        # Re-open the year's last month so a unit head's deduction is a plain command.
        person = bureau.members["B01"][3]
        head = Actor("bench-head", Role.UNIT_HEAD, person=bureau.heads["B01"])
        service.ledger.execute(Actor("bench-lg", Role.LEADING_GROUP), c.ReopenSheet(sheet=f"{person}:{year}-12:monthly", reason="bench", decision_ref="bench"))

        update_ms, query_ms, raw_inputs_ms = [], [], []
        for _ in range(RUNS):
            samples_update, samples_query = [], []
            for _ in range(UPDATES):
                started = time.perf_counter()
                service.ledger.execute(head, c.RecordDeduction(person=person, points="0.01", item="M2", basis="迟到", occurred_on=date(year, 12, 3)))
                mid = time.perf_counter()
                result = service.annual.year(year)
                done = time.perf_counter()
                samples_update.append((done - started) * 1000)
                samples_query.append((done - mid) * 1000)
            assert result["persons_by_code"][person]["monthly_total"] is not None
            update_ms.append(statistics.median(samples_update))
            query_ms.append(statistics.median(samples_query))
            raw_inputs_ms.append(raw_read(path, [f"SELECT * FROM {t}" for t in INPUT_TABLES]) * 1000)

        rebuild_s, raw_events_s = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            service.rebuild()
            rebuild_s.append(time.perf_counter() - started)
            raw_events_s.append(raw_read(path, ["SELECT rowid, * FROM stored_events ORDER BY rowid"]))
    finally:
        service.close()
    med = statistics.median
    fmt = lambda xs, unit: ", ".join(f"{x:.2f}{unit}" for x in xs)  # noqa: E731
    print(f"demo year {year}: {events:,} events; runs per figure: {RUNS} (median reported)")
    print(f"deduction + whole-year annual results   {med(update_ms):8.2f} ms   [{fmt(update_ms, 'ms')}]")
    print(f"  of which the annual results query      {med(query_ms):8.2f} ms   [{fmt(query_ms, 'ms')}]")
    print(f"  raw sqlite3 reading the same inputs    {med(raw_inputs_ms):8.2f} ms   [{fmt(raw_inputs_ms, 'ms')}]   ratio {med(query_ms) / med(raw_inputs_ms):.1f}x")
    print(f"rebuild of every projection               {med(rebuild_s):8.2f} s    [{fmt(rebuild_s, 's')}]")
    print(f"  raw sqlite3 reading every event         {med(raw_events_s):8.3f} s    [{fmt(raw_events_s, 's')}]   ratio {med(rebuild_s) / med(raw_events_s):.1f}x")
    shutil.rmtree(BENCH_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
