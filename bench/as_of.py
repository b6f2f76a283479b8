"""As-of query latency on a large store (issue 4): median and p99 of a query asked as of random
past log positions, next to the same query asked live, on a store of BENCH_AS_OF_EVENTS events
(default 1,000,000).

The store is loaded through the real handlers, projector, history triggers and hash chain, but
with many commands per transaction (BENCH_BATCH, default 500) so that loading a million events
takes minutes rather than a million fsyncs; the queries then run against it as they would in
service. The store is kept in var/bench/as_of.db and reused while it has enough events;
BENCH_AS_OF_STORE names another file (a copy: opening a store migrates it to the code's schema).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger.application import commands as c  # noqa: E402
from ledger.domain.actors import Actor, Role  # noqa: E402
from ledger.clock import Clock  # noqa: E402
from ledger.domain.errors import DomainError  # noqa: E402
from api.cli import settle_heap  # noqa: E402
from api.service import LedgerService  # noqa: E402
from bench.results import record  # noqa: E402

EVENTS = int(os.environ.get("BENCH_AS_OF_EVENTS", "1000000"))
BATCH = int(os.environ.get("BENCH_BATCH", "500"))
QUERIES = int(os.environ.get("BENCH_AS_OF_QUERIES", "200"))
LEDGER_PAGE = 50  # the page the UI asks for (我的台账: 50 entries a page, ~2,500 in a year here)
STAFF = 400
STORE = Path(os.environ.get("BENCH_AS_OF_STORE") or Path(__file__).resolve().parent.parent / "var" / "bench" / "as_of.db")

OFFICE = Actor("bench-office", Role.OFFICE)
SUPERVISION = Actor("bench-supervision", Role.SUPERVISION)
LEADING = Actor("bench-leading", Role.LEADING_GROUP)


def _setup(service: LedgerService) -> list[str]:
    run = service.ledger.execute
    persons = [f"P{i:04d}" for i in range(STAFF)]
    for u in range(20):
        run(OFFICE, c.RegisterUnit(code=f"B{u:02d}", name=f"第{u}分局", kind="branch", registered_on=date(2020, 1, 1)))
    for i, code in enumerate(persons):
        run(OFFICE, c.EnrolPerson(code=code, name=f"测试{i}", gender="male", birth_date=date(1980, 1, 1), unit=f"B{i % 20:02d}", joined_on=date(2010, 1, 1)))
    run(OFFICE, c.PlanYear(year=2026))
    for m in range(1, 13):
        run(OFFICE, c.OpenPeriod(period=f"2026-{m:02d}"))
    for i in range(len(persons)):
        run(OFFICE, c.RecordDemocraticRate(year=2026, person=persons[i], rate="0.95"))
    return persons


def _load(service: LedgerService, persons: list[str], target: int) -> None:
    """Supervision deductions (and a reversal of every tenth), BATCH commands per transaction."""
    ledger = service.ledger
    rng = random.Random(7)
    recorded: list[str] = []
    started = time.perf_counter()
    n = service.queries.event_count()
    while n < target:
        batch: list[tuple[Actor, c.Command]] = []
        for k in range(BATCH):
            if recorded and k % 10 == 9:
                batch.append((LEADING, c.ReverseEntry(entry_id=recorded.pop(rng.randrange(len(recorded))), reason="误扣", decision_ref="r")))
            else:
                command = c.RecordDeduction(
                    person=rng.choice(persons), points="0.01", basis="效能监察", occurred_on=date(2026, rng.randint(1, 12), 10), form_no="JC"
                )
                batch.append((SUPERVISION, command))
        for result in ledger.execute_batch(batch):
            if "entry_id" in result:
                recorded.append(result["entry_id"])
        n = service.queries.event_count()
        if n // 100_000 != (n - BATCH) // 100_000:
            print(f"  loaded {n:,} events ({n / (time.perf_counter() - started):,.0f}/s)", flush=True)


def _warm(path: Path) -> None:
    """Read the store's files once, so the queries find its pages in the OS cache as a serving
    machine's would: run after the other benches (or after this machine's proactive reclaim,
    kdamond, evicted the 1.5 GB file), the as-of reads otherwise measured the disk — the whole
    bureau's annual results as of a position 287 ms median against 25 ms warm."""
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            with file.open("rb") as f:
                while f.read(1 << 24):
                    pass


def _latency(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        try:
            fn()
        except DomainError:
            pass  # "no such entry as of then" is an answer too
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def main() -> None:
    STORE.parent.mkdir(parents=True, exist_ok=True)
    service = LedgerService(f"sqlite:///{STORE}", clock=Clock(date(2027, 1, 10)))  # after every fact it records
    try:
        if service.queries.event_count() == 0:
            print(f"building a store of {EVENTS:,} events in {STORE} (once; reused by later runs) …", flush=True)
            persons = _setup(service)
        else:
            persons = [f"P{i:04d}" for i in range(STAFF)]
        if service.queries.event_count() < EVENTS:
            _load(service, persons, EVENTS)
        last = service.queries.event_count()
        settle_heap()  # as `jixiao serve` does before serving
        _warm(STORE)
        with service.engine.connect() as conn:  # past positions are drawn from after the set-up
            first = int(conn.exec_driver_sql("SELECT MIN(recorded_position) FROM entries").scalar_one())
        rng = random.Random(11)
        print(f"store: {last:,} events; {QUERIES} queries per figure, milliseconds (median / p99)")
        cases: list[tuple[str, Callable[[Any], Any]]] = [
            ("sheet with its entries", lambda v: v.queries.sheet(f"{rng.choice(persons)}:2026-{rng.randint(1, 12):02d}:monthly")),
            ("a person's ledger for the year", lambda v: v.queries.ledger(rng.choice(persons), 2026, limit=LEDGER_PAGE, offset=rng.randrange(2000))),
            ("the same, every entry at once", lambda v: v.queries.ledger(rng.choice(persons), 2026)),
            ("an entry", lambda v: v.queries.entry(f"{rng.choice(persons)}:2026-06:monthly:1")),
        ]
        for name, query in cases:
            live = _latency(lambda: query(service.view(None)), QUERIES)
            past = _latency(lambda: query(service.view(rng.randint(first, last))), QUERIES)
            print(f"{name:34s} now {live[0]:7.2f} / {live[1]:7.2f}    as of a random position {past[0]:7.2f} / {past[1]:7.2f}")
            if name == "a person's ledger for the year":
                note = f"a page of {LEDGER_PAGE} at a random offset; median {{:.1f}} ms; {last:,} events"
                record("ledger_now_p99", live[1], None, 10, better="lower", note=note.format(live[0]))
                record("ledger_as_of_p99", past[1], None, 10, better="lower", note=note.format(past[0]))
        runs = max(5, QUERIES // 20)
        live = _latency(lambda: service.view(None).annual.year(2026), runs)
        past = _latency(lambda: service.view(rng.randint(first, last)).annual.year(2026), runs)
        print(f"{'annual results, whole bureau':34s} now {live[0]:7.2f} / {live[1]:7.2f}    as of a random position {past[0]:7.2f} / {past[1]:7.2f}  ({runs} runs)")
        record("as_of_annual_p99", past[1], None, 50, better="lower", note=f"median {past[0]:.1f} ms, {runs} runs; live {live[0]:.1f} / {live[1]:.1f} ms")
    finally:
        service.close()


if __name__ == "__main__":
    main()
