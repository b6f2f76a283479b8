"""The audit log for the security auditor (安全审计员): query with filters, and export as CSV.
Nobody else reads it, and the auditor reads nothing else (`api.policy.AUDITOR`, `BUREAU`)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timezone
from enum import Enum
from typing import Annotated, Any, Iterator

from fastapi import Depends, Query
from fastapi.responses import StreamingResponse

from api.routing import routes
from api.deps import BEIJING, ViewDep
from api.policy import AUDITOR, reads
from api.schemas.audit import AuditEntry
from ledger.domain.errors import InvalidInput

router = routes(["audit 安全审计"])

CSV_ROWS_MAX = 100_000  # one export; narrow the time range for more
CSV_COLUMNS = (
    ("at_beijing", "时间（北京时间）"), ("user_id", "用户"), ("role", "角色"), ("client", "客户端地址"), ("action", "操作"),
    ("target", "对象"), ("outcome", "结果"), ("code", "代码"), ("position", "日志位置"),
)  # fmt: skip


class Outcome(str, Enum):
    accepted = "accepted"  # 成功
    refused = "refused"  # 被拒绝
    read = "read"  # 查看


Moment = Annotated[str | None, Query(max_length=40, description="a date (Beijing; `until` means the end of that day) or an ISO moment")]


def _utc(text: str | None, end_of_day: bool) -> str | None:
    if text is None or not text.strip():
        return None
    value = text.strip()
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), time.max if end_of_day else time.min, BEIJING)
        else:
            moment = datetime.fromisoformat(value)
            moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=BEIJING)
    except ValueError:
        raise InvalidInput(f"not a date or an ISO moment: {value!r}", f"时间格式无效：{value!r}", field="since/until") from None
    return moment.astimezone(timezone.utc).isoformat()


def _cell(value: Any) -> Any:
    """A CSV cell Excel shows as text: a value starting like a formula (a login name typed as
    `=HYPERLINK(…)` at sign-in is recorded as typed) is prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _with_beijing(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "at_beijing": datetime.fromisoformat(row["at"]).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")}


@router.get("/audit", summary="安全审计日志（按用户、操作、结果、时间筛选）", response_model=list[AuditEntry], dependencies=[Depends(reads(AUDITOR))])
def audit_log(
    view: ViewDep,
    user: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=100, description="a prefix: command: or read: or a whole action")] = None,
    outcome: Outcome | None = None,
    since: Moment = None,
    until: Moment = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[dict[str, Any]]:
    rows = view.queries.audit_log(user, action, None if outcome is None else outcome.value, _utc(since, False), _utc(until, True), limit, offset)
    return [_with_beijing(r) for r in rows]


@router.get(
    "/audit.csv",
    summary="导出安全审计日志（CSV，Excel 可直接打开）",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 with a byte-order mark, one record a row, newest first"}},
    dependencies=[Depends(reads(AUDITOR))],
)
def audit_csv(
    view: ViewDep,
    user: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    outcome: Outcome | None = None,
    since: Moment = None,
    until: Moment = None,
) -> StreamingResponse:
    filters = (user, action, None if outcome is None else outcome.value, _utc(since, False), _utc(until, True))

    def lines() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([title for _, title in CSV_COLUMNS])
        yield ("\ufeff" + buffer.getvalue()).encode()
        for offset in range(0, CSV_ROWS_MAX, 500):
            rows = view.queries.audit_log(*filters, limit=500, offset=offset)
            buffer.seek(0)
            buffer.truncate()
            for row in rows:
                row = _with_beijing(row)
                writer.writerow([_cell(row[key]) for key, _ in CSV_COLUMNS])
            yield buffer.getvalue().encode()
            if len(rows) < 500:
                return

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
