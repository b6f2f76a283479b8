"""Group commit (ledger/application/group_commit.py): commands issued at the same time by several
threads are committed in one transaction, and each gets exactly the answer it would have had
alone — its result, or its refusal (logged), with nothing of a refused command stored.

The tests force a group: the main thread holds the ledger's writer lock while the clients queue
up behind the first one, then lets go. On PostgreSQL every command keeps its own transaction."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import pytest

from ledger.application import commands as c
from ledger.domain.errors import DomainError
from tests.conftest import SUPERVISION, Bureau

DEDUCT = dict(points="0.5", basis="上班时间离岗", occurred_on=date(2026, 1, 12), form_no="JC-2026-001")


def _at_once(bureau: Bureau, commands: list[Any], idempotency: list[Any] | None = None) -> list[Any]:
    """Issue the commands from one thread each, all queued before any runs; their answers (a
    result, or the DomainError raised) in the commands' order."""
    ledger = bureau.service.ledger
    answers: list[Any] = [None] * len(commands)

    def client(i: int) -> None:
        try:
            answers[i] = ledger.execute(SUPERVISION, commands[i], idempotency[i] if idempotency else None)
        except DomainError as error:
            answers[i] = error

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(commands))]
    with ledger._lock:  # the first client leads and waits here; the rest queue behind it
        for t in threads:
            t.start()
            time.sleep(0.01)
        if ledger._group is not None:
            deadline = time.monotonic() + 10
            while len(ledger._group._queue) < len(commands) - 1 and time.monotonic() < deadline:
                time.sleep(0.005)
    for t in threads:
        t.join(timeout=30)
    return answers


def test_commands_issued_together_are_stored_once_each_in_one_transaction(bureau: Bureau) -> None:
    ledger = bureau.service.ledger
    before, groups = bureau.events(), ledger._group.groups if ledger._group else 0
    answers = _at_once(bureau, [c.RecordDeduction(person="P02", **DEDUCT) for _ in range(6)])
    assert sorted(a["entry_id"] for a in answers) == [f"P02:2026-01:monthly:{n}" for n in range(1, 7)]
    assert bureau.events() == before + 6
    assert bureau.service.queries.projection_position() == bureau.service.queries.event_count()
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "97.00"  # 100 − 6 × 0.5
    assert ledger.verify().ok  # every event linked in order (R-AUDIT-1)
    if bureau.service.database.dialect == "sqlite":
        assert ledger._group.groups == groups + 1  # the five queued behind the first: one commit
        positions = sorted(a["position"] for a in answers)
        assert positions == list(range(before + 1, before + 7))


def test_a_refused_command_in_a_group_is_refused_alone_and_the_others_are_stored__R_ORG_4(bureau: Bureau) -> None:
    before = bureau.events()
    refusals = len(bureau.service.queries.refusals())
    commands = [c.RecordDeduction(person="P02", **DEDUCT), c.RecordDeduction(person="NOBODY", **DEDUCT), c.RecordDeduction(person="P03", **DEDUCT)]
    answers = _at_once(bureau, commands)
    assert answers[0]["entry_id"] == "P02:2026-01:monthly:1"
    assert isinstance(answers[1], DomainError) and answers[1].code == "PERSON_NOT_FOUND"
    assert answers[2]["entry_id"] == "P03:2026-01:monthly:1"
    assert bureau.events() == before + 2  # nothing of the refused one
    assert [r["code"] for r in bureau.service.queries.refusals()][: len(bureau.service.queries.refusals()) - refusals] == ["PERSON_NOT_FOUND"]
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "99.50"
    assert bureau.sheet("P03:2026-01:monthly")["score"] == "99.50"
    assert bureau.service.ledger.verify().ok


def test_a_retry_queued_beside_its_first_attempt_is_applied_once(bureau: Bureau) -> None:
    """The same Idempotency-Key twice in one group: stored once, the second answer replayed."""
    before = bureau.events()
    key = ("retry-1", "supervision", "fingerprint")
    answers = _at_once(bureau, [c.RecordDeduction(person="P02", **DEDUCT)] * 2, idempotency=[key, key])
    assert bureau.events() == before + 1
    assert sorted(bool(a.get("replayed")) for a in answers) == [False, True]
    assert answers[0]["entry_id"] == answers[1]["entry_id"] == "P02:2026-01:monthly:1"


def test_audit_records_of_reads_join_the_group_and_each_is_stored_once(bureau: Bureau) -> None:
    """Reads of others' records, audited while commands are queued (安全审计): the records are
    appended in the group's transaction, one commit for all; each is stored once, in the audit
    chain, and verify is clean."""
    ledger = bureau.service.ledger
    before, groups = bureau.events(), ledger._group.groups if ledger._group else 0
    reads_before = len(bureau.service.queries.audit_log(action="read:/bench-group", limit=500))
    answers: list[Any] = [None] * 6

    def client(i: int) -> None:
        if i % 2:
            ledger.audit_read(SUPERVISION, "127.0.0.1", "read:/bench-group", f"P0{i}")()  # queued, then waited for
            answers[i] = "read"
        else:
            answers[i] = ledger.execute(SUPERVISION, c.RecordDeduction(person="P02", **DEDUCT))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(6)]
    with ledger._lock:  # as _at_once: the first client leads and waits; the rest queue behind it
        for t in threads:
            t.start()
            time.sleep(0.01)
        if ledger._group is not None:
            deadline = time.monotonic() + 10
            while len(ledger._group._queue) < 5 and time.monotonic() < deadline:
                time.sleep(0.005)
    for t in threads:
        t.join(timeout=30)
    assert answers[1::2] == ["read"] * 3
    assert sorted(a["entry_id"] for a in answers[0::2]) == [f"P02:2026-01:monthly:{n}" for n in range(1, 4)]
    assert bureau.events() == before + 3
    audited = bureau.service.queries.audit_log(action="read:/bench-group", limit=500)
    assert len(audited) == reads_before + 3
    assert sorted(r["target"] for r in audited[:3]) == ["P01", "P03", "P05"]
    assert ledger.verify().ok  # the event chain and the audit chain
    if bureau.service.database.dialect == "sqlite":
        assert ledger._group.groups == groups + 1  # the five queued behind the first: one commit


@pytest.mark.parametrize("clients", [8])
def test_many_clients_at_once_lose_nothing(bureau: Bureau, clients: int) -> None:
    """8 threads × 25 deductions with no forcing: every acknowledged command stored exactly once."""
    ledger = bureau.service.ledger
    before = bureau.events()
    done: list[str] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        for _ in range(25):
            result = ledger.execute(SUPERVISION, c.RecordDeduction(person=f"P0{2 + k % 2}", **(DEDUCT | {"points": "0.01"})))
            with lock:
                done.append(result["entry_id"])

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(done) == len(set(done)) == clients * 25
    assert bureau.events() == before + clients * 25
    assert bureau.service.queries.projection_position() == bureau.service.queries.event_count()
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "99.00"  # 100 − 100 × 0.01
    assert bureau.sheet("P03:2026-01:monthly")["score"] == "99.00"
    assert ledger.verify().ok
