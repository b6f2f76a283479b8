"""What a command returns (指令结果): the facts its handler reports — each command its own (the
entry id, the cascades, the new status, ...), hence open — and the log position it wrote."""

from __future__ import annotations

from pydantic import MISSING, Field

from api.schemas.base import OpenModel


class CommandResult(OpenModel):
    """A command's result: its facts, then `position` (and `replayed` on a replay)."""

    position: int | None = Field(description="The log position of the command's last event (null: it wrote none)")
    replayed: bool | MISSING = Field(default=MISSING, description="Present, true, when an Idempotency-Key replayed an earlier result")
