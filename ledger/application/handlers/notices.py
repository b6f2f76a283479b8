"""Public notice (公示) and confirmation (确认) of results: the office publishes, the leading
group confirms once the notice has ended and every objection filed during it is decided."""

from __future__ import annotations

from datetime import date

from ledger.application import commands as c
from ledger.application.unit_of_work import Outcome, UnitOfWork
from ledger.domain.actors import Actor
from ledger.domain.dispute import Dispute, DisputeStatus, dispute_id
from ledger.domain.errors import AlreadyExists
from ledger.domain.notice import POLICY_KEY, NoticeKind, NoticeNotFound, ResultsNotice, notice_id, parse_scope



def notice(uow: UnitOfWork, scope: str) -> ResultsNotice:
    found = uow.find(ResultsNotice, notice_id(scope))
    if found is None:
        raise NoticeNotFound(f"no notice for {scope}", f"{scope} 尚未公示", scope=scope)
    return found


def open_notices(uow: UnitOfWork, year: int, month: str | None) -> list[ResultsNotice]:
    """The notices taking objections today on a record of `year` (and of `month`, a monthly sheet)."""
    scopes = [str(year)] + ([month] if month else [])
    found = (uow.find(ResultsNotice, notice_id(scope)) for scope in scopes)
    return [n for n in found if n is not None and n.is_open(uow.today)]


def publish_notice(uow: UnitOfWork, actor: Actor, cmd: c.PublishNotice) -> Outcome:
    kind, year = parse_scope(cmd.scope)
    plan = uow.plan(year)  # PLAN_NOT_FOUND
    late = False
    if kind is NoticeKind.MONTHLY:
        plan.period(cmd.scope)  # PERIOD_NOT_OPEN: a month that was never assessed has no results
        month = int(cmd.scope[5:])
        publish_by = date(year + month // 12, month % 12 + 1, int(plan.policy_decimal("monthly_publish_by_day")))
        late = cmd.starts_on > publish_by  # R-CAL-3: accepted, and marked late
    if uow.exists(ResultsNotice, notice_id(cmd.scope)):
        raise AlreadyExists(f"{cmd.scope} has been noticed", f"{cmd.scope} 考核结果已发布公示", scope=cmd.scope)
    days = int(plan.policy_decimal(POLICY_KEY[kind]))
    first_end, warned = ResultsNotice.check(cmd.starts_on, cmd.ends_on, uow.today, days, uow.working_days())
    position, _ = uow.chain_head()
    published = ResultsNotice(
        scope=cmd.scope, kind=kind.value, year=year, starts_on=cmd.starts_on, ends_on=cmd.ends_on, working_days=days,
        earliest_end=first_end, through_position=position, late=late, actor=actor.stamp(),
    )  # fmt: skip
    return Outcome(
        published, scope=cmd.scope, starts_on=cmd.starts_on.isoformat(), ends_on=cmd.ends_on.isoformat(), working_days=days,
        earliest_end=first_end.isoformat(), through_position=position, late=late, calendar_warning=warned,
    )  # fmt: skip


def confirm_results(uow: UnitOfWork, actor: Actor, cmd: c.ConfirmResults) -> Outcome:
    parse_scope(cmd.scope)
    noticed = notice(uow, cmd.scope)
    undecided = [e for e in noticed.objections if uow.get(Dispute, dispute_id(e)).status != DisputeStatus.DECIDED.value]
    position, _ = uow.chain_head()
    noticed.confirm(uow.today, undecided, position, actor.stamp())
    return Outcome(noticed, scope=cmd.scope, confirmed_on=uow.today.isoformat(), through_position=position)
