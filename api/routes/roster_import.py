"""roster import 名册导入: the office keeps the roster (R-ORG-1, R-ORG-2) in an Excel workbook.

`GET /roster/template.xlsx` answers the template (单位, 人员, 负责人), filled with the roster as it
stands unless `filled=false`. `POST /roster/import` (multipart, one `file`) checks every row and
imports the changes in one transaction, all or nothing; `dry_run=true` (预检) checks without
writing. Any problem answers 422 ROSTER_IMPORT_INVALID listing every problem with its sheet, row
and column. The rules are in ledger/application/roster_import.py; the file in
api/documents/roster_xlsx.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, File, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from api.routing import routes
from api.auth import client_of
from api.deps import ActorDep, ServiceDep, ViewDep
from api.documents import roster_xlsx
from api.documents.download import download, responses
from api.policy import COMMAND, OVERSIGHT, reads
from ledger.application.roster_import import RosterFileInvalid, RosterSnapshot, import_roster, require_importer
from ledger.domain.actors import Actor
from projections.queries import Queries

router = routes(["roster import 名册导入"])


def roster_snapshot(queries: Queries) -> RosterSnapshot:
    """The roster as it stands, from the read side: every unit with its heads, every person with
    their assignments."""
    units = [queries.unit(row["code"]) for row in queries.units()]
    return RosterSnapshot.from_rows(units, [queries.person(row["code"]) for row in queries.all_persons()])


@router.get(
    "/roster/template.xlsx", summary="下载名册导入模板（单位、人员、负责人）", response_class=Response, responses=responses("xlsx"),
    dependencies=[Depends(reads(OVERSIGHT))],
)  # fmt: skip
def template(view: ViewDep, service: ServiceDep, filled: Annotated[bool, Query(description="填入现有名册（默认）；false：空白模板")] = True) -> Response:
    """The template; filled with the roster as the view reads it (now, or `as_of` a past moment)."""
    if not filled:
        return download(roster_xlsx.template(None), "名册导入模板", "xlsx")
    content = roster_xlsx.template(roster_snapshot(view.queries))
    if view.as_of is None:
        return download(content, f"名册导入模板-{service.clock.today().isoformat()}", "xlsx")
    return download(content, f"名册导入模板-位置{view.as_of}", "xlsx", as_of=view.as_of)


class RosterChange(BaseModel):
    sheet: str
    row: int
    command: str
    summary_zh: str


class RosterImportResult(BaseModel):
    """What an import changed (or, with `dry_run`, would change): the count of each kind of change,
    the events written, each change with its row, and notes (what the file leaves as it is)."""

    dry_run: bool
    units_registered: int
    persons_enrolled: int
    transfers: int
    positions_changed: int
    authority_changes: int
    departures: int
    heads_appointed: int
    events: int = Field(description="events written (0 for a dry run, or a file that changes nothing)")
    position: int = Field(description="the log position once the import was written")
    changes: list[RosterChange]
    notes: list[str]


def importer(request: Request, actor: ActorDep, service: ServiceDep) -> Actor:
    """R-ORG-4: the office, refused (403, logged) before the upload is read."""
    require_importer(service.ledger, actor, client_of(request))
    return actor


@router.post(
    "/roster/import", summary="导入名册（xlsx；逐行检查，全部成功或全部不导入）", status_code=201, response_model=RosterImportResult,
    responses={200: {"description": "预检（dry_run），或文件与名册一致：未写入", "model": RosterImportResult}},
    dependencies=[Depends(reads(COMMAND))],  # the commands' roles decide (R-ORG-4): the office
)  # fmt: skip
def import_file(
    request: Request,
    response: Response,
    file: Annotated[UploadFile, File(description="the roster workbook (.xlsx), from GET /roster/template.xlsx")],
    actor: Annotated[Actor, Depends(importer)],
    service: ServiceDep,
    dry_run: Annotated[bool, Query(description="预检：检查并列出变更，不写入")] = False,
) -> dict[str, Any]:
    limit = service.settings.attachment_max_bytes
    content = file.file.read(limit + 1)
    if not content:
        raise RosterFileInvalid("the file is empty", "文件为空，不是有效的 Excel（.xlsx）文件", field="file")
    if len(content) > limit:
        raise RosterFileInvalid(f"a roster file is at most {limit} bytes", f"名册文件不能超过 {limit // 1_048_576} MB", field="file")
    sheets = roster_xlsx.read(content)
    result = import_roster(service.ledger, actor, sheets, roster_snapshot(service.queries), dry_run=dry_run, client=client_of(request))
    response.status_code = 201 if result["events"] else 200
    return {**result, "position": service.queries.projection_position()}
