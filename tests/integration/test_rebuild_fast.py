"""`jixiao rebuild` replays the log in batches (projections/rebuild.py; the sheet projection's batch
mode, `SheetReplay`): every projected table and every history table comes back exactly as the live
projection and its history triggers wrote them — row for row, in the same order, `superseded_at`
and all — whatever the batch size; a rebuild that fails leaves the store as it was. The long
commands report their progress to a callback, and the CLI draws it on stderr only."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api import cli
from api.service import LedgerService
from ledger.adapters import backup as backup_module
from ledger.application import commands as c
from ledger.clock import Clock
from projections import rebuild as rebuild_module
from projections import sheet_projection
from projections.tables import PROJECTED_TABLES
from tests.conftest import LEADING, OFFICE, SUPERVISION, Bureau, build_bureau

R = c.Responsible


def _story(b: Bureau) -> None:
    """Every kind of sheet event interleaved with the other handlers that touch entries: person and
    unit deductions (one cascading to its responsible staff), an amendment, reversals, a sheet
    submitted, published, reopened, deducted again and published again, a dispute filed, reviewed
    and decided (its reversal in the decision's transaction) while other deductions come in, a
    transfer, evaluations recorded twice, a veto imposed and lifted."""
    ledger = b.service.ledger
    ledger.clock = Clock(date(2026, 2, 2))
    first = b.run(SUPERVISION, c.RecordDeduction(person="P02", points="15", basis="工作日午间饮酒", occurred_on=date(2026, 1, 12), form_no="JC-1"))
    b.run(b.head_b01, c.RecordDeduction(person="P03", points="1", item="M1", basis="迟到", occurred_on=date(2026, 1, 6)))
    unit = b.run(b.assessor, c.RecordDeduction(unit="B01", track="key", points="2", item="K1", basis="进度滞后", occurred_on=date(2026, 1, 20), responsible=[R(person="P03"), R(person="P01", points="1")]))
    b.run(LEADING, c.AmendEntry(entry_id=unit["entry_id"], points="0.5", reason="口径", decision_ref="r1"))
    b.run(OFFICE, c.SubmitSheet(sheet="P02:2026-01:monthly"))
    b.run(OFFICE, c.PublishSheet(sheet="P02:2026-01:monthly"))
    b.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P02", rate="0.90"))
    ledger.clock = Clock(date(2026, 2, 5))
    b.run(b.staff_p02, c.FileDispute(entry_id=first["entry_id"], reason="当日为调休加班"))
    late = b.run(b.head_b01, c.RecordDeduction(person="P04", points="0.25", item="M2", basis="效能", occurred_on=date(2026, 2, 3)))
    b.run(LEADING, c.ReverseEntry(entry_id=late["entry_id"], reason="误扣", decision_ref="r2"))
    b.run(b.head_b01, c.RecordDeduction(person="P04", points="3", item="M1", basis="离岗", occurred_on=date(2026, 2, 4)))
    b.run(SUPERVISION, c.ReviewDispute(entry_id=first["entry_id"], recommendation="reverse", findings="事实不成立"))
    b.run(b.head_b01, c.RecordDeduction(person="P03", points="2.5", item="M2", basis="效能", occurred_on=date(2026, 2, 4)))
    b.run(LEADING, c.DecideDispute(entry_id=first["entry_id"], decision="reverse", reason="事实不成立", decision_ref="绩领〔2026〕3号"))
    b.run(LEADING, c.ReopenSheet(sheet="P02:2026-01:monthly", reason="补录", decision_ref="r3"))
    b.run(b.head_b01, c.RecordDeduction(person="P02", points="1.5", item="M1", basis="迟到", occurred_on=date(2026, 1, 9)))
    b.run(OFFICE, c.SubmitSheet(sheet="P02:2026-01:monthly"))
    b.run(OFFICE, c.PublishSheet(sheet="P02:2026-01:monthly"))
    ledger.clock = Clock(date(2026, 3, 5))
    b.run(OFFICE, c.TransferPerson(person="P04", unit="B02", effective_from=date(2026, 3, 1)))
    b.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P02", rate="0.95"))
    b.run(LEADING, c.ImposeVeto(code="V1", year=2026, unit="B02", kind="unlawful_act", persons=[], occurred_on=date(2026, 3, 1), reason="x", decision_ref="r4"))
    b.run(LEADING, c.LiftVeto(code="V1", reason="复核", decision_ref="r5"))
    b.run(SUPERVISION, c.RecordDeduction(person="P02", points="0.5", basis="着装", occurred_on=date(2026, 3, 2), form_no="JC-2"))


def _tables(service: LedgerService) -> dict[str, list[tuple[Any, ...]]]:
    """Every projected table, every history table and the tracking position, row by row. On
    SQLite in storage order (rowid, which is `version_id` in a history table); on PostgreSQL by
    key, history in `version_id` order without it (a sequence does not restart after DELETE)."""
    sqlite = service.database.dialect == "sqlite"
    out: dict[str, list[tuple[Any, ...]]] = {}
    with service.engine.connect() as conn:
        for table in PROJECTED_TABLES:
            keys = ", ".join(col.name for col in table.primary_key.columns)
            order = keys if table.name == "entries" or not sqlite else "rowid"
            out[table.name] = [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY {order}")]
            columns = [col.name for col in table.columns] + ["superseded_at"] + (["version_id"] if sqlite else [])
            history = conn.exec_driver_sql(f"SELECT {', '.join(columns)} FROM {table.name}_history ORDER BY version_id")
            out[f"{table.name}_history"] = [tuple(r) for r in history]
        out["projection_tracking"] = [tuple(r) for r in conn.exec_driver_sql("SELECT name, position FROM projection_tracking")]
        if sqlite:
            out["sqlite_master"] = [tuple(r) for r in conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")]
    return out


@pytest.mark.parametrize("batch", [7, rebuild_module.BATCH_EVENTS])
def test_a_rebuild_writes_every_row_and_history_version_the_live_projection_wrote_R_Q_3(bureau: Bureau, batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """As-of queries read the history tables, so a rebuild must write the same versions: after a
    rebuild (in batches of 7 events — every flush boundary lands somewhere else — and of the
    default size) every table holds exactly what the live projection and its triggers wrote."""
    _story(bureau)
    live = _tables(bureau.service)
    assert len(live["sheets_history"]) > 20 and len(live["entries_history"]) >= 4 and len(live["annual_persons_history"]) > 10
    monkeypatch.setattr(rebuild_module, "BATCH_EVENTS", batch)
    assert bureau.service.rebuild() == bureau.events()
    assert _tables(bureau.service) == live
    bureau.run(bureau.head_b01, c.RecordDeduction(person="P03", points="1", item="M1", basis="迟到", occurred_on=date(2026, 3, 3)))
    assert bureau.sheet("P03:2026-03:monthly")["score"] == "99.00", "commands go on from the rebuilt tables"


def test_the_demo_year_rebuilds_to_exactly_its_live_tables(tmp_path: Path) -> None:
    """The demo bureau's year (bulletins, notices, filings, claims, a veto, a dispute, annual
    reviews: 6,000-odd events of every kind) comes back identical, storage order included."""
    from ledger.demo.bureau import build_demo

    service = LedgerService(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        build_demo(service.ledger)
        live = _tables(service)
        service.rebuild()
        assert _tables(service) == live
    finally:
        service.close()


def test_events_are_decoded_as_the_mapper_decodes_them(bureau: Bureau) -> None:
    """The rebuild's own decoding gives each event the class and attribute values (types
    included) that eventsourcing's mapper gives it."""
    _story(bureau)
    ledger = bureau.service.ledger
    with ledger._cursor() as cursor:
        store = rebuild_module._Store(cursor, ledger.recorder)
        decoder = rebuild_module._Decoder(ledger.mapper, store.originator_id)
        rows = [row for batch in store.events(50) for row in batch]
    expected = ledger.mapper.to_domain_event
    notifications = ledger.recorder.select_notifications(start=1, limit=len(rows) + 1)
    assert [row[0] for row in rows] == [n.id for n in notifications]
    for (position, stored_id, version, topic, state), notification in zip(rows, notifications, strict=True):
        event = decoder.for_topic(topic)[1](stored_id, version, state)
        mapped = expected(notification)
        assert type(event) is type(mapped), position
        assert {k: (type(v), v) for k, v in vars(event).items()} == {k: (type(v), v) for k, v in vars(mapped).items()}, position


def test_a_rebuild_read_through_another_recorder_gives_the_same_tables(bureau: Bureau) -> None:
    """A recorder that is not eventsourcing's own (a wrapper that can end the log early, as a
    benchmark's bounded rebuild uses) is read through its `select_notifications`."""
    _story(bureau)
    live = _tables(bureau.service)

    class Wrapped:
        def __init__(self, recorder: Any) -> None:
            self.recorder = recorder

        def __getattr__(self, name: str) -> Any:
            return getattr(self.recorder, name)

    ledger = bureau.service.ledger
    done = ledger.rebuild_read_models(lambda cur, rec, mapper, proj: rebuild_module.rebuild(cur, Wrapped(rec), mapper, proj))
    assert done == bureau.events()
    assert _tables(bureau.service) == live


def test_a_failed_rebuild_leaves_every_table_and_index_as_it_was(bureau: Bureau, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rebuild runs in one transaction: when it fails half-way (after tables were emptied and,
    on SQLite, history indexes dropped), the store is what it was."""
    _story(bureau)
    before = _tables(bureau.service)
    calls = []
    real = sheet_projection.entry_values

    def failing(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return real(*args)

    monkeypatch.setattr(sheet_projection, "entry_values", failing)
    monkeypatch.setattr(rebuild_module, "BATCH_EVENTS", 7)
    with pytest.raises(RuntimeError, match="disk full"):
        bureau.service.rebuild()
    assert len(calls) == 5
    assert _tables(bureau.service) == before


def test_rebuild_and_verify_report_their_progress(bureau: Bureau, monkeypatch: pytest.MonkeyPatch) -> None:
    _story(bureau)
    events = bureau.events()
    monkeypatch.setattr(rebuild_module, "BATCH_EVENTS", 10)
    rebuilt: list[tuple[int, int]] = []
    bureau.service.rebuild(lambda done, total: rebuilt.append((done, total)))
    assert rebuilt[0] == (0, events) and rebuilt[-1] == (events, events)
    assert [d for d, _ in rebuilt] == sorted(d for d, _ in rebuilt) and len(rebuilt) == 2 + (events - 1) // 10

    monkeypatch.setattr("ledger.adapters.audit.VERIFY_BATCH", 10)
    checked: list[tuple[int, int]] = []
    assert bureau.service.verify(progress=lambda done, total: checked.append((done, total))).ok
    assert checked[0] == (0, events) and checked[-1] == (events, events)
    assert [d for d, _ in checked] == sorted(d for d, _ in checked) and len(checked) > events // 10


def _sqlite_store(tmp_path: Path) -> tuple[LedgerService, Path]:
    path = tmp_path / "ledger.db"
    service = LedgerService(f"sqlite:///{path}")
    build_bureau(service)
    return service, path


def test_a_sqlite_backup_reports_the_pages_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service, path = _sqlite_store(tmp_path)
    try:
        monkeypatch.setattr(backup_module, "STEP_PAGES", 8)
        copied: list[tuple[int, int]] = []
        backup_module.backup(f"sqlite:///{path}", tmp_path / "ledger.anchors", tmp_path / "copy.db", lambda done, total: copied.append((done, total)))
        pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
        assert len(copied) == -(-pages // 8) and copied[-1] == (pages, pages)
        assert [d for d, _ in copied] == sorted(d for d, _ in copied)
        with sqlite3.connect(tmp_path / "copy.db") as copy:
            assert copy.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0] == service.queries.event_count()
    finally:
        service.close()


def test_a_sqlite_backup_written_to_between_its_steps_is_copied_whole_in_one_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite starts a stepwise copy again whenever another connection writes the source between
    steps (a busy service could keep it from ever finishing): on the first restart the copy is
    done in one step, as without progress, and still holds every write made before it."""
    service, path = _sqlite_store(tmp_path)
    try:
        monkeypatch.setattr(backup_module, "STEP_PAGES", 8)
        copied: list[tuple[int, int]] = []

        def progress(done: int, total: int) -> None:
            copied.append((done, total))
            if len(copied) == 2:  # the service records a deduction meanwhile
                service.ledger.execute(SUPERVISION, c.RecordDeduction(person="P02", points="1", basis="迟到", occurred_on=date(2026, 1, 7), form_no="JC-9"))

        backup_module.backup(f"sqlite:///{path}", tmp_path / "ledger.anchors", tmp_path / "copy.db", progress)
        pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
        assert copied[-1] == (pages, pages) and len(copied) < -(-pages // 8)
        with sqlite3.connect(tmp_path / "copy.db") as copy:
            assert copy.execute("SELECT score FROM sheets WHERE code = 'P02:2026-01:monthly'").fetchone()[0] == "99.00"
            assert copy.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0] == service.queries.event_count()
    finally:
        service.close()


def test_the_cli_draws_progress_on_stderr_only_and_stdout_stays_what_scripts_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    service, path = _sqlite_store(tmp_path)
    events = service.queries.event_count()
    service.close()
    monkeypatch.setenv("JIXIAO_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("TTY_COMPATIBLE", "0")  # stderr redirected: nothing drawn
    assert cli.main(["rebuild"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (f"rebuilt projections up to position {events}\n", "")

    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # stderr a terminal: the bar, on stderr
    monkeypatch.setenv("COLUMNS", "200")
    assert cli.main(["rebuild"]) == 0
    assert cli.main(["verify"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == f"rebuilt projections up to position {events}"
    assert out.splitlines()[-1] == "校验通过 OK: the stored log matches its hash chain"
    assert "重建读模型" in err and "校验事件日志" in err and f"{events}/{events}" in err
    assert "重建读模型" not in out
