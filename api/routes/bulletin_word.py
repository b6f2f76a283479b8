"""bulletins 简报（Word）: a published bulletin as the red-header Word document the office prints
(api/documents/bulletin.py), with the log position and digest at its foot (R-AUDIT-1)."""

from __future__ import annotations

from fastapi import Depends, Response

from api.routing import routes
from api.deps import ServiceDep, ViewDep
from api.documents.bulletin import render_bulletin
from api.documents.download import download, responses
from api.policy import BUREAU, reads
from api.schemas import NOT_FOUND

router = routes(["bulletins 简报（Word）"])


@router.get(
    "/documents/bulletins/{number}",
    summary="一期工作绩效管理简报（Word，红头格式，附事件日志摘要）(R-AUDIT-1)",
    description="The bulletin as .docx: the same bulletin, rule and 404 as GET /bulletins/{number}; its foot prints"
    " `jixiao verify --expect POSITION:DIGEST`.",
    response_class=Response,
    responses={**responses("docx"), **NOT_FOUND},
    dependencies=[Depends(reads(BUREAU))],
)
def bulletin_docx(number: str, view: ViewDep, service: ServiceDep) -> Response:
    content, filename = render_bulletin(view, number, service.settings.bureau_name, service.clock.today())
    return download(content, filename, "docx", as_of=view.as_of)
