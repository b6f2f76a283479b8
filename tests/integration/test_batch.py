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
