"""Tamper evidence (防篡改), R-AUDIT-1: a hash chain over the stored events in log order.

Every stored event gets a link digest, written in the same transaction as the event itself:

    digest(p) = SHA-256( digest(previous chained position) ‖ p ‖ originator_id ‖ version ‖ topic ‖ state )

with 32 zero bytes before the first event. The digest of position *p* therefore stands for the
whole log up to *p*. A bulletin (工作绩效管理简报) carries the digest of the log at the moment it
is published, so a printed bulletin pins the log: anyone can later recompute the chain from the
stored events (`jixiao verify`) and see whether a stored event was modified, deleted or inserted
since, and at which position the log first stops matching.

Why a chain written with each command rather than computed when a bulletin is published: an
event inserted directly into the database after the last bulletin would otherwise look like a
legitimate new event. With the chain, every event the ledger wrote has its link; one without a
link was not written by the ledger. The cost is one small insert per command (measured in
docs/architecture.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence

GENESIS = bytes(32)
VERIFY_BATCH = 5000  # events read per batch by `verify` (bounded memory on a 1M-event store)


def _bytes(value: Any) -> bytes:
    """A stored field as bytes. A state edited by hand may come back as text, or not at all:
    it is hashed as what it now is, so the link no longer matches and `verify` reports it."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return b"\x00" + str(value).encode("utf-8", "surrogatepass")


def link(previous: bytes, position: int, originator_id: Any, originator_version: int, topic: str, state: bytes) -> bytes:
    """One link of the chain. Fields are length-prefixed so no two events can encode alike."""
    h = hashlib.sha256(previous)
    for part in (str(position).encode(), str(originator_id).encode(), str(originator_version).encode(), str(topic).encode(), _bytes(state)):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.digest()


class ChainWriter:
    """The inline hook that appends the links of a command's events (same transaction).

    On SQLite the ledger is the only writer, so the head of the chain is kept in memory after
    the first read; on PostgreSQL the recorder holds the events table's lock while the hook runs,
    so reading the head from the table inside the transaction is safe with several servers."""

    def __init__(self) -> None:
        self._head: tuple[int, bytes] | None = None

    def __call__(self, cursor: Any, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None:
        stored = kwargs.get("stored_events")
        if not notification_ids or stored is None:
            return
        head = self._head if cursor.dialect == "sqlite" else None
        if head is None:
            head = read_head(cursor)
        position, previous = head
        rows = []
        for nid, se, event in zip(notification_ids, stored, kwargs["new_events"], strict=True):
            previous = link(previous, nid, se.originator_id, se.originator_version, se.topic, se.state)
            rows.append((nid, previous.hex(), event.timestamp.isoformat()))
            position = nid
        for row in rows:
            cursor.execute("INSERT INTO event_chain (position, digest, recorded_at) VALUES (?, ?, ?)", row)
        self._head = (position, previous)

    def discard(self) -> None:
        """The transaction may have been rolled back: read the head again next time."""
        self._head = None

    def head(self, cursor: Any) -> tuple[int, bytes]:
        if self._head is None or cursor.dialect != "sqlite":
            self._head = read_head(cursor)
        return self._head


def read_head(cursor: Any) -> tuple[int, bytes]:
    cursor.execute("SELECT position, digest FROM event_chain ORDER BY position DESC LIMIT 1")
    row = cursor.fetchone()
    return (0, GENESIS) if row is None else (int(row["position"]), bytes.fromhex(row["digest"]))


def backfill(recorder: Any, mapper: Any, cursor: Any) -> int:
    """Chain the events of a store written before the chain existed (an earlier version of
    the ledger). Returns how many were chained. Runs at start-up, before any command, and
    only while the chain is empty: once the chain has begun, an event without a link is one
    the ledger did not write, and `verify` reports it instead of linking it."""
    position, previous = read_head(cursor)
    if position != 0:
        return 0
    count = 0
    while True:
        batch = recorder.select_notifications(start=position + 1, limit=VERIFY_BATCH)
        if not batch:
            return count
        for n in batch:
            previous = link(previous, n.id, n.originator_id, n.originator_version, n.topic, n.state)
            recorded_at = mapper.to_domain_event(n).timestamp.isoformat()
            cursor.execute("INSERT INTO event_chain (position, digest, recorded_at) VALUES (?, ?, ?)", (n.id, previous.hex(), recorded_at))
            position = n.id
            count += 1


# -- verification ------------------------------------------------------------------------------


@dataclass
class Problem:
    position: int
    kind: str  # modified | deleted | inserted | chain_broken | bulletin_mismatch
    detail: str

    KIND_ZH = {
        "modified": "事件内容被修改",
        "deleted": "事件被删除",
        "inserted": "插入了台账未写入的事件",
        "chain_broken": "哈希链记录被改动",
        "bulletin_mismatch": "简报摘要与事件日志不符",
    }

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "kind": self.kind, "kind_zh": self.KIND_ZH[self.kind], "detail": self.detail}


@dataclass
class Report:
    events_checked: int = 0
    head_position: int = 0
    head_digest: str = GENESIS.hex()
    bulletins_checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_position(self) -> int | None:
        return min((p.position for p in self.problems), default=None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events_checked": self.events_checked,
            "head_position": self.head_position,
            "head_digest": self.head_digest,
            "bulletins_checked": self.bulletins_checked,
            "first_bad_position": self.first_bad_position,
            "problems": [p.as_dict() for p in self.problems],
        }


def _events(recorder: Any) -> Iterator[Any]:
    last = 0
    while True:
        batch = recorder.select_notifications(start=last + 1, limit=VERIFY_BATCH)
        if not batch:
            return
        yield from batch
        last = batch[-1].id


def _links(cursor_factory: Any) -> Iterator[tuple[int, str]]:
    last = 0
    while True:
        with cursor_factory() as cursor:
            cursor.execute("SELECT position, digest FROM event_chain WHERE position > ? ORDER BY position LIMIT ?", (last, VERIFY_BATCH))
            rows = [(int(r["position"]), r["digest"]) for r in cursor.fetchall()]
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def verify(recorder: Any, cursor_factory: Any, anchors: Iterable[tuple[int, str, str]] = (), limit_problems: int = 100) -> Report:
    """Recompute the chain from the stored events and compare it with the links written when
    each event was stored and with the digests the bulletins carry (`anchors`: position,
    digest, label — a bulletin, or a digest copied from a printed one).

    Each event is checked twice: its own link (stored digest of the previous position + this
    event → stored digest of this one) names exactly which rows were touched; the running chain
    recomputed from the very first event is what a bulletin's digest is compared with, so
    rewriting the link table to match a changed event is caught at the next bulletin."""
    report = Report()
    anchors_at: dict[int, list[tuple[str, str]]] = {}
    for position, digest, label in anchors:
        anchors_at.setdefault(int(position), []).append((digest, label))
    events = _events(recorder)
    links = _links(cursor_factory)
    event = next(events, None)
    chained = next(links, None)
    running = GENESIS  # recomputed from the events alone
    stored_previous = GENESIS  # the stored link of the previous chained position

    def problem(position: int, kind: str, detail: str) -> None:
        if len(report.problems) < limit_problems:
            report.problems.append(Problem(position, kind, detail))

    def check_anchors(position: int) -> None:
        for digest, label in anchors_at.pop(position, ()):
            report.bulletins_checked += 1
            if digest != running.hex():
                problem(position, "bulletin_mismatch", f"{label}: published digest {digest[:16]}… but the log up to {position} gives {running.hex()[:16]}…")

    while event is not None or chained is not None:
        if chained is None or (event is not None and event.id < chained[0]):
            assert event is not None
            problem(event.id, "inserted", f"event {event.topic} of {event.originator_id} v{event.originator_version} has no chain link")
            running = link(running, event.id, event.originator_id, event.originator_version, event.topic, event.state)
            report.events_checked += 1
            event = next(events, None)
            continue
        position, digest = chained
        if event is None or event.id > position:
            problem(position, "deleted", "a chained event is missing from the log")
            stored_previous = bytes.fromhex(digest)
            chained = next(links, None)
            check_anchors(position)
            continue
        own = link(stored_previous, event.id, event.originator_id, event.originator_version, event.topic, event.state)
        running = link(running, event.id, event.originator_id, event.originator_version, event.topic, event.state)
        if own.hex() != digest:
            problem(position, "modified", f"event {event.topic} of {event.originator_id} v{event.originator_version} does not match its link")
        elif running.hex() != digest and not report.problems:
            problem(position, "chain_broken", "the stored link does not follow from the events before it")
        stored_previous = bytes.fromhex(digest)
        report.events_checked += 1
        report.head_position = position
        check_anchors(position)
        event = next(events, None)
        chained = next(links, None)
    report.head_digest = running.hex()
    for position, pending in anchors_at.items():
        for digest, label in pending:
            report.bulletins_checked += 1
            problem(position, "bulletin_mismatch", f"{label}: position {position} is not in the log")
    report.problems.sort(key=lambda p: p.position)
    return report
