"""Veto items (一票否决), R-VETO-1/2.

Recorded and lifted only by the leading group. A vetoed unit does not meet the standard
whatever its score; the unit, its head and the named persons are barred from every year-end
award and from the excellent grade (the effect is applied in the annual results).
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import Conflict, InvalidInput
from ledger.domain.roster import NAMESPACE


class VetoKind(str, Enum):
    """The six veto items of R-VETO-1."""

    SAFETY_ACCIDENT = "safety_accident"  # 安全管理出现重大事故，受到过错责任追究
    CADRE_DISCIPLINE = "cadre_discipline"  # 干部管理出现重大问题，受到党纪政纪处分
    UNLAWFUL_ACT = "unlawful_act"  # 具体行政行为被撤销、终审败诉或被确认为违法
    FINANCIAL_DISCIPLINE = "financial_discipline"  # 收费、罚没、支出违反财经纪律并受处分
    SERIOUS_DERELICTION = "serious_dereliction"  # 综治、计生、信访、突发事件严重失职被上级通报
    DUTY_ERROR_CRITICISED = "duty_error_criticised"  # 履职失误被上级通报批评或媒体曝光


VETO_KIND_ZH = {
    VetoKind.SAFETY_ACCIDENT: "安全管理出现重大事故，受到过错责任追究",
    VetoKind.CADRE_DISCIPLINE: "干部管理出现重大问题，受到党纪政纪处分",
    VetoKind.UNLAWFUL_ACT: "具体行政行为因行政复议被撤销、因行政诉讼终审败诉或在执法检查、信访检查中被确认为违法",
    VetoKind.FINANCIAL_DISCIPLINE: "收费、罚没、支出管理行为违反财经纪律，造成恶劣影响，受到党纪政纪处分",
    VetoKind.SERIOUS_DERELICTION: "社会治安综合治理、计划生育、处理上访、处理突发事件等工作出现严重失职被上级通报",
    VetoKind.DUTY_ERROR_CRITICISED: "因履职工作失误被上级通报批评或被媒体曝光造成恶劣影响",
}


class VetoAlreadyLifted(Conflict):
    code = "VETO_ALREADY_LIFTED"
    message_zh = "该否决事项已解除"
    message_en = "The veto has already been lifted"


def veto_id(code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"veto:{code}")


class Veto(Aggregate):
    """One veto against a unit for a year (一票否决事项)."""

    @classmethod
    def create_id(cls, code: str, **_: Any) -> uuid.UUID:
        return veto_id(code)

    @event("Imposed")
    def __init__(
        self,
        code: str,
        year: int,
        unit: str,
        kind: str,
        head: str,
        persons: list[str],
        occurred_on: date,
        reason: str,
        decision_ref: str,
        actor: dict[str, Any],
    ) -> None:
        self.code = code
        self.year = year
        self.unit = unit
        self.lifted = False

    def lift(self, reason: str, decision_ref: str, actor: dict[str, Any]) -> None:
        """R-VETO-1: only the leading group lifts a veto, with a reason (e.g. a superior's exemption)."""
        if self.lifted:
            raise VetoAlreadyLifted(veto=self.code)
        if not reason.strip() or not decision_ref.strip():
            raise InvalidInput("a reason and the decision's reference are required", "须填写理由及决定文号", field="reason")
        self._lifted(reason=reason, decision_ref=decision_ref, actor=actor)

    @event("Lifted")
    def _lifted(self, reason: str, decision_ref: str, actor: dict[str, Any]) -> None:
        self.lifted = True
