"""One command, one transaction, on both stores: when anything written after the events fails —
an inline hook (the read models, here) — the events are not stored either, and the ledger goes
on from what is stored (on PostgreSQL eventsourcing committed the events and re-raised the hook's
error after; `LedgerPostgresRecorder.insert_events` rolls back). And a bulk load of hundreds of
commands in one transaction projects every event."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.application import commands as c
from tests.conftest import OFFICE, SUPERVISION, Bureau

DEDUCT = dict(points="0.5", basis="上班时间离岗", occurred_on=date(2026, 1, 12), form_no="JC-2026-001")


class Boom(RuntimeError):
    pass


def test_a_failing_read_model_stores_no_event(bureau: Bureau, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = bureau.service.ledger
    before = bureau.events()
    projector = ledger.read_models
    original = projector.apply

    def failing(cursor: Any, positioned: Any) -> None:
        original(cursor, positioned)  # the rows are written, then something fails
        raise Boom("read model failed")

    monkeypatch.setattr(projector, "apply", failing)
    with pytest.raises(Boom):
        ledger.execute(SUPERVISION, c.RecordDeduction(person="P02", **DEDUCT))
    monkeypatch.setattr(projector, "apply", original)
    assert bureau.events() == before  # the event went with the failed transaction
    assert bureau.service.queries.projection_position() == ledger.log_position()
    result = ledger.execute(SUPERVISION, c.RecordDeduction(person="P02", **DEDUCT))
    assert result["entry_id"] == "P02:2026-01:monthly:1"
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "99.50"
    assert ledger.verify().ok


def test_a_bulk_load_of_thousands_of_statements_projects_every_event(bureau: Bureau) -> None:
    ledger = bureau.service.ledger
    before = bureau.events()
    enrol = [
        (OFFICE, c.EnrolPerson(code=f"Q{i:04d}", name=f"新人{i}", gender="female", birth_date=date(1990, 1, 1), unit="B01", joined_on=date(2020, 1, 1)))
        for i in range(600)
    ]
    ledger.execute_batch(enrol)
    assert bureau.events() == before + 600
    assert bureau.service.queries.projection_position() == ledger.log_position()
    assert bureau.service.queries.person("Q0599")["name"] == "新人599"
    assert ledger.verify().ok
