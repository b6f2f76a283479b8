"""Reliability under load: the real server (`jixiao serve`, a subprocess on a loopback port) on a
copy of the demo bureau, written to by several HTTP clients at once, stopped, killed (SIGKILL) and
restarted; the `jixiao` CLI run on the same store.

The demo bureau is built once per session, in this process (the same commands `jixiao demo` runs),
with two accounts that use API tokens only (no password, so no Argon2 hash at every start); each
test serves its own copy of it. The bureau's date is fixed at the demo's own (`JIXIAO_TODAY`), so
every month of 2026 is in the past whatever the wall clock says.

The command the writers issue is the supervision office's deduction on a person (效能监察扣分):
the office may deduct at any time, on a published sheet too (the entry is marked late), with a
feedback form number and no item, so it can be issued thousands of times and none is refused.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlparse

import httpx
from sqlalchemy import Engine, create_engine, text

from api.service import LedgerService
from ledger.adapters.store import Database
from tests.conftest import free_port, wait_until_serving
from ledger.clock import Clock
from ledger.domain.actors import Actor, Role
from ledger.settings import Settings
from projections.tables import HISTORY, PROJECTED_TABLES

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2027, 1, 10)  # the demo's own date: every month of the demo year is over
YEAR = 2026
SETUP = Actor("reliability-setup", Role.SYSTEM_ADMIN)
WRITER = "rel-supervision"  # the writers' account (监察室)
READER = "rel-viewer"  # reads for the checks (审计查看)
PG_ADMIN_URL = os.environ.get("JIXIAO_TEST_POSTGRES_URL")
STORES = ["sqlite", *(["postgresql"] if PG_ADMIN_URL else [])]
# The demo year as `jixiao run` builds it on SQLite (the year closed: annual inputs, notices, bonus
# claims, a veto, so `jixiao rebuild` is compared over every projected table). On PostgreSQL, where
# the demo takes several times as long to build, its first four months.
DEMO_MONTHS = {"sqlite": 12, "postgresql": 4}


# -- the store ---------------------------------------------------------------------------------


@dataclass
class Store:
    """One test's store: its URL, chain key and anchor file, and what the processes need to share it."""

    folder: Path
    url: str
    tokens: dict[str, str]  # user id -> API token
    persons: dict[str, list[str]]  # month (YYYY-MM) -> the persons with a monthly sheet that month

    @property
    def dialect(self) -> str:
        return Database(self.url).dialect

    @property
    def env(self) -> dict[str, str]:
        """The environment every process on this store runs with: the server and the CLI alike."""
        return {
            **os.environ,
            "JIXIAO_DATABASE_URL": self.url,
            "JIXIAO_CHAIN_KEY_FILE": str(self.folder / "store.chain-key"),
            "JIXIAO_ANCHOR_FILE": str(self.folder / "store.anchors"),
            "JIXIAO_TODAY": TODAY.isoformat(),
        }

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """`jixiao <args>` on this store, as an operator runs it."""
        return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)

    def settings(self) -> Settings:
        return Settings(
            database_url=self.url, today=TODAY, chain_key_file=self.folder / "store.chain-key", anchor_file=self.folder / "store.anchors"
        )

    def engine(self) -> Engine:
        return create_engine(Database(self.url).sqlalchemy_url)

    def open(self) -> LedgerService:
        """The ledger in this process, on the same store (when no server runs on it)."""
        return LedgerService(settings=self.settings(), clock=Clock(TODAY))

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every projected table and of its history (without the history's own
        serial id), sorted: what `jixiao rebuild` must reproduce."""
        engine = self.engine()
        tables = [*PROJECTED_TABLES, *HISTORY.values()]
        out: dict[str, list[tuple[Any, ...]]] = {}
        try:
            with engine.connect() as conn:
                for table in tables:
                    columns = [c.name for c in table.columns if c.name != "version_id"]
                    rows = conn.execute(text(f"SELECT {', '.join(columns)} FROM {table.name}")).all()
                    out[table.name] = sorted((tuple(r) for r in rows), key=repr)
                out["projection_tracking"] = [tuple(r) for r in conn.execute(text("SELECT name, position FROM projection_tracking ORDER BY name"))]
        finally:
            engine.dispose()
        return out


@dataclass
class Seed:
    """The demo bureau built once per store kind; each test serves a copy of it (`copy_store`)."""

    folder: Path  # its chain key and anchor file, and its SQLite file
    tokens: dict[str, str]
    persons: dict[str, list[str]]
    pg_database: str | None = None  # on PostgreSQL: the database copied as a template


def _build(url: str, folder: Path, months: int) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The demo bureau (as `jixiao demo` builds it, for `months` months of the year) and the two
    accounts the tests use."""
    from ledger.demo.bureau import build_demo

    service = Store(folder, url, {}, {}).open()
    try:
        build_demo(service.ledger, year=YEAR, months=months)
        tokens = {}
        for user_id, name, role in [(WRITER, "监察室（可靠性测试）", Role.SUPERVISION), (READER, "审计查看（可靠性测试）", Role.VIEWER)]:
            service.accounts.create(SETUP, None, user_id, name, role, None, initial_password=None)
            tokens[user_id] = f"jx_reliability_{user_id}_{uuid.uuid4().hex}"
            service.accounts.issue_token(SETUP, None, user_id, "reliability tests", 366, secret=tokens[user_id])
        persons = {}
        for month in range(1, months + 1):
            period = f"{YEAR}-{month:02d}"
            persons[period] = [s["target"] for s in service.queries.sheets(period=period, track="monthly", limit=500)]
            assert len(persons[period]) > 100, (period, len(persons[period]))
    finally:
        service.close()
    return tokens, persons


def _pg(sql: str) -> None:
    import psycopg

    assert PG_ADMIN_URL is not None
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _pg_url(name: str) -> str:
    assert PG_ADMIN_URL is not None
    return urlparse(PG_ADMIN_URL)._replace(path=f"/{name}").geturl()


@contextmanager
def seeded(kind: str, folder: Path) -> Iterator[Seed]:
    if kind == "sqlite":
        yield Seed(folder, *_build(f"sqlite:///{folder / 'store.db'}", folder, DEMO_MONTHS[kind]))
        return
    name = f"jixiao_rel_seed_{uuid.uuid4().hex[:8]}"
    _pg(f"CREATE DATABASE {name}")
    try:
        yield Seed(folder, *_build(_pg_url(name), folder, DEMO_MONTHS[kind]), pg_database=name)
    finally:
        _pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def copy_store(seed: Seed, folder: Path) -> Iterator[Store]:
    """A copy of the seeded store in `folder`: the database, its chain key and its anchor file."""
    for name in ("store.chain-key", "store.anchors"):
        shutil.copy2(seed.folder / name, folder / name)
    if seed.pg_database is None:
        for suffix in ("", "-wal", "-shm"):
            if (seed.folder / f"store.db{suffix}").exists():
                shutil.copy2(seed.folder / f"store.db{suffix}", folder / f"store.db{suffix}")
        yield Store(folder, f"sqlite:///{folder / 'store.db'}", seed.tokens, seed.persons)
        return
    name = f"jixiao_rel_{uuid.uuid4().hex[:12]}"
    _pg(f"CREATE DATABASE {name} TEMPLATE {seed.pg_database}")
    try:
        yield Store(folder, _pg_url(name), seed.tokens, seed.persons)
    finally:
        _pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# -- the server --------------------------------------------------------------------------------


class Server:
    """`jixiao serve` on the store, as a subprocess on a free loopback port; with `workers` > 1,
    that many server processes (`--workers`). The server runs in a process group of its own, so
    that a freeze or a kill reaches every worker at once."""

    def __init__(self, store: Store, name: str = "server", workers: int = 1) -> None:
        self.store = store
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = store.folder / f"{name}.log"
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(self.port), "--workers", str(workers)],
            cwd=ROOT, env=store.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            wait_until_serving(self.process, self.base, self.log_path)
        except RuntimeError:
            self.stop()
            raise

    def client(self, user_id: str = READER, timeout: float = 30) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {self.store.tokens[user_id]}"}, timeout=timeout)

    def read(self, path: str, **params: Any) -> Any:
        with self.client() as client:
            r = client.get(path, params=params or None)
        assert r.status_code == 200, r.text
        return r.json()

    def freeze(self) -> None:
        """SIGSTOP: the server stops where it is; what is sent to it now waits in its sockets."""
        os.killpg(self.process.pid, signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL to every process of the server: no shutdown, no cleanup, whatever was in flight."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        """An orderly stop (SIGTERM: uvicorn finishes, the CLI closes the store)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self._log.close()


# -- the writers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deduction:
    """One supervision deduction, with its own Idempotency-Key and feedback form number."""

    key: str
    person: str
    month: str
    points: Decimal

    @property
    def form_no(self) -> str:
        return f"JC-{self.key}"

    def body(self) -> dict[str, Any]:
        return {
            "person": self.person, "points": str(self.points), "basis": "效能监察：可靠性测试", "occurred_on": f"{self.month}-15",
            "form_no": self.form_no,
        }  # fmt: skip


def plan(store: Store, run: str, writers: int, per_writer: int) -> list[list[Deduction]]:
    """Each writer's commands: writer w deducts in month w + 1 (in the first eight months, or as
    many as the demo has, writers then sharing months and now and then a sheet), going round the
    persons with a sheet that month, 0.01 to 0.03 points each (no sheet comes near 0)."""
    months = sorted(store.persons)[:8]
    out = []
    for w in range(writers):
        month = months[w % len(months)]
        persons = store.persons[month]
        out.append([
            Deduction(f"{run}-w{w}-{k}", persons[(k * 7 + w) % len(persons)], month, Decimal("0.01") * (1 + k % 3))
            for k in range(per_writer)
        ])  # fmt: skip
    return out


@dataclass
class Outcome:
    """What the writers saw: acknowledged commands with their results, commands whose response
    never came (the connection failed: in flight, or not sent), and other answers."""

    acked: dict[str, tuple[Deduction, dict[str, Any]]] = field(default_factory=dict)
    lost: list[Deduction] = field(default_factory=list)
    other: list[tuple[Deduction, int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def post(client: httpx.Client, d: Deduction) -> httpx.Response:
    return client.post("/deductions", json=d.body(), headers={"Idempotency-Key": d.key})


def write(server: Server, commands: list[list[Deduction]], outcome: Outcome) -> list[threading.Thread]:
    """One thread per writer, each on its own kept-alive connection, sending its commands one
    after the other; a writer stops at its first connection failure (the server is gone). The
    standard library's client: the writers share the machine with the server, and it costs less
    CPU per request than httpx."""
    headers = {"Authorization": f"Bearer {server.store.tokens[WRITER]}", "Content-Type": "application/json"}

    def writer(mine: list[Deduction]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            for d in mine:
                try:
                    connection.request("POST", "/deductions", json.dumps(d.body()).encode(), headers | {"Idempotency-Key": d.key})
                    response = connection.getresponse()
                    status, text = response.status, response.read().decode()
                except (OSError, http.client.HTTPException):
                    with outcome.lock:
                        outcome.lost.append(d)
                    return
                with outcome.lock:
                    if status == 201:
                        outcome.acked[d.key] = (d, json.loads(text))
                    else:
                        outcome.other.append((d, status, text))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(mine,), daemon=True) for mine in commands]
    for t in threads:
        t.start()
    return threads


# -- what the log holds ------------------------------------------------------------------------


def stored_deductions(service: LedgerService, store: Store, after: int) -> list[tuple[int, str, str, Decimal]]:
    """Every deduction event in the log after position `after`, read from the event log itself
    (not a projection): (position, entry id, feedback form number, points)."""
    from ledger.domain.sheet import Sheet, sheet_id

    codes = {sheet_id(f"{p}:{month}:monthly"): f"{p}:{month}:monthly" for month, persons in store.persons.items() for p in persons}
    out = []
    last = after
    while True:
        batch = service.ledger.recorder.select_notifications(start=last + 1, limit=1000)
        if not batch:
            return out
        for n in batch:
            event = service.ledger.mapper.to_domain_event(n)
            if isinstance(event, Sheet.DeductionRecorded):
                sheet = codes.get(event.originator_id, str(event.originator_id))
                out.append((n.id, f"{sheet}:{event.no}", event.form_no, Decimal(str(event.points))))
        last = batch[-1].id


def last_position(service: LedgerService) -> int:
    return service.ledger.log_position()
