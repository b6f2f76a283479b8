"""Shared fixtures: a real SQLite file store per test, actors per role, a small bureau."""

from __future__ import annotations

import os
import sqlite3
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import urlparse

import pytest

from ledger.application import commands as c
from ledger.domain.actors import Actor, Role
from api.service import LedgerService


# The stores every test that takes `db_url` (and so `service`, `bureau`, `api`) runs against: SQLite
# always; PostgreSQL too where JIXIAO_TEST_POSTGRES_URL names a server whose user may create
# databases (CI starts one) — a new database per test.
PG_ADMIN_URL = os.environ.get("JIXIAO_TEST_POSTGRES_URL")
STORES = ["sqlite", *(["postgresql"] if PG_ADMIN_URL else [])]


@pytest.fixture(params=STORES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    monkeypatch.setenv("JIXIAO_CHAIN_KEY_FILE", str(tmp_path / "ledger.chain-key"))
    monkeypatch.setenv("JIXIAO_ANCHOR_FILE", str(tmp_path / "ledger.anchors"))
    yield from new_pg_database()


def new_pg_database(options: str = "") -> Iterator[str]:
    """A new PostgreSQL database of the test's own (`CREATE DATABASE <name> <options>`), dropped
    afterwards: yields its URL."""
    import psycopg

    assert PG_ADMIN_URL is not None
    name = f"jixiao_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} {options}")
    yield urlparse(PG_ADMIN_URL)._replace(path=f"/{name}").geturl()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Tampering:
    """A connection to a service's own database, as someone with access to it would use, for a
    test that edits rows behind the ledger's back. Autocommit: each statement is stored at once.
    Statements use `?` placeholders on both databases (translated to psycopg's `%s`).

    The events table and its position column differ between eventsourcing's recorders: SQLite's
    `stored_events` numbers rows by `rowid`, PostgreSQL's `jixiao_events` by `notification_id`
    (and keeps `originator_id` as a uuid, `state` as bytea)."""

    def __init__(self, raw: Any, dialect: str, events: str) -> None:
        self.raw = raw
        self.dialect = dialect
        self.events = events  # the events table
        self.position = "rowid" if dialect == "sqlite" else "notification_id"  # its log position

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Runs one statement; returns the cursor (fetchone/fetchall)."""
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self.raw.execute(sql, tuple(params))


@contextmanager
def tamper(service: LedgerService) -> Iterator[Tampering]:
    """The database behind a service (SQLite: its file; PostgreSQL: the same database), opened
    directly, outside the ledger. Works on a closed service too (only its URL is used)."""
    database = service.database
    if database.dialect == "sqlite":
        raw: Any = sqlite3.connect(database.sqlite_path, isolation_level=None)
    else:
        import psycopg

        raw = psycopg.connect(urlparse(database.url)._replace(scheme="postgresql").geturl(), autocommit=True)
    try:
        yield Tampering(raw, database.dialect, database.events_table)
    finally:
        raw.close()


def free_port() -> int:
    """A free loopback port for a server a test starts."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(process: Any, base: str, log_path: Path, seconds: float = 120) -> None:
    """Wait for a server subprocess to answer GET /health; if it exits or does not answer in
    time, raise with the end of its log."""
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


@pytest.fixture
def service(db_url: str) -> Iterator[LedgerService]:
    svc = LedgerService(db_url)
    yield svc
    svc.close()


OFFICE = Actor("office", Role.OFFICE)
LEADING = Actor("leading", Role.LEADING_GROUP)
SUPERVISION = Actor("supervision", Role.SUPERVISION)
VIEWER = Actor("viewer", Role.VIEWER)
PARTY = Actor("party", Role.PARTY_GROUP)


@dataclass
class Bureau:
    """A small bureau for rule tests.

    Units: B01 城东分局 and B02 城西分局 (branches); D01 人教科 (the assessing department)
    and D02 法制科 (departments). Heads: B01 P01, B02 P05, D01 P08, D02 P10.
    Staff: B01 P01-P04, B02 P05-P07, D01 P08-P09, D02 P10-P11.
    Plan 2026 with periods 2026-Q1 (key items K1 60 / K2 40), 2026-H1 (no items),
    and months 2026-01..2026-03 (monthly items M1 50 / M2 50).
    Panel: D01 with assessor P09 assesses B01 only; D02's P11 assesses D01 and D02.
    """

    service: LedgerService
    assessor: Actor  # P09, on the panel for B01
    other_assessor: Actor  # P11, on the panel for D01/D02 only
    head_b01: Actor  # P01
    head_b02: Actor  # P05
    staff_p02: Actor

    def run(self, actor: Actor, command: c.Command) -> dict[str, Any]:
        return self.service.ledger.execute(actor, command)

    def sheet(self, code: str) -> dict[str, Any]:
        return self.service.queries.sheet(code)

    def events(self) -> int:
        return self.service.queries.event_count()


def build_bureau(service: LedgerService) -> Bureau:
    run = service.ledger.execute
    for code, name, kind in [("B01", "城东分局", "branch"), ("B02", "城西分局", "branch"), ("D01", "人教科", "department"), ("D02", "法制科", "department")]:
        run(OFFICE, c.RegisterUnit(code=code, name=name, kind=kind, registered_on=date(2010, 1, 1)))
    people = [
        ("P01", "张建国", "male", date(1975, 3, 1), "B01", "middle_head"),
        ("P02", "李秀兰", "female", date(1985, 6, 9), "B01", "other"),
        ("P03", "王伟", "male", date(1990, 1, 20), "B01", "other"),
        ("P04", "赵敏", "female", date(1992, 8, 8), "B01", "middle_deputy"),
        ("P05", "陈志强", "male", date(1970, 12, 1), "B02", "middle_head"),
        ("P06", "刘芳", "female", date(1988, 4, 4), "B02", "other"),
        ("P07", "杨磊", "male", date(1993, 9, 9), "B02", "other"),
        ("P08", "黄丽", "female", date(1978, 2, 2), "D01", "middle_head"),
        ("P09", "周涛", "male", date(1986, 5, 5), "D01", "other"),
        ("P10", "吴海峰", "male", date(1972, 7, 7), "D02", "middle_head"),
        ("P11", "徐静", "female", date(1991, 11, 11), "D02", "other"),
    ]
    for code, name, gender, birth, unit, tier in people:
        run(OFFICE, c.EnrolPerson(code=code, name=name, gender=gender, birth_date=birth, unit=unit, tier=tier, joined_on=date(2012, 1, 1)))
    for unit, head in [("B01", "P01"), ("B02", "P05"), ("D01", "P08"), ("D02", "P10")]:
        run(OFFICE, c.AppointHead(unit=unit, person=head, effective_from=date(2015, 1, 1)))
    run(OFFICE, c.PlanYear(year=2026))
    panels = [
        {"department": "D01", "assessors": ["P09"], "units": ["B01"]},
        {"department": "D02", "assessors": ["P11"], "units": ["D01", "D02"]},
    ]
    key_items = [{"code": "K1", "title": "重点工作完成", "points_max": "60"}, {"code": "K2", "title": "工作进度", "points_max": "40"}]
    run(OFFICE, c.OpenPeriod(period="2026-Q1", items={"key": key_items}, panels=panels))
    run(OFFICE, c.OpenPeriod(period="2026-H1", panels=panels))
    monthly_items = [{"code": "M1", "title": "工作纪律", "points_max": "50"}, {"code": "M2", "title": "工作效能", "points_max": "50"}]
    for m in ("01", "02", "03"):
        run(OFFICE, c.OpenPeriod(period=f"2026-{m}", items={"monthly": monthly_items}))
    return Bureau(
        service=service,
        assessor=Actor("assessor-p09", Role.ASSESSOR, person="P09"),
        other_assessor=Actor("assessor-p11", Role.ASSESSOR, person="P11"),
        head_b01=Actor("head-p01", Role.UNIT_HEAD, person="P01"),
        head_b02=Actor("head-p05", Role.UNIT_HEAD, person="P05"),
        staff_p02=Actor("staff-p02", Role.STAFF, person="P02"),
    )


@pytest.fixture
def bureau(service: LedgerService) -> Bureau:
    return build_bureau(service)
