"""Read endpoints (查询). They read projections only (`projections.queries`); what each may be
read by is declared with `api.policy.reads`, what each returns with `response_model` (api/schemas),
and a read whose path names a record that must exist with `responses=NOT_FOUND`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query

from api.routing import routes
from api.deps import ActorDep, ServiceDep, ViewDep
from api.policy import BUREAU, OVERSIGHT, SIGNED_IN, Entry, Ledger, Members, Person, Sheet, TargetIn, Unit, reads
from api.schemas import NOT_FOUND, EntryDetail, Me, PersonDetail, PersonRow, Plan, Refusal, ScoringLedger, SheetDetail, SheetRow, Stats, UnitDetail, UnitRow

router = routes(["queries 查询"])

Limit = Annotated[int, Query(ge=1, le=500)]
# Bounded so a huge number is a 422, not an integer overflow in the database driver (a 500).
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]
Year = Annotated[int, Query(ge=2000, le=2100)]


@router.get("/units", summary="单位列表", response_model=list[UnitRow], dependencies=[Depends(reads(BUREAU))])
def units(view: ViewDep, kind: str | None = None) -> list[dict[str, Any]]:
    return view.queries.units(kind)


@router.get("/units/{code}", summary="单位详情（负责人、人员）", response_model=UnitDetail, responses=NOT_FOUND, dependencies=[Depends(reads(Unit("code")))])
def unit(code: str, view: ViewDep) -> dict[str, Any]:
    return view.queries.unit(code)


@router.get("/persons", summary="人员名册", response_model=list[PersonRow], dependencies=[Depends(reads(Unit("unit"), OVERSIGHT))])
def persons(view: ViewDep, unit: str | None = None, limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    return view.queries.persons(unit, limit, offset)


@router.get("/persons/{code}", summary="人员详情（含年龄类别）", response_model=PersonDetail, responses=NOT_FOUND, dependencies=[Depends(reads(Person("code")))])
def person(code: str, view: ViewDep, year: Year | None = None) -> dict[str, Any]:
    return view.queries.person(code, year)


@router.get("/plans/{year}", summary="年度考核方案（参数、考核期、细则、考核组）", response_model=Plan, responses=NOT_FOUND, dependencies=[Depends(reads(BUREAU))])
def plan(year: Annotated[int, Path(ge=2000, le=2100)], view: ViewDep) -> dict[str, Any]:
    return view.queries.plan(year)


# A target's sheets (within `unit` when given); without a target, every sheet of the unit, its staff's
# monthly sheets included, so a unit head may and a member of staff may not (staff ask target=<unit>).
@router.get("/sheets", summary="考核表及实时得分", response_model=list[SheetRow], dependencies=[Depends(reads(TargetIn("target", unit="unit"), Members("unit"), OVERSIGHT))])
def sheets(
    view: ViewDep,
    period: str | None = None,
    track: str | None = None,
    unit: str | None = None,
    target: str | None = None,
    year: Year | None = None,
    status: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    return view.queries.sheets(period=period, track=track, unit=unit, target=target, year=year, status=status, limit=limit, offset=offset)


@router.get("/sheets/{code}", summary="考核表详情（含全部扣分记录）", response_model=SheetDetail, responses=NOT_FOUND, dependencies=[Depends(reads(Sheet("code")))])
def sheet(code: str, view: ViewDep) -> dict[str, Any]:
    return view.queries.sheet(code)


@router.get("/entries/{entry_id}", summary="扣分记录（含连带扣分）", response_model=EntryDetail, responses=NOT_FOUND, dependencies=[Depends(reads(Entry("entry_id")))])
def entry(entry_id: str, view: ViewDep) -> dict[str, Any]:
    return view.queries.entry(entry_id)


@router.get(
    "/ledgers/{target}", summary="评分登记表：单位或人员全年的考核表与扣分记录（扣分记录分页）",
    response_model=ScoringLedger, responses=NOT_FOUND, dependencies=[Depends(reads(Ledger("target")))],
)  # fmt: skip
def ledger(target: str, view: ViewDep, service: ServiceDep, year: Year | None = None, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    return view.queries.ledger(target, year or service.clock.today().year, limit=limit, offset=offset)


@router.get("/me", summary="当前用户", response_model=Me, dependencies=[Depends(reads(SIGNED_IN))])
def me(actor: ActorDep, service: ServiceDep) -> dict[str, Any]:
    return {
        "user_id": actor.user_id, "role": actor.role.value, "person": actor.person,
        "bureau_name": service.settings.bureau_name, "today": service.clock.today().isoformat(),
    }  # fmt: skip


@router.get("/stats", summary="台账概况（事件数、投影位置）", response_model=Stats, dependencies=[Depends(reads(BUREAU))])
def stats(view: ViewDep) -> dict[str, Any]:
    return view.queries.summary()


@router.get("/refusals", summary="被拒绝指令日志", response_model=list[Refusal], dependencies=[Depends(reads(OVERSIGHT))])
def refusals(view: ViewDep, limit: Limit = 100) -> list[dict[str, Any]]:
    return view.queries.refusals(limit)
