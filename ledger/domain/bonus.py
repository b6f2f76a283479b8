"""Bonus claims (加分申报), R-BONUS-1..5.

A unit or a person claims bonus points from the year's bonus item list (年度考核加分项目) with
evidence; the office approves or rejects with reasons. Evidence rules (R-BONUS-2) are checked
when the claim is filed; a basis can be claimed once (R-BONUS-3) because a claim's identity is
its target and its basis reference (the commendation document number).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import Conflict, InvalidInput
from ledger.domain.periods import annual_cutoff
from ledger.domain.roster import NAMESPACE


class EvidenceKind(str, Enum):
    """What a piece of evidence is (证明材料)."""

    OFFICIAL_DOCUMENT = "official_document"  # 表彰正式文件
    CERTIFICATE = "certificate"  # 奖状
    ORIGINAL_PLAQUE = "original_plaque"  # 奖牌原件
    GOVERNMENT_DOCUMENT = "government_document"  # 地方政府文件
    MEETING_NOTICE = "meeting_notice"  # 正式会议通知
    COPY = "copy"  # 有效证实文字材料复印件
    ORAL_PRAISE = "oral_praise"  # 口头表扬
    BRIEFING_MENTION = "briefing_mention"  # 以简报形式肯定


class Requirement(str, Enum):
    """What an item's evidence must be, R-BONUS-2."""

    COMMENDATION = "commendation"  # 受表彰：正式文件、奖状或奖牌原件
    CONDUCT_TOP3 = "conduct_top3"  # 行风评议前3名：地方政府文件
    INNOVATION_PILOT = "innovation_pilot"  # 规范创新或承担试点：正式会议通知、文件或复印件


ACCEPTED_EVIDENCE: dict[Requirement, frozenset[EvidenceKind]] = {
    Requirement.COMMENDATION: frozenset({EvidenceKind.OFFICIAL_DOCUMENT, EvidenceKind.CERTIFICATE, EvidenceKind.ORIGINAL_PLAQUE}),
    Requirement.CONDUCT_TOP3: frozenset({EvidenceKind.GOVERNMENT_DOCUMENT}),
    Requirement.INNOVATION_PILOT: frozenset({EvidenceKind.MEETING_NOTICE, EvidenceKind.OFFICIAL_DOCUMENT, EvidenceKind.COPY}),
}
REQUIREMENT_ZH = {
    Requirement.COMMENDATION: "须提供表彰正式文件、奖状或奖牌原件",
    Requirement.CONDUCT_TOP3: "须提供地方政府文件",
    Requirement.INNOVATION_PILOT: "须报送正式会议通知、文件等有效证实文字材料或复印件",
}


class ClaimStatus(str, Enum):
    FILED = "filed"  # 已申报
    APPROVED = "approved"  # 已核准
    REJECTED = "rejected"  # 未核准


class EvidenceInsufficient(InvalidInput):
    code = "EVIDENCE_INSUFFICIENT"
    message_zh = "证明材料不符合该加分项目的要求"
    message_en = "The evidence does not meet the item's requirement"


class BasisAlreadyClaimed(Conflict):
    code = "BASIS_ALREADY_CLAIMED"
    message_zh = "该加分依据已申报过，同一依据只能申报一次"
    message_en = "This basis has already been claimed: a basis can be claimed only once"


class ClaimYearInvalid(InvalidInput):
    code = "CLAIM_YEAR_INVALID"
    message_zh = "加分依据不属于该年度，且不符合跨年度申报条件"
    message_en = "The basis was not earned in that year and may not be carried over to it"


class ClaimAlreadyDecided(Conflict):
    code = "CLAIM_ALREADY_DECIDED"
    message_zh = "该加分申报已审核"
    message_en = "The claim has already been decided"


def check_evidence(requirement: Requirement, evidence: list[dict[str, str]]) -> None:
    """R-BONUS-2: oral praise or a briefing mention earns nothing; otherwise at least one piece
    of evidence of a kind the item's requirement accepts."""
    kinds = {EvidenceKind(e["kind"]) for e in evidence}
    accepted = ACCEPTED_EVIDENCE[requirement]
    if kinds & accepted:
        return
    if kinds and kinds <= {EvidenceKind.ORAL_PRAISE, EvidenceKind.BRIEFING_MENTION}:
        raise EvidenceInsufficient(
            "oral praise or a mention in a briefing earns no bonus", "口头表扬或以简报形式肯定工作的不加分", requirement=requirement.value
        )
    raise EvidenceInsufficient(
        f"{requirement.value} needs one of: {', '.join(sorted(k.value for k in accepted))}", REQUIREMENT_ZH[requirement], requirement=requirement.value
    )


def check_claim_year(year: int, earned_on: date, document_dated: date) -> bool:
    """R-BONUS-1/3: a basis counts in the year it was earned; if its document was dated after
    that year's cut-off (too late to claim), it may be claimed in the next year instead.
    Returns whether the claim is a carry-over."""
    if earned_on.year == year:
        return False
    if earned_on.year == year - 1 and document_dated > annual_cutoff(year - 1):
        return True
    raise ClaimYearInvalid(
        f"a basis earned on {earned_on} with its document dated {document_dated} cannot be claimed in {year}",
        f"{earned_on} 取得、文件日期为 {document_dated} 的加分依据不能在 {year} 年度申报",
        year=year,
    )


def claim_id(target: str, basis_ref: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"bonus:{target}:{basis_ref}")


class BonusClaim(Aggregate):
    """One target's claim on one basis (加分申报)."""

    @classmethod
    def create_id(cls, target: str, basis_ref: str, **_: Any) -> uuid.UUID:
        return claim_id(target, basis_ref)

    @event("Filed")
    def __init__(
        self,
        target: str,
        basis_ref: str,
        target_kind: str,
        year: int,
        item: str,
        points: Decimal,
        basis: str,
        earned_on: date,
        document_dated: date,
        evidence: list[dict[str, str]],
        filed_on: date,
        late: bool,
        carried_over: bool,
        actor: dict[str, Any],
    ) -> None:
        self.target = target
        self.basis_ref = basis_ref
        self.year = year
        self.points = points
        self.status = ClaimStatus.FILED.value

    def _check_pending(self) -> None:
        if self.status != ClaimStatus.FILED.value:
            raise ClaimAlreadyDecided(claim=f"{self.target}:{self.basis_ref}", claim_status=self.status)

    def approve(self, reason: str, actor: dict[str, Any]) -> None:
        self._check_pending()
        self._approved(reason=reason, actor=actor)

    @event("Approved")
    def _approved(self, reason: str, actor: dict[str, Any]) -> None:
        self.status = ClaimStatus.APPROVED.value

    def reject(self, reason: str, actor: dict[str, Any]) -> None:
        self._check_pending()
        if not reason.strip():
            raise InvalidInput("a rejection needs its reason", "不予核准须说明理由", field="reason")
        self._rejected(reason=reason, actor=actor)

    @event("Rejected")
    def _rejected(self, reason: str, actor: dict[str, Any]) -> None:
        self.status = ClaimStatus.REJECTED.value
