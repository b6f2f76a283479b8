"""documents 公文与报表: the office's forms as Excel workbooks (or PDF), made from the projections
(`api.documents.forms`), read as of a past moment with `?as_of=` like every other read.

Each route reads what its JSON counterpart reads, under the same rule (`api.policy.reads`):

    /documents/ledgers/{target}                 as /ledgers/{target}
    /documents/record-forms/{unit}/{quarter}    as /sheets?unit= (every member's monthly sheets)
    /documents/notices/{period}                 OVERSIGHT, as /sheets (every unit's, every person's)
    /documents/results/{year}                   OVERSIGHT, as /results/{year}
    /documents/payouts/{year}                   OVERSIGHT, as /results/{year}
    /documents/audit-log                        AUDITOR, as /audit
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Response

from api.routing import routes
from api.deps import ActorDep, ServiceDep, ViewDep
from api.documents import download as dl
from api.documents import forms, xlsx
from api.documents.model import Document
from api.policy import AUDITOR, OVERSIGHT, Ledger, Members, reads
from api.routes.audit import Moment, Outcome, _utc as utc_moment
from api.schemas import NOT_FOUND
from api.schemas.openapi import problem_response
from api.service import View
from ledger.domain.access import may_read_unit_members
from ledger.domain.errors import InvalidInput

router = routes(["documents 公文与报表"])

Format = Annotated[Literal["xlsx", "pdf"], Query(description="xlsx (Excel, default) or pdf")]
YearPath = Annotated[int, Path(ge=2000, le=2100)]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]
PERIOD_PATTERN = r"^(20\d\d|2100)-(Q[1-4]|H[12]|0[1-9]|1[0-2])$"
QUARTER = re.compile(r"^(20\d\d|2100)-Q[1-4]$")
# A server without pango or a Chinese font answers a PDF with 503 PDF_UNAVAILABLE (api/documents/pdf.py).
FILE = {**dl.responses("xlsx", "pdf"), 503: problem_response("format=pdf only: the server cannot typeset a PDF (PDF_UNAVAILABLE)")}
FILE_OR_NOT_FOUND = {**FILE, **NOT_FOUND}


def answer(document: Document, format: str, view: View, bureau: str) -> Response:
    """The document as a download; as of a past moment, with the position read (X-As-Of-Position,
    which the view's dependency set on a response this route does not return)."""
    document = forms.letterhead(document, bureau)
    if format == "pdf":
        from api.documents import pdf  # written alongside; imported only when a PDF is asked for

        content = pdf.render_document(document)
    else:
        content = xlsx.render(document)
    return dl.download(content, document.filename, format, as_of=view.as_of)


@router.get(
    "/documents/ledgers/{target}",
    summary="下载评分登记表（Excel / PDF）：单位或人员全年的考核表与扣分记录",
    response_class=Response,
    responses=FILE_OR_NOT_FOUND,
    dependencies=[Depends(reads(Ledger("target")))],
)
def ledger(target: str, view: ViewDep, service: ServiceDep, actor: ActorDep, year: YearQuery = None, format: Format = "xlsx") -> Response:
    """A person's: each month and each entry. A unit's: its sheets and entries, and its staff's
    monthly scores for a reader who may read every member's records (its head, the oversight
    roles); the unit's staff and its assessors get the unit's own records only."""
    today = service.clock.today()
    year = year or today.year
    if view.queries.has_unit(target):
        headed = frozenset() if actor.person is None else service.queries.units_headed_by(actor.person)
        staff = may_read_unit_members(actor, target, headed)
        document = forms.unit_ledger(view, target, year, today, staff=staff)
    else:
        document = forms.person_ledger(view, target, year, today)
    return answer(document, format, view, service.settings.bureau_name)


@router.get(
    "/documents/record-forms/{unit}/{quarter}",
    summary="下载月绩效考核备案表（Excel / PDF）：单位人员一个季度的月度得分及报备情况",
    response_class=Response,
    responses=FILE_OR_NOT_FOUND,
    dependencies=[Depends(reads(Members("unit")))],
)
def record_form(
    unit: str,
    quarter: Annotated[str, Path(max_length=7, description="a quarter, e.g. 2026-Q1")],
    view: ViewDep,
    service: ServiceDep,
    format: Format = "xlsx",
) -> Response:
    view.queries.unit(unit)  # UNIT_NOT_FOUND first: a path naming no unit is a 404 whatever the quarter
    if not QUARTER.match(quarter):
        raise InvalidInput(f"not a quarter: {quarter!r}", f"季度格式无效：{quarter!r}（例如 2026-Q1）", field="quarter")
    return answer(forms.record_form(view, unit, quarter, service.clock.today()), format, view, service.settings.bureau_name)


@router.get(
    "/documents/notices/{period}",
    summary="下载考核情况通报（Excel / PDF）：季度、半年各单位得分，或月度各人员得分",
    response_class=Response,
    responses=FILE,
    dependencies=[Depends(reads(OVERSIGHT))],
)
def notice(
    period: Annotated[str, Path(pattern=PERIOD_PATTERN, description="2026-Q1, 2026-H1 (units) or 2026-03 (persons)")],
    view: ViewDep,
    service: ServiceDep,
    format: Format = "xlsx",
) -> Response:
    return answer(forms.notice(view, period, service.clock.today()), format, view, service.settings.bureau_name)


@router.get(
    "/documents/results/{year}",
    summary="下载年度考核结果汇总表（Excel / PDF）：单位、人员、各层级优秀名额",
    response_class=Response,
    responses=FILE_OR_NOT_FOUND,
    dependencies=[Depends(reads(OVERSIGHT))],
)
def annual_summary(year: YearPath, view: ViewDep, service: ServiceDep, format: Format = "xlsx") -> Response:
    return answer(forms.annual_summary(view, year, service.clock.today()), format, view, service.settings.bureau_name)


@router.get(
    "/documents/payouts/{year}",
    summary="下载目标考评奖发放表（Excel / PDF）",
    response_class=Response,
    responses=FILE_OR_NOT_FOUND,
    dependencies=[Depends(reads(OVERSIGHT))],
)
def payouts(year: YearPath, view: ViewDep, service: ServiceDep, format: Format = "xlsx") -> Response:
    return answer(forms.payouts(view, year, service.clock.today()), format, view, service.settings.bureau_name)


@router.get(
    "/documents/audit-log",
    summary="下载安全审计日志（Excel / PDF；按用户、操作、结果、时间筛选）",
    response_class=Response,
    responses=FILE,
    dependencies=[Depends(reads(AUDITOR))],
)
def audit_log(
    view: ViewDep,
    service: ServiceDep,
    user: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=100, description="a prefix: command: or read: or a whole action")] = None,
    outcome: Outcome | None = None,
    since: Moment = None,
    until: Moment = None,
    format: Format = "xlsx",
) -> Response:
    document = forms.audit_log(
        view, service.clock.today(), user=user, action=action, outcome=None if outcome is None else outcome.value,
        since=utc_moment(since, False), until=utc_moment(until, True), most=forms.AUDIT_PDF_ROWS_MAX if format == "pdf" else forms.AUDIT_ROWS_MAX,
    )  # fmt: skip
    return answer(document, format, view, service.settings.bureau_name)
