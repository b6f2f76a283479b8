"""One POST endpoint per command. Each parses the body into the command, runs it as the
authenticated actor, and returns the result; all rules are in `ledger/`."""

# No `from __future__ import annotations` here: FastAPI must see each endpoint's command class itself.

import hashlib
from typing import Annotated, Any, Callable

from fastapi import Depends, Header, Request
from pydantic import BaseModel, Field

from api.routing import routes
from api.body import StrictJSONRoute
from api.deps import ActorDep, ServiceDep
from api.policy import COMMAND, reads
from api.schemas import CommandResult
from ledger.application import commands as c

# Bodies read strictly: a key named twice is refused (api/body.py).
router = routes(["commands 指令"], route_class=StrictJSONRoute)

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
    "/notices": (c.PublishNotice, "发布考核结果公示（年度或月度，公示期按工作日计）"),
    "/notices/confirmations": (c.ConfirmResults, "确认考核结果（公示期满且异议处理完毕，领导小组）"),
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
    sheets: list[str] = Field(default_factory=list, description="the sheets (a batch of sheets)")
    items: int = Field(description="how many commands the batch ran")
    position: int = Field(description="the log position once the batch was written")


def _run_batch(service: ServiceDep, actor: ActorDep, commands: list[c.Command], **facts: Any) -> dict[str, Any]:
    """One transaction: every item is checked, and one BATCH_REFUSED lists every refused item
    (its index in the batch, code and message); nothing is written then."""
    service.ledger.execute_batch([(actor, command) for command in commands], every_problem=True)
    return {**facts, "items": len(commands), "position": service.queries.projection_position()}


def _sheet_batch(command_type: type[c.SubmitSheet] | type[c.PublishSheet]) -> Callable[..., Any]:
    def endpoint(body: SheetBatch, actor: ActorDep, service: ServiceDep) -> dict[str, Any]:
        return _run_batch(service, actor, [command_type(sheet=sheet) for sheet in body.sheets], sheets=body.sheets)

    endpoint.__name__ = f"{command_type.__name__}Batch"
    return endpoint


class ClaimApprovals(BaseModel):
    """Bonus claims to approve together (批量核准加分申报)."""

    model_config = {"extra": "forbid"}
    claims: list[c.ApproveBonusClaim] = Field(min_length=1, max_length=500)


class RecordFormFilings(BaseModel):
    """Units whose record forms are filed together for one quarter (批量报备月绩效考核备案表)."""

    model_config = {"extra": "forbid"}
    quarter: str = Field(min_length=7, max_length=7, pattern=r"^\d{4}-Q[1-4]$")
    units: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(min_length=1, max_length=500)


def approve_claims_batch(body: ClaimApprovals, actor: ActorDep, service: ServiceDep) -> dict[str, Any]:
    return _run_batch(service, actor, list(body.claims))


def file_record_forms_batch(body: RecordFormFilings, actor: ActorDep, service: ServiceDep) -> dict[str, Any]:
    return _run_batch(service, actor, [c.FileRecordForms(unit=unit, quarter=body.quarter) for unit in body.units])


for _path, _endpoint_fn, _summary in (
    ("/sheets/submissions/batch", _sheet_batch(c.SubmitSheet), "批量报送考核表（全部成功或全部不报送）"),
    ("/sheets/publications/batch", _sheet_batch(c.PublishSheet), "批量公布考核表（全部成功或全部不公布）"),
    ("/bonus-claims/approvals/batch", approve_claims_batch, "批量核准加分申报（全部成功或全部不核准）"),
    ("/record-forms/batch", file_record_forms_batch, "批量报备月绩效考核备案表（全部成功或全部不报备）"),
):
    router.add_api_route(
        _path, _endpoint_fn, methods=["POST"], summary=_summary, status_code=201, response_model=BatchResult,
        description="Every item in one transaction: every item is checked, and when any is refused one BATCH_REFUSED"
        " problem lists every refused item (`problems`: index, command, code, detail_zh) and nothing is written.",
        dependencies=[Depends(reads(COMMAND))],
    )  # fmt: skip
