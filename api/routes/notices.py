"""Public notice (公示) of results and their confirmation (确认): the published list, read by
everyone in the bureau (and printed: GET /documents/public-notices/{scope}), and what changed
since, read by the oversight roles. The commands
(POST /notices, /notices/confirmations) are in api/routes/commands.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Response

from api.routing import routes
from api.deps import ServiceDep, ViewDep
from api.documents import download as dl
from api.documents.public_notice import public_notice
from api.routes.documents import answer
from api.policy import BUREAU, OVERSIGHT, reads
from api.schemas import NOT_FOUND, Notice, NoticeBoard as NoticeBoardOut, NoticeChanges
from projections.notice_board import NoticeBoard

router = routes(["notices 公示与确认"])

Scope = Annotated[str, Path(max_length=7, description="a year (2026: annual results) or a month (2026-03)")]


@router.get("/notices", summary="考核结果公示列表（年度、月度）", response_model=list[Notice], dependencies=[Depends(reads(BUREAU))])
def notices(view: ViewDep, year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[dict[str, Any]]:
    board = NoticeBoard(view.queries, view.annual)
    return [board.notice(n["scope"]) for n in view.queries.notices(year)]


@router.get("/notices/{scope}", summary="公示名单：单位得分与结果、人员等次（不含奖金）", response_model=NoticeBoardOut, responses=NOT_FOUND, dependencies=[Depends(reads(BUREAU))])
def board(scope: Scope, view: ViewDep) -> dict[str, Any]:
    return NoticeBoard(view.queries, view.annual).board(scope)


@router.get("/notices/{scope}/changes", summary="确认（公示）后变更的考核结果：原数与现数", response_model=NoticeChanges, responses=NOT_FOUND, dependencies=[Depends(reads(OVERSIGHT))])
def changes(scope: Scope, view: ViewDep) -> dict[str, Any]:
    return NoticeBoard(view.queries, view.annual).changes(scope)


@router.get(
    "/documents/public-notices/{scope}",
    summary="下载考核结果公示（PDF 打印 / Excel）",
    response_class=Response,
    responses={**dl.responses("pdf", "xlsx"), **NOT_FOUND},
    dependencies=[Depends(reads(BUREAU))],
)
def printable(scope: Scope, view: ViewDep, service: ServiceDep, format: Annotated[Literal["pdf", "xlsx"], Query(description="pdf (default) or xlsx")] = "pdf") -> Response:
    board = NoticeBoard(view.queries, view.annual).board(scope)
    document = public_notice(view, board, service.clock.today())
    return answer(document, format, view, service.settings.bureau_name)
