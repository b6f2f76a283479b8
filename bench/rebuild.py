"""`jixiao rebuild` throughput: events replayed per second on a store of BENCH_REBUILD_EVENTS events
(default 200,000), the median of BENCH_RUNS runs (default 3), against raw sqlite3 reading the same
rows (every stored event, in log order) on the same machine.

The store is loaded through the real handlers, projector, history triggers and hash chain, as
bench/as_of.py loads its own: a roster of 400, a year's monthly sheets, supervision deductions with
one in ten reversed, BENCH_BATCH commands per transaction. It is kept in var/bench/rebuild.db and
reused while it has enough events.

Beside the rebuild, the floor under it: raw sqlite3 writing the rows a rebuild writes (every
projected and history table as the rebuild left it, copied into an empty store of the same schema
with executemany in one transaction, the history tables' indexes created after, as the rebuild
does), expressed as events/s. No rebuild on SQLite can beat it whatever its Python costs. Prints:

    rebuild events/s <median> (<each run>; <N> events) raw SQLite read events/s <median> ratio <rebuild / raw>
    raw sqlite3 writing the rows a rebuild writes: <rows> rows in <s> s = <events/s> events/s (the floor) …
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.service import LedgerService  # noqa: E402
from bench import as_of  # noqa: E402
from bench.results import record  # noqa: E402
from ledger.clock import Clock  # noqa: E402
from bench.raw_writes import raw_copy  # noqa: E402
from projections.tables import HISTORY, PROJECTED_TABLES  # noqa: E402

EVENTS = int(os.environ.get("BENCH_REBUILD_EVENTS", "200000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
STORE = Path(__file__).resolve().parent.parent / "var" / "bench" / "rebuild.db"


def _load(service: LedgerService, target: int) -> None:
    """The store bench/as_of.py builds (a roster of 400, a year's monthly sheets, supervision
    deductions with one in ten reversed), up to `target` events."""
    persons = as_of._setup(service) if service.queries.event_count() == 0 else [f"P{i:04d}" for i in range(as_of.STAFF)]
    as_of._load(service, persons, target)


def _raw_read(path: Path) -> float:
    """Seconds for raw sqlite3 to read every stored event, as the rebuild reads them."""
    conn = sqlite3.connect(path)
    try:
        started = time.perf_counter()
        conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid").fetchall()
        return time.perf_counter() - started
    finally:
        conn.close()


def _raw_write(path: Path) -> tuple[int, float]:
    """(rows, seconds) for raw sqlite3 to write every row of the projected and history tables of
    the store at `path` (bench/raw_writes.py), the history tables' indexes created after the rows
    as the rebuild creates them again."""
    tables = [table.name for table in PROJECTED_TABLES]
    history = [HISTORY[name].name for name in tables]
    return raw_copy(path, tables + history, indexes_after=history)


def main() -> None:
    STORE.parent.mkdir(parents=True, exist_ok=True)
    service = LedgerService(f"sqlite:///{STORE}", clock=Clock(date(2027, 1, 10)))
    try:
        if service.queries.event_count() < EVENTS:
            print(f"building a store of {EVENTS:,} events in {STORE} (once; reused by later runs) …", file=sys.stderr, flush=True)
            _load(service, EVENTS)
        events = service.queries.event_count()
        rates, raw_rates = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            service.rebuild()
            rates.append(events / (time.perf_counter() - started))
            raw_rates.append(events / _raw_read(STORE))
    finally:
        service.close()
    writes = [_raw_write(STORE) for _ in range(RUNS)]
    rows, floor = writes[0][0], events / statistics.median(seconds for _, seconds in writes)
    rate, raw = statistics.median(rates), statistics.median(raw_rates)
    runs = " ".join(f"{r:,.0f}" for r in rates)
    print(f"rebuild events/s {rate:,.0f} (runs {runs}; {events:,} events) raw SQLite read events/s {raw:,.0f} ratio {rate / raw:.3f}")
    print(
        f"raw sqlite3 writing the rows a rebuild writes: {rows:,} rows = {floor:,.0f} events/s (the floor; runs"
        f" {' '.join(f'{events / seconds:,.0f}' for _, seconds in writes)}); rebuild {rate / floor:.2f} of it"
    )
    record(
        "rebuild", rate, rate / 100_000, 1.0,
        note=f"{events:,} events; raw sqlite3 only writing the {rows:,} rows a rebuild writes: {floor:,.0f} events/s ({floor / 100_000:.2f} × the target; rebuild {rate / floor:.2f} of it); reading the log raw: {raw:,.0f}/s",
    )  # fmt: skip


if __name__ == "__main__":
    main()
