"""Command throughput against raw SQLite on the same machine (`make bench`).

Targets (issue 14): a command that validates, appends its events and updates its projections in
one transaction runs at no less than half of raw SQLite's single-row commit rate; a bulk load
(BENCH_BULK_BATCH commands per transaction, `Ledger.execute_batch`: every rule, the same events)
at no less than half of raw batched inserts of the same event rows. Both sides use WAL with
synchronous=FULL on the same disk.

Rows: one client issuing commands one after another; CLIENTS threads issuing them at once (the
service's request threads), which the ledger commits in groups (ledger/application/group_commit.py:
one transaction and one fsync for the commands waiting together); the bulk load.

Each measurement is repeated RUNS times and the median is reported (these machines are noisy).

Then one more run of each command row with the writer's commits timed (`_Commits`): how much of a
command the commit itself takes, against raw SQLite's single-row commit. The commit writes the
command's WAL frames (events, chain link, audit record, entry, sheet, sums, their history rows,
tracking) and waits for the disk; with no Python at all a command could go no faster, so its ratio
is the row's ceiling. Printed, and kept with the rows in var/bench/results.json.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger.application import commands as c  # noqa: E402
from ledger.domain.actors import Actor, Role  # noqa: E402
from api.service import LedgerService  # noqa: E402
from ledger.clock import Clock  # noqa: E402
from bench.raw_writes import raw_copy  # noqa: E402
from bench.results import record, run_together  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
RAW_COMMITS = 3000
COMMANDS = int(os.environ.get("BENCH_COMMANDS", "2000"))
STAFF = 100
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
BULK_BATCH = int(os.environ.get("BENCH_BULK_BATCH", "500"))
BENCH_DIR = Path(__file__).resolve().parent.parent / "var" / "bench"


def raw_sqlite_commits_per_s(directory: Path) -> float:
    path = directory / "raw.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, topic TEXT, state BLOB)")
    payload = b"x" * 300  # about the size of one stored DeductionRecorded event
    started = time.perf_counter()
    for _ in range(RAW_COMMITS):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (topic, state) VALUES (?, ?)", ("bench", payload))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return RAW_COMMITS / elapsed


def raw_sqlite_batched_rows_per_s(directory: Path, rows: list[tuple[str, int, str, bytes]]) -> float:
    """Raw batched inserts of the bulk load's own event rows, BULK_BATCH per transaction, into a
    table shaped like the event store's (primary key (originator_id, originator_version))."""
    conn = sqlite3.connect(directory / "raw-batched.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))")
    started = time.perf_counter()
    for i in range(0, len(rows), BULK_BATCH):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", rows[i : i + BULK_BATCH])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


def _bureau(service: LedgerService) -> tuple[Actor, list[str]]:
    office = Actor("bench-office", Role.OFFICE)
    run = service.ledger.execute
    run(office, c.RegisterUnit(code="B01", name="城东分局", kind="branch", registered_on=date(2020, 1, 1)))
    run(office, c.RegisterUnit(code="D01", name="人教科", kind="department", registered_on=date(2020, 1, 1)))
    persons = [f"P{i:03d}" for i in range(STAFF)]
    for i, code in enumerate(persons):
        run(office, c.EnrolPerson(code=code, name=f"测试{i}", gender="male", birth_date=date(1980, 1, 1), unit="B01", joined_on=date(2010, 1, 1)))
    run(office, c.EnrolPerson(code="A01", name="考核员", gender="female", birth_date=date(1985, 1, 1), unit="D01", joined_on=date(2010, 1, 1)))
    run(office, c.AppointHead(unit="B01", person=persons[0], effective_from=date(2015, 1, 1)))
    run(office, c.PlanYear(year=2026))
    run(office, c.OpenPeriod(period="2026-03"))
    run(office, c.OpenPeriod(period="2026-Q1", panels=[{"department": "D01", "assessors": ["A01"], "units": ["B01"]}]))
    return Actor("bench-head", Role.UNIT_HEAD, person=persons[0]), persons


def _deductions(head: Actor, persons: list[str], n: int, basis: str = "迟到") -> list[tuple[Actor, c.Command]]:
    """A unit head's deductions on members of staff (never the head: SELF_DEDUCTION)."""
    return [(head, c.RecordDeduction(person=persons[1 + i % (STAFF - 1)], points="0.01", basis=basis, occurred_on=date(2026, 3, 10))) for i in range(n)]


class _Commits:
    """The writer's commits during a run, timed: how many (a command alone, or a group of them)
    and their seconds."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def attach(self, service: LedgerService) -> None:
        recorder = service.ledger.recorder
        recorder._writer = _TimedWriter(recorder.writer(), self)  # type: ignore[attr-defined]


class _TimedWriter:
    """The ledger's writer connection, with its `commit` timed into `commits`."""

    def __init__(self, connection: sqlite3.Connection, commits: _Commits) -> None:
        self._connection = connection
        self._commits = commits

    def __getattr__(self, name: str) -> object:
        return getattr(self._connection, name)

    def commit(self) -> None:
        started = time.perf_counter()
        self._connection.commit()
        self._commits.seconds += time.perf_counter() - started
        self._commits.count += 1


def concurrent_commands_per_s(directory: Path, commits: _Commits | None = None) -> float:
    """CLIENTS threads, each issuing its share of the deductions one after another."""
    service = LedgerService(f"sqlite:///{directory / 'ledger.db'}", clock=Clock(date(2027, 1, 10)))
    try:
        head, persons = _bureau(service)
        if commits is not None:
            commits.attach(service)
        commands = _deductions(head, persons, COMMANDS)
        execute = service.ledger.execute
        shares = [commands[k::CLIENTS] for k in range(CLIENTS)]

        def client(share: list[tuple[Actor, c.Command]]) -> Callable[[], None]:
            def run() -> None:
                for actor, command in share:
                    execute(actor, command)

            return run

        elapsed = run_together([client(share) for share in shares])
        assert service.queries.projection_position() == service.queries.event_count()
        return COMMANDS / elapsed
    finally:
        service.close()


def bulk_events_per_s(directory: Path) -> tuple[float, float]:
    """(events/s of the bulk load through the ledger, events/s of raw batched inserts of the same rows)."""
    service = LedgerService(f"sqlite:///{directory / 'ledger.db'}", clock=Clock(date(2027, 1, 10)))
    try:
        head, persons = _bureau(service)
        before = service.queries.event_count()
        commands = _deductions(head, persons, COMMANDS * 2, basis="历史数据导入")
        started = time.perf_counter()
        for i in range(0, len(commands), BULK_BATCH):
            service.ledger.execute_batch(commands[i : i + BULK_BATCH])
        elapsed = time.perf_counter() - started
        events = service.queries.event_count() - before
        assert service.queries.projection_position() == service.queries.event_count()
        recorder = service.ledger.recorder
        stored = recorder.select_notifications(start=before + 1, limit=events)
        rows = [(n.originator_id.hex if hasattr(n.originator_id, "hex") else str(n.originator_id), n.originator_version, n.topic, n.state) for n in stored]
    finally:
        service.close()
    return events / elapsed, raw_sqlite_batched_rows_per_s(directory, rows)


def bulk_floor(directory: Path) -> tuple[int, int, float]:
    """(events, rows, events/s) of raw sqlite3 writing every row a bulk load left in the store in
    `directory` — events, chain links, audit records, read models and their history rows, in every
    table as it stands, indexes kept (bench/raw_writes.py) — as events per second: the floor."""
    path = directory / "ledger.db"
    conn = sqlite3.connect(path)
    try:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        events = int(conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])
    finally:
        conn.close()
    rows, seconds = raw_copy(path, tables)
    return events, rows, events / seconds


def ledger_commands_per_s(directory: Path, cascade: bool, commits: _Commits | None = None) -> float:
    service = LedgerService(f"sqlite:///{directory / 'ledger.db'}", clock=Clock(date(2027, 1, 10)))
    try:
        head, persons = _bureau(service)
        if commits is not None:
            commits.attach(service)
        assessor = Actor("bench-assessor", Role.ASSESSOR, person="A01")
        if cascade:
            # A unit deduction by a panel assessor cascading to one responsible person:
            # two aggregates, two events, two projections, one transaction.
            commands = [
                (assessor, c.RecordDeduction(unit="B01", track="key", points="0.01", basis="进度滞后", occurred_on=date(2026, 3, 10), responsible=[{"person": persons[1 + i % (STAFF - 1)]}]))
                for i in range(COMMANDS)
            ]
        else:
            # A unit head's deduction on a member of staff (never the head: SELF_DEDUCTION): one
            # sheet, one event, one transaction.
            commands = [
                (head, c.RecordDeduction(person=persons[1 + i % (STAFF - 1)], points="0.01", basis="迟到", occurred_on=date(2026, 3, 10)))
                for i in range(COMMANDS)
            ]
        execute = service.ledger.execute
        started = time.perf_counter()
        for actor, command in commands:
            execute(actor, command)
        elapsed = time.perf_counter() - started
        assert service.queries.projection_position() == service.queries.event_count()
        return COMMANDS / elapsed
    finally:
        service.close()


def median_of(fn, *args) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(RUNS):
        directory = Path(tempfile.mkdtemp(dir=BENCH_DIR))
        try:
            samples.append(fn(directory, *args))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    return statistics.median(samples), samples


def timed_commits(measure: Callable[[Path, _Commits], float]) -> tuple[float, _Commits]:
    """One more run of a command row with the writer's commits timed: (commands/s, the commits)."""
    commits = _Commits()
    directory = Path(tempfile.mkdtemp(dir=BENCH_DIR))
    try:
        return measure(directory, commits), commits
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def commit_note(rate: float, commits: _Commits, raw: float) -> str:
    """A command row's commit share, as printed and kept with the row."""
    per_command = 1e6 / rate
    committing = commits.seconds * 1e6 / COMMANDS  # µs of commit per command
    per_commit = commits.seconds * 1e6 / max(commits.count, 1)
    ceiling = 1e6 / committing / raw
    return (
        f"timed run: {per_command:,.0f} µs a command, of which the commit {committing:,.0f} µs ({commits.count:,} commits of"
        f" {per_commit:,.0f} µs for {COMMANDS:,} commands; a raw single-row commit {1e6 / raw:,.0f} µs); the other"
        f" {per_command - committing:,.0f} µs are Python and the statements before the commit; without them the ratio could reach {ceiling:.2f}"
    )


def main() -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    raw, raw_samples = median_of(raw_sqlite_commits_per_s)
    simple, simple_samples = median_of(ledger_commands_per_s, False)
    concurrent, concurrent_samples = median_of(concurrent_commands_per_s)
    cascaded, cascaded_samples = median_of(ledger_commands_per_s, True)
    bulk_pairs = []
    for run in range(RUNS):
        directory = Path(tempfile.mkdtemp(dir=BENCH_DIR))
        try:
            bulk_pairs.append(bulk_events_per_s(directory))
            if run == 0:  # the floor, on the rows the first load left
                events, rows, floor = bulk_floor(directory)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    bulk = statistics.median(b for b, _ in bulk_pairs)
    raw_batched = statistics.median(r for _, r in bulk_pairs)
    fmt = lambda xs: ", ".join(f"{x:,.0f}" for x in xs)  # noqa: E731
    print(f"runs per figure: {RUNS} (median reported); SQLite WAL, synchronous=FULL, {BENCH_DIR}")
    print(f"raw sqlite3 single-row commits/s      {raw:10,.0f}   [{fmt(raw_samples)}]")
    print(f"RecordDeduction on a person /s        {simple:10,.0f}   [{fmt(simple_samples)}]   ratio {simple / raw:.2f} (one client)")
    print(f"  … {CLIENTS} clients at once (group commit){concurrent:9,.0f}   [{fmt(concurrent_samples)}]   ratio {concurrent / raw:.2f} (target >= 0.50)")
    print(f"RecordDeduction on a unit + cascade /s{cascaded:10,.0f}   [{fmt(cascaded_samples)}]   ratio {cascaded / raw:.2f}")
    print(f"raw batched inserts of the same event rows/s {raw_batched:10,.0f}   ({BULK_BATCH} per transaction)")
    print(f"bulk load through the ledger, events/s       {bulk:10,.0f}   [{fmt(b for b, _ in bulk_pairs)}]   ratio {bulk / raw_batched:.2f} (target >= 0.50)")
    one_note = commit_note(*timed_commits(lambda d, commits: ledger_commands_per_s(d, False, commits)), raw)
    many_note = commit_note(*timed_commits(concurrent_commands_per_s), raw)
    print(f"  one client, {one_note}")
    print(f"  {CLIENTS} clients, {many_note}")
    record("command_in_process", simple, simple / raw, 0.5, note=f"one client; {one_note}")
    record("command_in_process_concurrent", concurrent, concurrent / raw, 0.5, note=f"{CLIENTS} clients, group commit; {many_note}")
    bulk_note = (
        f"raw sqlite3 writing every row a bulk load leaves ({rows:,} rows for {events:,} events: events, chain links, audit"
        f" records, read models, history): {floor:,.0f} events/s, {floor / raw_batched:.2f} × raw inserts of the events alone;"
        f" the bulk load {1e6 / bulk:,.0f} µs an event, that floor {1e6 / floor:,.1f} µs"
    )
    print(f"  {bulk_note}")
    record("bulk_load", bulk, bulk / raw_batched, 0.5, note=f"{BULK_BATCH} commands per transaction; {bulk_note}")


if __name__ == "__main__":
    main()
