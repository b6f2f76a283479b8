"""The security audit log (安全审计日志): who did or read what, when, from where, with what outcome.

One record for every command, accepted (written in the command's own transaction, with the log
position of its events) or refused (in the refusal's transaction, with its code), and for every
read of another person's or unit's records. The application only appends: nothing updates or
deletes a record. Each record is chained to the one before it with an HMAC under the chain key,
and the head is appended to the anchor file after every record (ledger/adapters/seal.py), so a
record edited, inserted or deleted in the database is found by `jixiao verify`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Sequence

from ledger.adapters.seal import AnchorFile, ChainKey, chained_rows, verify_chained_log
from ledger.adapters.store import ProjectionCursor

FIELDS = ("at", "user_id", "role", "client", "action", "target", "outcome", "code", "position")
INSERT = f"INSERT INTO audit_log ({', '.join((*FIELDS, 'mac'))}) VALUES ({', '.join('?' * (len(FIELDS) + 1))})"
ACCEPTED, REFUSED, READ = "accepted", "refused", "read"


@dataclass(frozen=True)
class AuditRecord:
    at: str  # UTC, ISO 8601
    user_id: str
    role: str
    client: str | None
    action: str  # command:<Name> | read:<route path>
    target: str | None
    outcome: str  # accepted | refused | read
    code: str | None = None  # a refusal's code
    position: int | None = None  # an accepted command's last event


def _values(record: AuditRecord) -> tuple[Any, ...]:
    # Not dataclasses.asdict: it deep-copies every field, a fifth of a command's Python time here.
    return (record.at, record.user_id, record.role, record.client, record.action, record.target, record.outcome, record.code, record.position)


AUDIT_CHAIN_LOCK = 0x6A78_0001  # PostgreSQL advisory lock keys, one per chained log ("jx")
REFUSALS_CHAIN_LOCK = 0x6A78_0002


def lock_chain(cursor: ProjectionCursor, key: int) -> None:
    """PostgreSQL: several server processes append to the same chained log; each takes the log's
    lock for the rest of its transaction before it reads the head, so no two records are chained
    to the same predecessor. (On SQLite every writing transaction begins `IMMEDIATE`: it holds the
    database's one write lock from its first statement.)"""
    if cursor.dialect == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(?)", (key,))
        cursor.fetchone()


def chain_head(cursor: ProjectionCursor, table: str, key: int) -> str:
    """The MAC of the last record of a chained log (`table`: audit_log, refusals), "" for an
    empty log; read under the log's lock (`lock_chain`), so the caller chains to the real head."""
    lock_chain(cursor, key)
    cursor.execute(f"SELECT mac FROM {table} ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    return "" if row is None else (row["mac"] or "")


class AuditWriter:
    """Appends records, each chained to the last. The head is read in the writing transaction,
    which holds the store's write lock (SQLite's `BEGIN IMMEDIATE`; on PostgreSQL the log's
    advisory lock): other processes append to the same log (server workers, `jixiao user …`)."""

    def __init__(self, key: ChainKey, anchors: AnchorFile | None) -> None:
        self.key = key
        self.anchors = anchors
        self.pending: list[tuple[int, str, str]] = []  # appended in an open transaction: (id, mac, at)

    def append(self, cursor: ProjectionCursor, *records: AuditRecord) -> None:
        """Chain `records` to the log, in order. On PostgreSQL the head is read once, under the
        log's lock, and only the last record's id is asked back: a batch of 500 commands is one
        round trip here, not 500 (measured, bench/scale.py)."""
        if not records:
            return
        sqlite = cursor.dialect == "sqlite"
        mac = chain_head(cursor, "audit_log", AUDIT_CHAIN_LOCK)
        for record in records[:-1]:
            values = _values(record)
            mac = self.key.mac("audit", mac, *values)
            cursor.execute(INSERT, (*values, mac))
        last = records[-1]
        values = _values(last)
        mac = self.key.mac("audit", mac, *values)
        if sqlite:
            cursor.execute(INSERT, (*values, mac))
            new_id = int(getattr(cursor.raw, "sqlite_cursor", cursor.raw).lastrowid)  # type: ignore[attr-defined]
        else:
            cursor.execute(INSERT + " RETURNING id", (*values, mac))
            new_id = int(cursor.fetchone()["id"])
        self.pending.append((new_id, mac, last.at))  # the anchor is written for the last one only

    def committed(self) -> None:
        """The transaction holding the pending records committed: anchor the head."""
        if self.anchors is not None and self.pending:
            new_id, mac, at = self.pending[-1]
            self.anchors.append("audit", new_id, mac, at, mac=mac)
        self.pending.clear()

    def discard(self) -> None:
        """The transaction was rolled back: its records are not to be anchored."""
        self.pending.clear()


class AuditHook:
    """Inline hook: the accepted command's audit record, in the command's own transaction, with
    the log position of its last event."""

    def __init__(self, writer: AuditWriter) -> None:
        self.writer = writer

    def __call__(self, cursor: ProjectionCursor, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None:
        records: list[AuditRecord] = kwargs.get("audits") or ([kwargs["audit"]] if kwargs.get("audit") is not None else [])
        # a batch of commands saves in one transaction: one record each
        self.writer.append(cursor, *(replace(record, position=notification_ids[-1] if notification_ids else None) for record in records))

    def discard(self) -> None:
        self.writer.discard()


def verify_audit_log(cursor: ProjectionCursor, key: ChainKey, anchor_file: AnchorFile | None) -> list[tuple[str, str]]:
    """(kind, detail) for each record edited or inserted behind the application's back
    (`audit_modified`), and for records deleted since the last anchored one (`audit_deleted`)."""
    return verify_chained_log(
        chained_rows(cursor, "audit_log", FIELDS), key, "audit", FIELDS, anchor_file, "audit",
        lambda row: f"audit record {row['id']} ({row['action']} by {row['user_id']})",
    )  # fmt: skip
