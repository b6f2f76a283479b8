"""One POST endpoint per command. Each parses the body into the command, runs it as the
authenticated actor, and returns the result; all rules are in `ledger/`."""

# No `from __future__ import annotations` here: FastAPI must see each endpoint's command class itself.

import hashlib
from typing import Annotated, Any, Callable

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from api.body import StrictJSONRoute
from api.deps import ActorDep, ServiceDep
from api.policy import COMMAND, reads
from api.schemas import CommandResult
from ledger.application import commands as c

# Bodies read strictly: a key named twice is refused (api/body.py).
router = APIRouter(tags=["commands 指令"], route_class=StrictJSONRoute)

# path -> (command, summary in Chinese)
ROUTES: dict[str, tuple[type[c.Command], str]] = {
    "/units": (c.RegisterUnit, "登记单位"),
    "/units/heads": (c.AppointHead, "任命单位主要负责人"),
    "/persons": (c.EnrolPerson, "人员入册"),
    "/persons/transfers": (c.TransferPerson, "人员调动"),
    "/persons/positions": (c.ChangePosition, "职务层次/职级变更"),
    "/persons/authority": (c.SetAuthority, "干部管理权限范围"),
    "/persons/departures": (c.RecordDeparture, "人员离册"),
    "/plans": (c.PlanYear, "建立年度考核方案"),
    "/plans/policy-changes": (c.ChangePolicy, "调整考核方案参数（领导小组）"),
    "/periods": (c.OpenPeriod, "开启考核期"),
    "/sheets": (c.OpenSheet, "开设单张考核表"),
    "/sheets/submissions": (c.SubmitSheet, "报送考核表"),
    "/sheets/publications": (c.PublishSheet, "公布考核表"),
    "/sheets/reopenings": (c.ReopenSheet, "重新开启考核表（领导小组）"),
    "/deductions": (c.RecordDeduction, "登记扣分"),
    "/missed-deductions": (c.RecordMissedDeduction, "应扣未扣认定"),
    "/reversals": (c.ReverseEntry, "撤销扣分（领导小组）"),
    "/amendments": (c.AmendEntry, "更正扣分（领导小组）"),
    "/bonus-items": (c.DefineBonusItem, "设定年度考核加分项目"),
    "/bonus-claims": (c.FileBonusClaim, "加分申报"),
    "/bonus-claims/approvals": (c.ApproveBonusClaim, "核准加分申报"),
    "/bonus-claims/rejections": (c.RejectBonusClaim, "不予核准加分申报"),
    "/vetoes": (c.ImposeVeto, "一票否决（领导小组）"),
    "/vetoes/lifts": (c.LiftVeto, "解除一票否决（领导小组）"),
    "/evaluations/democratic": (c.RecordDemocraticRate, "登记民主测评得分率"),
    "/evaluations/grassroots": (c.RecordGrassrootsRate, "登记基层测评得分率"),
    "/evaluations/comprehensive": (c.RecordComprehensiveGrade, "局党组综合评定（56周岁/女51周岁以上人员）"),
    "/exemptions": (c.ApproveExemption, "批准免于日常考核（局党组）"),
    "/target-bonus": (c.SetTargetBonus, "设定目标考评奖基数及每分金额（局党组）"),
    "/bulletins": (c.PublishBulletin, "发布工作绩效管理简报（附事件日志摘要）"),
    "/disputes": (c.FileDispute, "提出申诉（被扣分人员或单位主要负责人）"),
    "/disputes/reviews": (c.ReviewDispute, "监察室审查申诉并提出意见"),
    "/disputes/decisions": (c.DecideDispute, "领导小组对申诉作出决定（维持/撤销/更正）"),
    "/calendar/days": (c.DeclareCalendarDays, "登记本地工作日/节假日例外"),
    "/record-forms": (c.FileRecordForms, "报备季度月绩效考核备案表"),
}

IDEMPOTENCY_KEY_MAX = 200


def _endpoint(command_type: type[c.Command]) -> Callable[..., Any]:
    def endpoint(
        request: Request,
        command: command_type,  # type: ignore[valid-type]  # the body
        actor: ActorDep,
        service: ServiceDep,
        idempotency_key: Annotated[str | None, Header(max_length=IDEMPOTENCY_KEY_MAX)] = None,
    ) -> dict[str, Any]:
        idempotency = None
        if idempotency_key:
            # The same key with a different command is refused (IDEMPOTENCY_KEY_REUSED).
            fingerprint = hashlib.sha256(request.url.path.encode() + b"\n" + command.model_dump_json().encode()).hexdigest()
            idempotency = (idempotency_key, actor.user_id, fingerprint)
        return service.ledger.execute(actor, command, idempotency, client=request.client.host if request.client else None)

    endpoint.__name__ = command_type.__name__
    return endpoint


for _path, (_command, _summary) in ROUTES.items():
    router.add_api_route(
        _path,
        _endpoint(_command),
        methods=["POST"],
        summary=f"{_summary} ({_command.__name__})",
        description=(_command.__doc__ or "") + f"\n\nRoles 角色: {', '.join(sorted(r.value for r in _command.roles))}",
        status_code=201,
        response_model=CommandResult,  # each command's own facts, and `position` (api/schemas/commands.py)
        dependencies=[Depends(reads(COMMAND))],  # the ledger checks the command's roles (R-ORG-4)
    )


class SheetBatch(BaseModel):
    """Sheets to submit or publish together: all or none (R-SHEET-3)."""

    model_config = {"extra": "forbid"}
    sheets: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(min_length=1, max_length=500)


class BatchResult(BaseModel):
    sheets: list[str]
    position: int = Field(description="the log position once the batch was written")


def _batch_endpoint(command_type: type[c.SubmitSheet] | type[c.PublishSheet]) -> Callable[..., Any]:
    def endpoint(body: SheetBatch, actor: ActorDep, service: ServiceDep) -> dict[str, Any]:
        service.ledger.execute_batch([(actor, command_type(sheet=sheet)) for sheet in body.sheets])
        return {"sheets": body.sheets, "position": service.queries.projection_position()}

    endpoint.__name__ = f"{command_type.__name__}Batch"
    return endpoint


for _path, _command, _summary in (
    ("/sheets/submissions/batch", c.SubmitSheet, "批量报送考核表（全部成功或全部不报送）"),
    ("/sheets/publications/batch", c.PublishSheet, "批量公布考核表（全部成功或全部不公布）"),
):
    router.add_api_route(
        _path, _batch_endpoint(_command), methods=["POST"], summary=_summary, status_code=201, response_model=BatchResult,
        description=f"Every sheet's {_command.__name__} in one transaction: the first refusal refuses the batch and nothing is written.",
        dependencies=[Depends(reads(COMMAND))],
    )  # fmt: skip
