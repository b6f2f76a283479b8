"""Read endpoints (查询). They read projections only (`projections.queries`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import ActorDep, ServiceDep, ViewDep, check_read
from ledger.domain.access import READ_EVERYTHING
from ledger.domain.errors import Forbidden, PersonNotFound

router = APIRouter(tags=["queries 查询"])

Limit = Annotated[int, Query(ge=1, le=500)]
# Bounded so a huge number is a 422, not an integer overflow in the database driver (a 500).
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]
Year = Annotated[int, Query(ge=2000, le=2100)]
ANY_TARGET = "*"  # no unit or person has this code


def oversight_only(actor: Any) -> None:
    """Lists across targets are for the office, oversight roles and auditors (R-ORG-4)."""
    if actor.role not in READ_EVERYTHING:
        raise Forbidden("this list is for the office and oversight roles", "该列表仅供考核办公室及监督角色查看")


@router.get("/units", summary="单位列表")
def units(actor: ActorDep, view: ViewDep, service: ServiceDep, kind: str | None = None) -> list[dict[str, Any]]:
    return view.queries.units(kind)


@router.get("/units/{code}", summary="单位详情（负责人、人员）")
def unit(code: str, actor: ActorDep, view: ViewDep, service: ServiceDep) -> dict[str, Any]:
    check_read(service, actor, code, code)
    return view.queries.unit(code)


@router.get("/persons", summary="人员名册")
def persons(actor: ActorDep, view: ViewDep, service: ServiceDep, unit: str | None = None, limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    if unit is None:
        oversight_only(actor)
    else:
        check_read(service, actor, unit, unit)
    return view.queries.persons(unit, limit, offset)


@router.get("/persons/{code}", summary="人员详情（含年龄类别）")
def person(code: str, actor: ActorDep, view: ViewDep, service: ServiceDep, year: Year | None = None) -> dict[str, Any]:
    row = view.queries.person(code, year)
    check_read(service, actor, code, row["unit"])
    return row


@router.get("/plans/{year}", summary="年度考核方案（参数、考核期、细则、考核组）")
def plan(year: Annotated[int, Path(ge=2000, le=2100)], actor: ActorDep, view: ViewDep, service: ServiceDep) -> dict[str, Any]:
    return view.queries.plan(year)


@router.get("/sheets", summary="考核表及实时得分")
def sheets(
    actor: ActorDep, view: ViewDep,
    service: ServiceDep,
    period: str | None = None,
    track: str | None = None,
    unit: str | None = None,
    target: str | None = None,
    year: Year | None = None,
    status: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    if target is not None:
        check_read(service, actor, target, unit)
    elif unit is not None:
        # Every sheet of the unit, its staff's monthly sheets included: read as "any target in the
        # unit", so a unit head may and a member of staff may not (staff ask for target=<unit>).
        check_read(service, actor, ANY_TARGET, unit)
    else:
        oversight_only(actor)
    return view.queries.sheets(period=period, track=track, unit=unit, target=target, year=year, status=status, limit=limit, offset=offset)


@router.get("/sheets/{code}", summary="考核表详情（含全部扣分记录）")
def sheet(code: str, actor: ActorDep, view: ViewDep, service: ServiceDep) -> dict[str, Any]:
    row = view.queries.sheet(code)
    check_read(service, actor, row["target"], row["unit"])
    return row


@router.get("/entries/{entry_id}", summary="扣分记录（含连带扣分）")
def entry(entry_id: str, actor: ActorDep, view: ViewDep, service: ServiceDep) -> dict[str, Any]:
    row = view.queries.entry(entry_id)
    check_read(service, actor, row["target"], row["unit"])
    return row


@router.get("/ledgers/{target}", summary="评分登记表：单位或人员全年的考核表与扣分记录")
def ledger(target: str, actor: ActorDep, view: ViewDep, service: ServiceDep, year: Year | None = None) -> dict[str, Any]:
    book = view.queries.ledger(target, year or service.clock.today().year)
    unit = book["sheets"][0]["unit"] if book["sheets"] else _current_unit(service, target)
    check_read(service, actor, target, unit)
    return book


def _current_unit(service: Any, target: str) -> str | None:
    """The unit of a person, or the unit itself, for a year without sheets (R-Q-1 still applies:
    a unit head reads the empty ledger of the unit's staff, not only the staff themselves)."""
    try:
        return service.queries.person(target)["unit"]
    except PersonNotFound:
        return target


@router.get("/me", summary="当前用户")
def me(actor: ActorDep) -> dict[str, Any]:
    return {"user_id": actor.user_id, "role": actor.role.value, "person": actor.person}


@router.get("/stats", summary="台账概况（事件数、投影位置）")
def stats(actor: ActorDep, view: ViewDep, service: ServiceDep) -> dict[str, Any]:
    return view.queries.summary()


@router.get("/refusals", summary="被拒绝指令日志")
def refusals(actor: ActorDep, view: ViewDep, service: ServiceDep, limit: Limit = 100) -> list[dict[str, Any]]:
    oversight_only(actor)
    return view.queries.refusals(limit)
