"""A batch of commands in one transaction (a bulk load): all or nothing, each command checked as
a single one would be."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application import commands as c
from ledger.domain.errors import PersonNotFound
from tests.conftest import SUPERVISION, Bureau

DEDUCT = dict(points="0.5", basis="上班时间离岗", occurred_on=date(2026, 1, 12), form_no="JC-2026-001")


def test_a_batch_is_one_transaction_and_counts_like_single_commands__R_SHEET_1(bureau: Bureau) -> None:
    before = bureau.events()
    results = bureau.service.ledger.execute_batch([(SUPERVISION, c.RecordDeduction(person="P02", **DEDUCT)) for _ in range(3)])
    assert [r["entry_id"] for r in results] == [f"P02:2026-01:monthly:{n}" for n in (1, 2, 3)]
    assert bureau.events() == before + 3
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "98.50"  # 100 − 3 × 0.5
    assert bureau.service.ledger.verify().ok


def test_one_refused_command_refuses_the_whole_batch_and_writes_nothing__R_ORG_4(bureau: Bureau) -> None:
    before = bureau.events()
    batch = [(SUPERVISION, c.RecordDeduction(person="P02", **DEDUCT)), (SUPERVISION, c.RecordDeduction(person="NOBODY", **DEDUCT))]
    with pytest.raises(PersonNotFound):
        bureau.service.ledger.execute_batch(batch)
    assert bureau.events() == before
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "100.00"
    assert bureau.service.queries.refusals()[0]["code"] == "PERSON_NOT_FOUND"
    # The next command starts from what is stored (the batch's changes were dropped from memory).
    bureau.run(SUPERVISION, c.RecordDeduction(person="P02", **DEDUCT))
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "99.50"


def test_a_batch_of_the_office_lists_every_refused_item_and_writes_nothing__R_ORG_4(bureau: Bureau) -> None:
    """With `every_problem`, every item is checked: two unknown persons among three give one
    BATCH_REFUSED naming items 1 and 2, and no event is written."""
    from ledger.domain.errors import BatchRefused

    before = bureau.events()
    batch = [(SUPERVISION, c.RecordDeduction(person=p, **DEDUCT)) for p in ("P02", "NOBODY", "GHOST")]
    with pytest.raises(BatchRefused) as refused:
        bureau.service.ledger.execute_batch(batch, every_problem=True)
    problems = refused.value.facts["problems"]
    assert [(p["index"], p["code"]) for p in problems] == [(1, "PERSON_NOT_FOUND"), (2, "PERSON_NOT_FOUND")]
    assert all(p["detail_zh"] for p in problems)
    assert bureau.events() == before
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "100.00"
    assert bureau.service.queries.refusals()[0]["code"] == "BATCH_REFUSED"


def test_a_batch_on_an_empty_store_keeps_what_each_command_made__R_ORG_1(service) -> None:  # type: ignore[no-untyped-def]
    """Two units registered in one batch on a store with no roster yet: the second command finds the
    roster the first one made, so both units are stored (before, only the last was)."""
    from tests.conftest import OFFICE

    service.ledger.execute_batch([
        (OFFICE, c.RegisterUnit(code=code, name=name, kind="branch", registered_on=date(2010, 1, 1)))
        for code, name in (("B01", "城东分局"), ("B02", "城西分局"))
    ])  # fmt: skip
    assert [u["code"] for u in service.queries.units()] == ["B01", "B02"]
