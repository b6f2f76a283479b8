"""Several server processes on one store, PostgreSQL or one SQLite file (issue 14). Each process keeps aggregates and
read-model rows in memory between its commands; what another process changed in between must be
read again, or a command decides on a stale roster and the projector adds to stale sums.

Two services on one database stand for two server processes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterator

import pytest

from api.service import LedgerService
from ledger.application import commands as c
from ledger.domain.actors import Actor, Role
from ledger.domain.errors import NotUnitHead
from tests.conftest import OFFICE, SUPERVISION, build_bureau

HEAD_B01 = Actor("head-p01", Role.UNIT_HEAD, person="P01")


@pytest.fixture
def two(db_url: str) -> Iterator[tuple[LedgerService, LedgerService]]:
    first = LedgerService(db_url)
    build_bureau(first)
    second = LedgerService(db_url)
    yield first, second
    second.close()
    first.close()


def _deduct(service: LedgerService, actor: Actor, person: str, points: str, on: date) -> dict:
    return service.ledger.execute(actor, c.RecordDeduction(person=person, points=points, item="M1", basis="迟到", occurred_on=on, form_no="JC-1"))


def test_a_head_replaced_through_another_process_may_no_longer_deduct__R_ORG_2(two: tuple[LedgerService, LedgerService]) -> None:
    """R-ORG-2: only the person's unit head on the day deducts. Process A has the roster cached
    (P01 heads B01); process B appoints P03 head of B01 from 1 January; A must refuse P01."""
    a, b = two
    _deduct(a, HEAD_B01, "P02", "0.5", date(2026, 1, 5))  # A now holds the roster in memory
    b.ledger.execute(OFFICE, c.AppointHead(unit="B01", person="P03", effective_from=date(2026, 1, 1)))
    before = a.queries.event_count()
    with pytest.raises(NotUnitHead):
        _deduct(a, HEAD_B01, "P02", "0.5", date(2026, 1, 20))
    assert a.queries.event_count() == before


def test_annual_sums_add_up_deductions_recorded_through_two_processes(two: tuple[LedgerService, LedgerService]) -> None:
    """A person's year sums (annual_persons) are one row that every monthly sheet adds to. A
    keeps P02's row in memory after its January deduction; B's February deduction changes the
    row; A's next January deduction must add to B's figure, not to its own stale one:
    0.50 + 0.25 + 0.75 = 1.50 deducted over the year; January's sheet 100 − 0.50 − 0.75 = 98.75."""
    a, b = two
    _deduct(a, SUPERVISION, "P02", "0.5", date(2026, 1, 5))
    _deduct(b, SUPERVISION, "P02", "0.25", date(2026, 2, 5))
    _deduct(a, SUPERVISION, "P02", "0.75", date(2026, 1, 6))
    with a.engine.connect() as conn:
        deducted = conn.exec_driver_sql("SELECT deducted_total FROM annual_persons WHERE year = 2026 AND person = 'P02'").scalar()
    assert Decimal(deducted) == Decimal("1.50")
    assert a.queries.sheet("P02:2026-01:monthly")["score"] == "98.75"
    assert b.queries.sheet("P02:2026-02:monthly")["score"] == "99.75"


def test_a_sheet_changed_through_another_process_is_read_again_not_retried(two: tuple[LedgerService, LedgerService]) -> None:
    """A holds P02's January sheet; B deducts on it. A's next deduction starts from B's version
    of the sheet (the follower brought A's copy forward), so it is stored at the first attempt: no
    version conflict, no retry. Entry numbers follow on: 1 (A), 2 (B), 3 (A)."""
    a, b = two
    first = _deduct(a, SUPERVISION, "P02", "0.5", date(2026, 1, 5))
    second = _deduct(b, SUPERVISION, "P02", "0.5", date(2026, 1, 6))
    conflicts: list[int] = []
    save = a.ledger.save

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return save(*args, **kwargs)
        except Exception:
            conflicts.append(1)
            raise

    a.ledger.save = counted  # type: ignore[method-assign]
    third = _deduct(a, SUPERVISION, "P02", "0.5", date(2026, 1, 7))
    assert conflicts == []
    assert [first["entry_id"], second["entry_id"], third["entry_id"]] == ["P02:2026-01:monthly:1", "P02:2026-01:monthly:2", "P02:2026-01:monthly:3"]
    assert a.queries.sheet("P02:2026-01:monthly")["score"] == "98.50"
