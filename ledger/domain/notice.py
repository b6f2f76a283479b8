"""Public notice (公示) and confirmation (确认) of results.

Before results are final the office publishes them for public notice: a year's annual results
(scope "2026") or a month's staff results (scope "2026-03", due by the plan's
`monthly_publish_by_day` of the next month, R-CAL-3). The notice runs from a start date to an end
date at least the plan's number of working days later (`notice_annual_working_days`, 5;
`notice_monthly_working_days`, 3; R-PLAN-2, counted on the working-day calendar, R-CAL-2). During
the notice every member of staff sees the published list, and an objection (异议) is filed as a
dispute on the entry it concerns (R-DISPUTE-1) even when that entry's own window has closed.

After the notice ends and every objection is decided, the leading group confirms (确认) the
results: they are then final. A later correction still works (R-FIX-1); the read side shows it
as changed after confirmation, with the confirmed and the current figure, because both the
notice and the confirmation record the log position their figures stand at.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.domain.calendar import WorkingDays
from ledger.domain.errors import Conflict, InvalidInput, NotFound
from ledger.domain.roster import NAMESPACE

_ANNUAL = re.compile(r"^(\d{4})$")
_MONTHLY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class NoticeKind(str, Enum):
    ANNUAL = "annual"  # 年度考核结果公示
    MONTHLY = "monthly"  # 月度考核结果公示


class NoticeStatus(str, Enum):
    NOTICED = "noticed"  # 公示中 / 公示期满待确认
    CONFIRMED = "confirmed"  # 已确认


POLICY_KEY = {NoticeKind.ANNUAL: "notice_annual_working_days", NoticeKind.MONTHLY: "notice_monthly_working_days"}


def parse_scope(scope: str) -> tuple[NoticeKind, int]:
    """("2026" → annual 2026; "2026-03" → monthly, year 2026)."""
    for pattern, kind in ((_ANNUAL, NoticeKind.ANNUAL), (_MONTHLY, NoticeKind.MONTHLY)):
        m = pattern.match(scope or "")
        if m:
            return kind, int(m.group(1))
    raise InvalidInput(
        f"not a notice scope (a year such as 2026, or a month such as 2026-03): {scope!r}",
        f"公示范围无效（年度如 2026，月度如 2026-03）：{scope!r}",
        field="scope",
    )


def notice_id(scope: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"notice:{scope}")


class NoticeNotFound(NotFound):
    code = "NOTICE_NOT_FOUND"
    message_zh = "尚未发布该范围的公示"
    message_en = "No notice for that scope"


class NoticeTooShort(InvalidInput):
    code = "NOTICE_TOO_SHORT"
    message_zh = "公示期不足规定的工作日数"
    message_en = "The notice is shorter than the required number of working days"


class NoticeStartInPast(InvalidInput):
    code = "NOTICE_START_IN_PAST"
    message_zh = "公示开始日期不能早于今天"
    message_en = "A notice cannot start in the past"


class NoticeNotEnded(Conflict):
    code = "NOTICE_NOT_ENDED"
    message_zh = "公示期尚未结束，不能确认"
    message_en = "The notice has not ended yet"


class ObjectionsPending(Conflict):
    code = "OBJECTIONS_PENDING"
    message_zh = "公示期间提出的异议尚未处理完毕，不能确认"
    message_en = "Objections filed during the notice are not all decided"


class AlreadyConfirmed(Conflict):
    code = "ALREADY_CONFIRMED"
    message_zh = "考核结果已确认"
    message_en = "The results are already confirmed"


def earliest_end(starts_on: date, working_days: int, calendar: WorkingDays) -> tuple[date, bool]:
    """The first allowed end date: the `working_days`-th working day after the start (R-CAL-2)."""
    return calendar.add_working_days(starts_on, working_days)


class ResultsNotice(Aggregate):
    """The public notice of one scope's results, and their confirmation."""

    @classmethod
    def create_id(cls, scope: str, **_: Any) -> uuid.UUID:
        return notice_id(scope)

    @classmethod
    def check(cls, starts_on: date, ends_on: date, today: date, working_days: int, calendar: WorkingDays) -> tuple[date, bool]:
        """The notice's dates, checked before it is published: not starting in the past, and ending
        no earlier than `working_days` working days after it starts. Returns the earliest end."""
        if starts_on < today:
            raise NoticeStartInPast(f"the notice starts on {starts_on}, before today {today}", f"公示开始日期 {starts_on} 早于今天 {today}", field="starts_on", today=today.isoformat())
        first_end, warned = earliest_end(starts_on, working_days, calendar)
        if ends_on < first_end:
            raise NoticeTooShort(
                f"the notice must run at least {working_days} working days: end on {first_end} or later",
                f"公示期不少于 {working_days} 个工作日：结束日期应不早于 {first_end}（{starts_on} 起算）",
                field="ends_on",
                earliest_end=first_end.isoformat(),
                working_days=working_days,
            )
        return first_end, warned

    @event("Published")
    def __init__(
        self,
        scope: str,
        kind: str,
        year: int,
        starts_on: date,
        ends_on: date,
        working_days: int,
        earliest_end: date,
        through_position: int,
        late: bool,
        actor: dict[str, Any],
    ) -> None:
        """`through_position`: the last event before the notice — the published list is the
        results as of that position."""
        self.scope = scope
        self.kind = kind
        self.year = year
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.objections: list[str] = []
        self.status = NoticeStatus.NOTICED.value

    def is_open(self, today: date) -> bool:
        """Whether objections are taken today: from the first to the last day of the notice."""
        return self.status == NoticeStatus.NOTICED.value and self.starts_on <= today <= self.ends_on

    def receive_objection(self, entry_id: str, actor: dict[str, Any]) -> None:
        self._objection_received(scope=self.scope, entry_id=entry_id, actor=actor)

    @event("ObjectionReceived")
    def _objection_received(self, scope: str, entry_id: str, actor: dict[str, Any]) -> None:
        self.objections.append(entry_id)

    def confirm(self, today: date, undecided: list[str], through_position: int, actor: dict[str, Any]) -> None:
        """After the notice ends, with every objection decided: the results are final."""
        if self.status == NoticeStatus.CONFIRMED.value:
            raise AlreadyConfirmed(f"{self.scope} is confirmed", f"{self.scope} 考核结果已确认", scope=self.scope)
        if today <= self.ends_on:
            raise NoticeNotEnded(
                f"the notice of {self.scope} runs until {self.ends_on}", f"{self.scope} 公示期至 {self.ends_on} 结束，期满后方可确认",
                scope=self.scope, ends_on=self.ends_on.isoformat(),
            )  # fmt: skip
        if undecided:
            raise ObjectionsPending(
                f"{len(undecided)} objections are not decided", f"公示期间的 {len(undecided)} 项异议尚未作出决定：{'、'.join(undecided)}",
                scope=self.scope, entries=undecided,
            )  # fmt: skip
        self._confirmed(scope=self.scope, confirmed_on=today, through_position=through_position, actor=actor)

    @event("Confirmed")
    def _confirmed(self, scope: str, confirmed_on: date, through_position: int, actor: dict[str, Any]) -> None:
        self.status = NoticeStatus.CONFIRMED.value
