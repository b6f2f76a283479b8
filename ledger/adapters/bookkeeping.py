"""The ledger's bookkeeping next to the log (not events): idempotency keys, written in the
command's own transaction, and the refusal log (R-ORG-4), written in a transaction of its own
because a refused command has none."""

from __future__ import annotations

from typing import Any, Sequence

import orjson

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


def log_refusal(cursor: ProjectionCursor, at: str, user_id: str, role: str, command: str, code: str, message: str) -> None:
    cursor.execute(
        "INSERT INTO refusals (at, user_id, role, command, code, message) VALUES (?, ?, ?, ?, ?, ?)",
        (at, user_id, role, command, code, message[:1000]),
    )
