"""Disputes (申诉), R-DISPUTE-1.

The affected unit or person disputes an entry within the window after the sheet's publication
(5 working days by default, a plan value). The supervision office reviews (纪检审查) and
recommends uphold, reverse or amend; the leading group decides. A decision to reverse or amend is
carried out by R-FIX-1 in the same transaction as the decision. While a dispute is open the entry
still counts and is shown as disputed; the figures resting on it are provisional.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import Conflict, InvalidInput
from ledger.domain.roster import NAMESPACE


class Decision(str, Enum):
    UPHOLD = "uphold"  # 维持
    REVERSE = "reverse"  # 撤销
    AMEND = "amend"  # 更正


DECISION_ZH = {Decision.UPHOLD: "维持", Decision.REVERSE: "撤销", Decision.AMEND: "更正"}


class DisputeStatus(str, Enum):
    FILED = "filed"  # 已提出
    REVIEWED = "reviewed"  # 监察室已审查
    DECIDED = "decided"  # 领导小组已决定


class DisputeStateInvalid(Conflict):
    code = "DISPUTE_STATE_INVALID"
    message_zh = "申诉当前状态不允许此操作"
    message_en = "The dispute is not in a state that allows this"


def dispute_id(entry_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"dispute:{entry_id}")


class Dispute(Aggregate):
    """The dispute on one entry; an entry is disputed at most once (the decision is final).
    It is referred to by the entry's id."""

    @classmethod
    def create_id(cls, entry_id: str, **_: Any) -> uuid.UUID:
        return dispute_id(entry_id)

    @event("Filed")
    def __init__(
        self,
        entry_id: str,
        sheet: str,
        target: str,
        year: int,
        reason: str,
        filed_on: date,
        window_closes: date,
        actor: dict[str, Any],
    ) -> None:
        self.entry_id = entry_id
        self.sheet = sheet
        self.target = target
        self.status = DisputeStatus.FILED.value
        self.recommendation: str | None = None

    def review(self, recommendation: Decision, findings: str, actor: dict[str, Any]) -> None:
        """The supervision office's disciplinary review (纪检审查) and recommendation."""
        if self.status != DisputeStatus.FILED.value:
            raise DisputeStateInvalid(f"dispute {self.entry_id} is {self.status}", f"申诉 {self.entry_id} 已审查或已决定", dispute=self.entry_id, status=self.status)
        if not findings.strip():
            raise InvalidInput("the review's findings are required", "须填写审查意见", field="findings")
        self._reviewed(recommendation=recommendation.value, findings=findings, actor=actor)

    @event("Reviewed")
    def _reviewed(self, recommendation: str, findings: str, actor: dict[str, Any]) -> None:
        self.status = DisputeStatus.REVIEWED.value
        self.recommendation = recommendation

    def check_decidable(self) -> None:
        """The leading group decides only after the supervision office's review."""
        if self.status != DisputeStatus.REVIEWED.value:
            raise DisputeStateInvalid(
                f"dispute {self.entry_id} is {self.status}: the supervision office reviews it first",
                f"申诉 {self.entry_id} 须先经监察室审查，当前状态：{self.status}",
                dispute=self.entry_id,
                status=self.status,
            )

    def decide(self, decision: Decision, reason: str, decision_ref: str, replacement: str | None, actor: dict[str, Any]) -> None:
        """The leading group's decision; `replacement` is the amending entry's id."""
        self.check_decidable()
        self._decided(decision=decision.value, reason=reason, decision_ref=decision_ref, replacement=replacement, actor=actor)

    @event("Decided")
    def _decided(self, decision: str, reason: str, decision_ref: str, replacement: str | None, actor: dict[str, Any]) -> None:
        self.status = DisputeStatus.DECIDED.value
