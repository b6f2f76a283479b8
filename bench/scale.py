"""A province on PostgreSQL (issue 14): builds a store of BENCH_SCALE_EVENTS events (default
10,000,000) through the real handlers, projector, history triggers and hash chain, and measures it
against raw PostgreSQL reads of the same rows.

The province: one store holds one bureau's roster (the Roster is a singleton), so the province's
20 bureaus are 20 groups of 20 branch units (`D00U00` … `D19U19`) with 20 staff each (`P00000` …
`P07999`), over five years 2022–2026. Each year is loaded in turn, as it would be lived: its plan,
its twelve monthly periods (a sheet per person and month), every person's democratic rate, then
supervision deductions month by month (a reversal of every tenth), until the year holds
BENCH_SCALE_PER_YEAR events (default 2,000,000: five years make 10M; of a year's events ~104,000
are its set-up). A smaller target stops part way through a year; the years loaded before it are
complete. Commands run BENCH_BATCH (500) to a transaction through `ledger.execute_batch`, as
`bench/as_of.py` does. The chain key and anchor file live in BENCH_SCALE_FILES (var/bench/scale/).

Resumable: a later run reuses the store and loads on up to the target. Then it measures
(BENCH_SCALE_QUERIES, default 100, queries per figure; BENCH_SCALE_ANNUAL_QUERIES, default the
same, for the annual results, ~2 s each; median and p99 in milliseconds), each beside a raw
psycopg read of the same rows (`RAW …` below, in the section on raw reads):

* a person's year ledger (评分登记表), live and as of a random position since the year began;
* a sheet with its entries, live and as of a random position;
* the whole bureau's annual results for a year, live (a fresh cache each time) and as of a random
  position (a distinct position each time: results are cached per (year, position));
* the rebuild rate, on a copy of the store (`CREATE DATABASE … TEMPLATE`), against a raw read of
  the whole events table (rows/s); BENCH_SCALE_REBUILD_EVENTS bounds it (0: skip);
* the disk size of every table (heap + TOAST, and its indexes), per million events.

    BENCH_SCALE_URL     postgresql://postgres:postgres@127.0.0.1:5432/jixiao_scale (created if missing)
    BENCH_SCALE_STEPS   load,measure,size,rebuild (any of them, comma-separated; run in that order)

Run: `.venv/bin/python bench/scale.py` (start PostgreSQL first: `pg_ctlcluster 15 main start`).
On a shared 2-CPU machine the load ran at ~2,000 events/s (a year's set-up ~3,000/s, deductions
~2,100/s): the 10M-event store of docs/operations.md ("Scale") took 100 minutes. Every run prints
the hashes of the files it measures (the tree changes under a long run).
"""

from __future__ import annotations

import hashlib
import os
import platform
import random
import shutil
import statistics
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.as_of import LEADING, OFFICE, SUPERVISION  # noqa: E402
from ledger.application import commands as c  # noqa: E402
from ledger.clock import Clock  # noqa: E402
from ledger.domain.actors import Actor  # noqa: E402
from ledger.domain.errors import DomainError  # noqa: E402
from ledger.settings import Settings  # noqa: E402
from api.service import LedgerService  # noqa: E402
from projections.annual import AnnualResults  # noqa: E402
from projections.rebuild import rebuild  # noqa: E402
from projections.tables import PROJECTED_TABLES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_SCALE_URL", "postgresql://postgres:postgres@127.0.0.1:5432/jixiao_scale")
EVENTS = int(os.environ.get("BENCH_SCALE_EVENTS", "10000000"))
PER_YEAR = int(os.environ.get("BENCH_SCALE_PER_YEAR", "2000000"))
BATCH = int(os.environ.get("BENCH_BATCH", "500"))
QUERIES = int(os.environ.get("BENCH_SCALE_QUERIES", "100"))
ANNUAL_QUERIES = int(os.environ.get("BENCH_SCALE_ANNUAL_QUERIES", str(QUERIES)))  # each ~2 s at 8,000 persons
REBUILD_EVENTS = int(os.environ.get("BENCH_SCALE_REBUILD_EVENTS", str(10**12)))
STEPS = set(os.environ.get("BENCH_SCALE_STEPS", "load,measure,rebuild,size").split(","))
FILES = Path(os.environ.get("BENCH_SCALE_FILES") or ROOT / "var" / "bench" / "scale")  # chain key, anchor file

BUREAUS, UNITS, STAFF = 20, 20, 20  # per province, per bureau, per unit
YEARS = range(2022, 2027)
PERSONS = [f"P{i:05d}" for i in range(BUREAUS * UNITS * STAFF)]
EVENTS_TABLE = "jixiao_events"


def _unit(i: int) -> str:
    return f"D{i // UNITS:02d}U{i % UNITS:02d}"


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


# -- the store ------------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the store's database if missing (never drops one)."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def open_service(url: str, files: Path) -> LedgerService:
    files.mkdir(parents=True, exist_ok=True)
    settings = Settings(database_url=url, chain_key_file=files / "chain-key", anchor_file=files / "anchors")
    return LedgerService(settings=settings, clock=Clock(date(2027, 1, 10)))  # after every fact the store records


def _scalar(service: LedgerService, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with service.engine.connect() as conn:
        return conn.exec_driver_sql(sql, params).scalar()


def _batches(service: LedgerService, commands: list[tuple[Actor, c.Command]]) -> None:
    for i in range(0, len(commands), BATCH):
        service.ledger.execute_batch(commands[i : i + BATCH])


def setup_roster(service: LedgerService) -> None:
    """The province's 400 units and 8,000 staff (once)."""
    if _scalar(service, "SELECT COUNT(*) FROM persons") == len(PERSONS):
        return
    units = [(OFFICE, c.RegisterUnit(code=_unit(u), name=f"第{u // UNITS}局第{u % UNITS}分局", kind="branch", registered_on=date(2020, 1, 1))) for u in range(BUREAUS * UNITS)]
    _batches(service, units)
    staff = [
        (OFFICE, c.EnrolPerson(code=p, name=f"测试{i}", gender="male", birth_date=date(1980, 1, 1), unit=_unit(i // STAFF), joined_on=date(2010, 1, 1)))
        for i, p in enumerate(PERSONS)
    ]
    _batches(service, staff)


def setup_year(service: LedgerService, year: int) -> None:
    """The year's plan, its monthly periods (a sheet for every person) and democratic rates;
    each part only if the store lacks it (resumable)."""
    if _scalar(service, "SELECT COUNT(*) FROM plans WHERE year = %s", (year,)) == 0:
        service.ledger.execute(OFFICE, c.PlanYear(year=year))
    for m in range(1, 13):
        if _scalar(service, "SELECT COUNT(*) FROM periods WHERE code = %s", (f"{year}-{m:02d}",)) == 0:
            service.ledger.execute(OFFICE, c.OpenPeriod(period=f"{year}-{m:02d}"))
    rated = {r[0] for r in service.engine.connect().exec_driver_sql("SELECT target FROM evaluations WHERE year = %s AND kind = 'democratic'", (year,))}
    _batches(service, [(OFFICE, c.RecordDemocraticRate(year=year, person=p, rate="0.95")) for p in PERSONS if p not in rated])


def year_start(service: LedgerService, year: int) -> int | None:
    """The log position just before the year's plan (None: not planned yet)."""
    found = _scalar(service, "SELECT position FROM plans WHERE year = %s", (year,))
    return None if found is None else int(found) - 1


def load(service: LedgerService, target: int) -> None:
    """Loads year after year until the log holds `target` events (each year PER_YEAR)."""
    ledger = service.ledger
    setup_roster(service)
    started, n0 = time.perf_counter(), ledger.log_position()
    last_report, last_n = started, n0
    print(f"[{_now()}] loading from {n0:,} to {target:,} events …", flush=True)
    for year in YEARS:
        start = year_start(service, year)
        if start is not None and ledger.log_position() - start >= PER_YEAR:
            continue  # a complete year
        if ledger.log_position() >= target:
            break
        setup_year(service, year)
        start = year_start(service, year)
        assert start is not None
        end = start + PER_YEAR
        # the year's deductions run month by month from its set-up's last event (the last rate)
        first = int(_scalar(service, "SELECT MAX(position) FROM evaluations WHERE year = %s AND kind = 'democratic'", (year,)))
        rng = random.Random(year * 1_000_003 + ledger.log_position())
        recorded: list[str] = []
        month_of_batch = 0
        while (n := ledger.log_position()) < target and n < end:
            month = min(12, 1 + (n - first) * 12 // max(end - first, 1))
            if month != month_of_batch:
                recorded, month_of_batch = [], month  # reversals stay in the month being loaded
            batch: list[tuple[Actor, c.Command]] = []
            for k in range(min(BATCH, target - n, end - n)):
                if recorded and k % 10 == 9:
                    batch.append((LEADING, c.ReverseEntry(entry_id=recorded.pop(rng.randrange(len(recorded))), reason="误扣", decision_ref="r")))
                else:
                    day = date(year, month, rng.randint(1, 28))
                    batch.append((SUPERVISION, c.RecordDeduction(person=rng.choice(PERSONS), points="0.01", basis="效能监察", occurred_on=day, form_no="JC")))
            for result in ledger.execute_batch(batch):
                if "entry_id" in result:
                    recorded.append(result["entry_id"])
            now = time.perf_counter()
            if now - last_report >= float(os.environ.get("BENCH_SCALE_REPORT_SECONDS", "60")):
                n = ledger.log_position()
                print(
                    f"[{_now()}] {n:,} events (year {year}, month {month}): {(n - last_n) / (now - last_report):,.0f} events/s now,"
                    f" {(n - n0) / (now - started):,.0f}/s this run",
                    flush=True,
                )
                last_report, last_n = now, n
    n = ledger.log_position()
    print(f"[{_now()}] loaded: {n:,} events; {n - n0:,} this run in {time.perf_counter() - started:,.0f} s ({(n - n0) / max(time.perf_counter() - started, 1e-9):,.0f} events/s)", flush=True)


# -- raw reads: the same rows, by hand ----------------------------------------------------------
#
# Each service read is timed beside a psycopg read of the rows it is made of, fetched as tuples:
#
#   RAW ledger   the person's sheets of the year (`sheets.target, year`) and the entries whose id
#                starts with `<person>:<year>-` (a primary-key range);
#   RAW sheet    the sheet's row (`sheets.code`) and the entries under `<sheet>:`;
#   RAW annual   every input row of the year's annual results and of the year before's (R-CS-1
#                reads the year before): plans, units, unit_heads, persons, assignments,
#                annual_persons, annual_unit_tracks, evaluations, approved bonus_claims, active
#                vetoes, target_bonus, open disputes;
#   as of P      the same rows as they stood at log position P, written by hand: the current rows
#                written by then, and for each current row written after P its latest version
#                written by then (a LATERAL seek in `<table>_history` on (key, position)).
#
# The conditions on the key (`{t}`: the table) narrow the current table by its indexes; the
# conditions on a version (`status`) are applied to the version shown.

COLUMNS = {t.name: [col.name for col in t.columns] for t in PROJECTED_TABLES}
KEYS = {t.name: [col.name for col in t.primary_key.columns] for t in PROJECTED_TABLES}


def at_sql(table: str, key: str, as_of: int | None, version: str = "TRUE") -> str:
    """Hand-written SQL for `table`'s rows matching `key` (on columns a row never changes) and
    `version`, live (None) or as of a position."""
    if as_of is None:
        return f"SELECT * FROM {table} t WHERE {key.format(t='t')} AND {version.format(t='t')}"
    cols = ", ".join(f'"{n}"' for n in COLUMNS[table])
    seek = " AND ".join(f'h."{k}" = n."{k}"' for k in KEYS[table])
    return (
        f"SELECT {cols} FROM {table} t WHERE {key.format(t='t')} AND {version.format(t='t')} AND t.position <= {as_of}"
        f" UNION ALL SELECT {', '.join(f'h.{c}' for c in cols.split(', '))} FROM {table} n CROSS JOIN LATERAL"
        f" (SELECT {cols}, superseded_at FROM {table}_history h WHERE {seek} AND h.position <= {as_of}"
        f" ORDER BY h.position DESC, h.superseded_at DESC LIMIT 1) h"
        f" WHERE {key.format(t='n')} AND n.position > {as_of} AND h.superseded_at > {as_of} AND {version.format(t='h')}"
    )


def _rows(conn: psycopg.Connection, table: str, key: str, params: tuple[Any, ...], as_of: int | None, version: str = "TRUE") -> list[Any]:
    return conn.execute(at_sql(table, key, as_of, version), params if as_of is None else params * 2).fetchall()


def _prefix_range(prefix: str) -> tuple[str, str]:
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def raw_ledger(conn: psycopg.Connection, person: str, year: int, as_of: int | None) -> int:
    lo, hi = _prefix_range(f"{person}:{year}-")
    rows = _rows(conn, "sheets", "{t}.target = %s AND {t}.year = %s", (person, year), as_of)
    rows += _rows(conn, "entries", "{t}.entry_id >= %s AND {t}.entry_id < %s", (lo, hi), as_of)
    return len(rows)


def raw_sheet(conn: psycopg.Connection, code: str, as_of: int | None) -> int:
    lo, hi = _prefix_range(f"{code}:")
    rows = _rows(conn, "sheets", "{t}.code = %s", (code,), as_of)
    rows += _rows(conn, "entries", "{t}.entry_id >= %s AND {t}.entry_id < %s", (lo, hi), as_of)
    return len(rows)


ANNUAL_INPUTS = (  # (table, key, version): what projections/annual_inputs.read_inputs reads for a year
    ("plans", "{{t}}.year = {y}", "TRUE"),
    ("unit_heads", "TRUE", "TRUE"),
    ("assignments", "TRUE", "TRUE"),
    ("target_bonus", "{{t}}.year = {y}", "TRUE"),
    ("disputes", "{{t}}.year = {y}", "{t}.status <> 'decided'"),
    ("units", "TRUE", "TRUE"),
    ("persons", "TRUE", "TRUE"),
    ("annual_persons", "{{t}}.year = {y}", "TRUE"),
    ("annual_unit_tracks", "{{t}}.year = {y}", "TRUE"),
    ("evaluations", "{{t}}.year = {y}", "TRUE"),
    ("bonus_claims", "{{t}}.year = {y}", "{t}.status = 'approved'"),
    ("vetoes", "{{t}}.year = {y}", "{t}.status = 'active'"),
)


def raw_annual(conn: psycopg.Connection, year: int, as_of: int | None) -> int:
    n = 0
    for y in (year, year - 1):
        for table, key, version in ANNUAL_INPUTS:
            n += len(_rows(conn, table, key.format(y=y), (), as_of, version))
    return n


# -- measuring ------------------------------------------------------------------------------------


def _stats(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    try:
        fn()
    except DomainError:
        pass  # "no such sheet as of then" is an answer too
    return (time.perf_counter() - t) * 1000


def _pairs(runs: int, draw: Callable[[], tuple[Callable[[], Any], Callable[[], Any]]]) -> tuple[tuple[float, float], tuple[float, float]]:
    """(median, p99) of the service's read and of the raw read, alternated over the same draws."""
    ours, raw = [], []
    for i in range(runs):
        service_read, raw_read = draw()
        if i % 2:
            raw.append(_timed(raw_read))
            ours.append(_timed(service_read))
        else:
            ours.append(_timed(service_read))
            raw.append(_timed(raw_read))
    return _stats(ours), _stats(raw)


def measure(service: LedgerService) -> None:
    with service.engine.connect() as conn:
        events = int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {EVENTS_TABLE}").scalar_one())
        spans = {
            int(y): (int(lo), int(n))
            for y, lo, n in conn.exec_driver_sql("SELECT year, MIN(recorded_position), COUNT(*) FROM entries GROUP BY year ORDER BY year")
        }
    last = service.ledger.log_position()
    years = list(spans)
    print(f"\n[{_now()}] measuring: {events:,} events (last position {last:,}); entries per year {', '.join(f'{y}: {n:,}' for y, (_, n) in spans.items())}")
    print(f"{QUERIES} queries per figure ({ANNUAL_QUERIES} for the annual results); milliseconds, median / p99; raw = psycopg reading the same rows (RAW … in bench/scale.py)")
    rng = random.Random(17)
    raw = psycopg.connect(URL, autocommit=True)
    used: set[int] = set()

    def past(year: int) -> int:
        """A random position since the year's first entry, not used before (the annual cache)."""
        while True:
            p = rng.randint(spans[year][0], last)
            if p not in used:
                used.add(p)
                return p

    def ledger(as_of: bool) -> Any:
        y, p = rng.choice(years), rng.choice(PERSONS)
        pos = past(y) if as_of else None
        return (lambda: service.view(pos).queries.ledger(p, y)), (lambda: raw_ledger(raw, p, y, pos))

    def sheet(as_of: bool) -> Any:
        y, p, m = rng.choice(years), rng.choice(PERSONS), rng.randint(1, 12)
        code, pos = f"{p}:{y}-{m:02d}:monthly", (past(y) if as_of else None)
        return (lambda: service.view(pos).queries.sheet(code)), (lambda: raw_sheet(raw, code, pos))

    def annual(as_of: bool) -> Any:
        y = rng.choice(years)
        pos = past(y) if as_of else None
        if pos is None:  # live: a fresh cache, so the results are computed, not looked up
            return (lambda: AnnualResults(service.engine).year(y)), (lambda: raw_annual(raw, y, None))
        return (lambda: service.view(pos).annual.year(y)), (lambda: raw_annual(raw, y, pos))

    figures: list[tuple[str, Any, Any]] = []
    for name, draw in (("a person's year ledger", ledger), ("a sheet with its entries", sheet), ("annual results, whole province", annual)):
        for as_of in (False, True):
            started = time.perf_counter()
            ours, base = _pairs(ANNUAL_QUERIES if draw is annual else QUERIES, lambda: draw(as_of))
            label = f"{name}, {'as of a past position' if as_of else 'live'}"
            figures.append((name, ours, base))
            print(
                f"  {label:<52} {ours[0]:9.2f} / {ours[1]:9.2f}   raw {base[0]:8.2f} / {base[1]:8.2f}"
                f"   ratio {ours[0] / base[0]:6.1f}x / {ours[1] / base[1]:6.1f}x   [{time.perf_counter() - started:.0f} s, {_now()}]",
                flush=True,
            )
    raw.close()
    for (name, live, live_raw), (_, then, then_raw) in zip(figures[::2], figures[1::2]):
        print(f"  {name}: as of a past position / live = {then[0] / live[0]:.1f}x (median), {then[1] / live[1]:.1f}x (p99); raw: {then_raw[0] / live_raw[0]:.1f}x / {then_raw[1] / live_raw[1]:.1f}x")


class _UpTo:
    """The recorder, ending the log at `last` (a bounded rebuild)."""

    def __init__(self, recorder: Any, last: int) -> None:
        self.recorder, self.last = recorder, last

    def select_notifications(self, start: int, limit: int, **kwargs: Any) -> Any:
        if start > self.last:
            return []
        return self.recorder.select_notifications(start=start, limit=min(limit, self.last - start + 1), **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.recorder, name)


def rebuild_rate(service: LedgerService) -> None:
    """`jixiao rebuild` on a copy of the store (the measured store keeps its tables as loaded),
    against a raw read of the whole events table."""
    name = urlparse(URL).path.lstrip("/")
    copy_name = f"{name}_rebuild"
    admin = urlparse(URL)._replace(path="/postgres").geturl()
    copy_url = urlparse(URL)._replace(path=f"/{copy_name}").geturl()
    events = service.ledger.log_position()
    service.close()
    print(f"\n[{_now()}] copying the store for the rebuild …", flush=True)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy_name}"')
        t = time.perf_counter()
        conn.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
        print(f"  copied in {time.perf_counter() - t:.0f} s", flush=True)
    copy_files = FILES.parent / f"{FILES.name}-rebuild"
    shutil.rmtree(copy_files, ignore_errors=True)
    shutil.copytree(FILES, copy_files)
    try:
        copy = open_service(copy_url, copy_files)
        try:
            upto = min(events, REBUILD_EVENTS)
            t = time.perf_counter()
            done = copy.ledger.rebuild_read_models(lambda cur, rec, mapper, proj: rebuild(cur, _UpTo(rec, upto), mapper, proj))
            took = time.perf_counter() - t
        finally:
            copy.close()
        with psycopg.connect(copy_url) as conn:  # a transaction: a server-side cursor needs one
            t = time.perf_counter()
            rows = 0
            with conn.cursor(name="events") as cur:  # server-side, read as the rebuild reads: in order
                cur.itersize = 2000
                cur.execute(f"SELECT * FROM {EVENTS_TABLE} WHERE notification_id <= %s ORDER BY notification_id", (upto,))
                for _ in cur:
                    rows += 1
            raw_took = time.perf_counter() - t
        print(
            f"  rebuild of positions 1..{done:,} ({'the whole log' if done >= events else 'bounded by BENCH_SCALE_REBUILD_EVENTS'}): {took:,.0f} s, {done / took:,.0f} events/s"
            f"   raw read of those {rows:,} events (ORDER BY notification_id): {raw_took:,.1f} s, {rows / raw_took:,.0f} rows/s   ratio {took / raw_took:.1f}x   [{_now()}]",
            flush=True,
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy_name}"')
        shutil.rmtree(copy_files, ignore_errors=True)


def sizes(url: str) -> None:
    """Disk size of each table (heap + TOAST) and its indexes, in total and per million events."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")  # row counts (reltuples) as of now
        events = int(conn.execute(f"SELECT COUNT(*) FROM {EVENTS_TABLE}").fetchone()[0])  # type: ignore[index]
        rows = conn.execute(
            "SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid), c.reltuples::bigint"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY pg_total_relation_size(c.oid) DESC"
        ).fetchall()
        database = int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])  # type: ignore[index]
    mb, per = 1024 * 1024, events / 1e6
    print(f"\n[{_now()}] disk: {events:,} events; MiB in total and per million events (table = heap + TOAST)")
    print(f"  {'table':<28} {'rows':>12} {'table':>9} {'indexes':>9} {'total':>9}   {'per 1M ev':>9} {'bytes/ev':>8}")
    total_t = total_i = rest = 0
    for name, table, indexes, tuples in rows:
        total_t, total_i = total_t + table, total_i + indexes
        if table + indexes < mb:
            rest += table + indexes
            continue
        print(f"  {name:<28} {max(tuples, 0):>12,} {table / mb:>9.1f} {indexes / mb:>9.1f} {(table + indexes) / mb:>9.1f}   {(table + indexes) / mb / per:>9.1f} {(table + indexes) / events:>8.0f}")
    print(f"  {'the other tables (< 1 MiB)':<28} {'':>12} {'':>9} {'':>9} {rest / mb:>9.1f}")
    print(f"  {'all tables':<28} {'':>12} {total_t / mb:>9.1f} {total_i / mb:>9.1f} {(total_t + total_i) / mb:>9.1f}   {(total_t + total_i) / mb / per:>9.1f} {(total_t + total_i) / events:>8.0f}")
    print(f"  database (pg_database_size): {database / mb:,.1f} MiB, {database / mb / per:,.1f} MiB per million events")


def describe_machine(url: str) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    with psycopg.connect(url, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        settings = {k: conn.execute(f"SHOW {k}").fetchone()[0] for k in ("shared_buffers", "work_mem", "synchronous_commit", "max_wal_size")}  # type: ignore[index]
    for name in ("projections/history.py", "projections/rebuild.py", "projections/projector.py", "ledger/adapters/store.py"):
        path = ROOT / name  # which code a figure measured: the tree changes under a long run
        stamp = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        print(f"[{_now()}] code: {name} sha1 {hashlib.sha1(path.read_bytes()).hexdigest()[:12]}, modified {stamp}")
    print(f"[{_now()}] machine: {os.cpu_count()} CPUs ({cpu}), PostgreSQL {version} ({', '.join(f'{k}={v}' for k, v in settings.items())}), load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    ensure_database(URL)
    describe_machine(URL)
    service = open_service(URL, FILES)
    try:
        if "load" in STEPS and service.ledger.log_position() < EVENTS:
            load(service, EVENTS)
        if "measure" in STEPS:
            measure(service)
    finally:
        service.close()
    if "size" in STEPS:
        sizes(URL)
    if "rebuild" in STEPS and REBUILD_EVENTS > 0:
        rebuild_rate(open_service(URL, FILES))


if __name__ == "__main__":
    main()
