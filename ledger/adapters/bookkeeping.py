"""The ledger's bookkeeping next to the log (not events): idempotency keys, written in the
command's own transaction, and the refusal log (R-ORG-4), written in a transaction of its own
because a refused command has none. Each refusal is chained to the one before it with an HMAC
under the chain key, and the head is anchored outside the database (ledger/adapters/seal.py),
so a refusal edited, inserted or deleted in the database is found by `jixiao verify`."""

from __future__ import annotations

from typing import Any, Sequence

import orjson

from ledger.adapters.audit_log import REFUSALS_CHAIN_LOCK, chain_head
from ledger.adapters.seal import AnchorFile, ChainKey, chained_rows, verify_chained_log
from ledger.adapters.store import ProjectionCursor


class IdempotencyKeys:
    """Inline hook: stores a command's result under its `Idempotency-Key`, so a retry is
    answered with the first result instead of running again."""

    def __init__(self, now_iso: Any) -> None:
        self.now_iso = now_iso

    def __call__(self, cursor: ProjectionCursor, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None:
        key = kwargs.get("idempotency")
        if key is None:
            return
        body = {**kwargs["result"], "position": notification_ids[-1] if notification_ids else None}
        cursor.execute(
            "INSERT INTO idempotency_keys (idem_key, user_id, fingerprint, body, position, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (key[0], key[1], key[2], orjson.dumps(body).decode(), body["position"], self.now_iso()),
        )

    @staticmethod
    def find(cursor: ProjectionCursor, key: str, user: str) -> tuple[str, dict[str, Any]] | None:
        """(fingerprint, result) stored under the key for the user, or None."""
        cursor.execute("SELECT fingerprint, body FROM idempotency_keys WHERE idem_key = ? AND user_id = ?", (key, user))
        row = cursor.fetchone()
        return None if row is None else (row["fingerprint"], orjson.loads(row["body"]))


REFUSAL_FIELDS = ("at", "user_id", "role", "command", "code", "message")


def refusal_mac(key: ChainKey, previous: str, row: Any) -> str:
    return key.mac("refusal", previous, *(row[f] for f in REFUSAL_FIELDS))


def log_refusal(cursor: ProjectionCursor, key: ChainKey, at: str, user_id: str, role: str, command: str, code: str, message: str) -> tuple[int, str]:
    """Append a refusal, chained to the last one. Returns (its id, its MAC) for the anchor."""
    row = {"at": at, "user_id": user_id, "role": role, "command": command, "code": code, "message": message[:1000]}
    mac = refusal_mac(key, chain_head(cursor, "refusals", REFUSALS_CHAIN_LOCK), row)
    cursor.execute(
        "INSERT INTO refusals (at, user_id, role, command, code, message, mac) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (*(row[f] for f in REFUSAL_FIELDS), mac),
    )
    cursor.execute("SELECT id FROM refusals WHERE mac = ?", (mac,))
    return int(cursor.fetchone()["id"]), mac


def seal_refusals(cursor: ProjectionCursor, key: ChainKey) -> tuple[int, str] | None:
    """Chain the refusals logged before refusals were sealed (run once, with the anchor file's
    creation). Returns the head (id, MAC), or None when there are none."""
    cursor.execute("SELECT id, at, user_id, role, command, code, message FROM refusals ORDER BY id")
    previous, head = "", None
    for row in cursor.fetchall():
        previous = refusal_mac(key, previous, row)
        cursor.execute("UPDATE refusals SET mac = ? WHERE id = ?", (previous, row["id"]))
        head = (int(row["id"]), previous)
    return head


def verify_refusals(cursor: ProjectionCursor, key: ChainKey, anchor_file: AnchorFile | None) -> list[tuple[str, str]]:
    """(kind, detail) for each refusal edited or inserted behind the ledger's back
    (`refusals_modified`), and for refusals deleted since the last anchored one (`refusals_deleted`)."""
    return verify_chained_log(
        chained_rows(cursor, "refusals", REFUSAL_FIELDS), key, "refusal", REFUSAL_FIELDS, anchor_file, "refusals",
        lambda row: f"refusal {row['id']} ({row['command']} {row['code']})",
    )  # fmt: skip
