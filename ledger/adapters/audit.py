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

The digest chain is public (anyone holding the log can recompute it, which is what a printed
bulletin relies on), so on its own it does not stop someone who can write the database from
editing the newest events and recomputing their links, or cutting the tail off. Two seals close
that (ledger/adapters/seal.py): each link also carries `mac = HMAC(chain key, position ‖ digest)`
under a key kept outside the database, and the head of the chain is appended to an anchor file
outside the database after every command. `verify` checks both.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

from ledger.adapters.seal import AnchorFile, ChainKey

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

    The hook runs while the command's transaction holds the store's write lock (SQLite's
    `BEGIN IMMEDIATE`, the events table's lock on PostgreSQL), so the head read in it is the
    head, whichever process wrote last. On SQLite the head after the last command this process
    wrote is kept in memory and used while the new events take the positions right after it:
    SQLite numbers the log without gaps, so any event another process (another server worker,
    a `jixiao` command) stored in between moves the new positions on, and the head is read
    again."""

    def __init__(self, key: ChainKey) -> None:
        self.key = key
        self._head: tuple[int, bytes] | None = None
        # The head after the last command's links: (position, digest, MAC, recorded at).
        self.last_written: tuple[int, bytes, str, str] | None = None

    def __call__(self, cursor: Any, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None:
        stored = kwargs.get("stored_events")
        if not notification_ids or stored is None:
            return
        head = self._head if cursor.dialect == "sqlite" else None
        if head is None or head[0] != notification_ids[0] - 1:
            head = read_head(cursor)
        position, previous = head
        rows = []
        for nid, se, event in zip(notification_ids, stored, kwargs["new_events"], strict=True):
            previous = link(previous, nid, se.originator_id, se.originator_version, se.topic, se.state)
            rows.append((nid, previous.hex(), event.timestamp.isoformat(), self.key.mac("link", nid, previous.hex())))
            position = nid
        for row in rows:
            cursor.execute("INSERT INTO event_chain (position, digest, recorded_at, mac) VALUES (?, ?, ?, ?)", row)
        self._head = (position, previous)
        self.last_written = (position, previous, rows[-1][3], rows[-1][2])

    def discard(self) -> None:
        """The transaction may have been rolled back: read the head again next time."""
        self._head = self.last_written = None

    def head(self, cursor: Any) -> tuple[int, bytes]:
        """The head as stored now (another process may have written since this one last did)."""
        return read_head(cursor)


def read_head(cursor: Any) -> tuple[int, bytes]:
    cursor.execute("SELECT position, digest FROM event_chain ORDER BY position DESC LIMIT 1")
    row = cursor.fetchone()
    return (0, GENESIS) if row is None else (int(row["position"]), bytes.fromhex(row["digest"]))


def seal_links(cursor: Any, key: ChainKey) -> int:
    """Give every link that has none its MAC. Run once, when the anchor file is created: a store
    written before links were sealed is taken as it stands then. Afterwards a link without its
    MAC is one the ledger did not write."""
    cursor.execute("SELECT position, digest FROM event_chain WHERE mac IS NULL ORDER BY position")
    rows = [(int(r["position"]), r["digest"]) for r in cursor.fetchall()]
    for position, digest in rows:
        cursor.execute("UPDATE event_chain SET mac = ? WHERE position = ?", (key.mac("link", position, digest), position))
    return len(rows)


def backfill(recorder: Any, mapper: Any, cursor: Any, key: ChainKey) -> int:
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
            cursor.execute(
                "INSERT INTO event_chain (position, digest, recorded_at, mac) VALUES (?, ?, ?, ?)",
                (n.id, previous.hex(), recorded_at, key.mac("link", n.id, previous.hex())),
            )
            position = n.id
            count += 1


# -- verification ------------------------------------------------------------------------------


@dataclass
class Problem:
    position: int
    kind: str  # one of KIND_ZH
    detail: str

    KIND_ZH = {
        "modified": "事件内容被修改",
        "deleted": "事件被删除",
        "inserted": "插入了台账未写入的事件",
        "chain_broken": "哈希链记录被改动",
        "link_forged": "哈希链记录的密钥签名不符（链被重算）",
        "bulletin_mismatch": "简报摘要与事件日志不符",
        "anchor_mismatch": "锚定文件记录的摘要与事件日志不符",
        "truncated": "事件日志尾部被删除（少于锚定文件记录的位置）",
        "anchor_forged": "锚定文件中有无效或伪造的记录",
        "refusals_modified": "拒绝记录被修改或插入",
        "refusals_deleted": "拒绝记录被删除",
        "user_modified": "用户记录被修改或插入（未经系统签名）",
        "token_modified": "接口令牌记录被修改或插入（未经系统签名）",
        "session_modified": "登录会话记录被修改或插入（未经系统签名）",
        "attachment_modified": "附件被修改或替换（内容或签名不符）",
        "audit_modified": "安全审计记录被修改或插入",
        "audit_deleted": "安全审计记录被删除",
    }

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "kind": self.kind, "kind_zh": self.KIND_ZH[self.kind], "detail": self.detail}


@dataclass
class Report:
    events_checked: int = 0
    head_position: int = 0
    head_digest: str = GENESIS.hex()
    bulletins_checked: int = 0
    anchors_checked: int = 0  # sealed heads in the anchor file
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
            "anchors_checked": self.anchors_checked,
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


def _links(cursor_factory: Any) -> Iterator[tuple[int, str, str | None]]:
    last = 0
    while True:
        with cursor_factory() as cursor:
            cursor.execute("SELECT position, digest, mac FROM event_chain WHERE position > ? ORDER BY position LIMIT ?", (last, VERIFY_BATCH))
            rows = [(int(r["position"]), r["digest"], r["mac"]) for r in cursor.fetchall()]
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def verify(
    recorder: Any,
    cursor_factory: Any,
    anchors: Iterable[tuple[int, str, str]] = (),
    limit_problems: int = 100,
    key: ChainKey | None = None,
    anchor_file: AnchorFile | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Recompute the chain from the stored events and compare it with the links written when
    each event was stored and with the digests the bulletins carry (`anchors`: position,
    digest, label — a bulletin, or a digest copied from a printed one).

    Each event is checked twice: its own link (stored digest of the previous position + this
    event → stored digest of this one) names exactly which rows were touched; the running chain
    recomputed from the very first event is what a bulletin's digest is compared with, so
    rewriting the link table to match a changed event is caught at the next bulletin.

    With the chain `key`, every link's MAC is checked too (a link recomputed without the key is
    `link_forged`); with the `anchor_file`, every sealed head in it is an anchor like a
    bulletin's digest, and a log that ends before the last anchored position is `truncated`.

    `progress`, when given, is called every VERIFY_BATCH events with the events checked so far and
    the last position of the log (the events to check, but for gaps)."""
    report = Report()
    total = int(recorder.max_notification_id() or 0) if progress is not None else 0
    if progress is not None:
        progress(0, total)
    anchors = list(anchors)
    anchored_head = 0
    if anchor_file is not None:
        for number, anchor, text in anchor_file.read():
            if anchor is None:
                report.problems.append(Problem(0, "anchor_forged", f"{anchor_file.path.name} line {number} is not a sealed anchor: {text[:60]}"))
            elif anchor.kind == "events":
                anchors.append((anchor.position, anchor.digest, f"anchor line {number} ({anchor.at})"))
                anchored_head = max(anchored_head, anchor.position)
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
            if label.startswith("anchor"):
                report.anchors_checked += 1
            else:
                report.bulletins_checked += 1
            if digest != running.hex():
                kind = "anchor_mismatch" if label.startswith("anchor") else "bulletin_mismatch"
                if kind == "anchor_mismatch" and any(p.kind == kind for p in report.problems):
                    continue  # every anchor after the first bad one differs too: name the first
                problem(position, kind, f"{label}: digest {digest[:16]}… but the log up to {position} gives {running.hex()[:16]}…")

    while event is not None or chained is not None:
        if chained is None or (event is not None and event.id < chained[0]):
            assert event is not None
            problem(event.id, "inserted", f"event {event.topic} of {event.originator_id} v{event.originator_version} has no chain link")
            running = link(running, event.id, event.originator_id, event.originator_version, event.topic, event.state)
            report.events_checked += 1
            event = next(events, None)
            continue
        position, digest, mac = chained
        if key is not None and not key.check(mac, "link", position, digest):
            problem(position, "link_forged", "the link's MAC does not match: it was not written by the ledger")
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
        if progress is not None and report.events_checked % VERIFY_BATCH == 0:
            progress(report.events_checked, max(total, report.events_checked))
    if progress is not None:
        progress(report.events_checked, report.events_checked)
    report.head_digest = running.hex()
    if anchored_head > report.head_position:
        problem(report.head_position + 1, "truncated", f"the log ends at {report.head_position}; the anchor file has it at {anchored_head} or later")
        for position in [p for p, pending in anchors_at.items() if p > report.head_position]:
            anchors_at[position] = [(d, label) for d, label in anchors_at[position] if not label.startswith("anchor")]
    for position, pending in anchors_at.items():
        for digest, label in pending:
            problem(position, "bulletin_mismatch", f"{label}: position {position} is not in the log")
    report.problems.sort(key=lambda p: p.position)
    return report
