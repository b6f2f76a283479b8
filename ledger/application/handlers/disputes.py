"""Dispute commands (R-DISPUTE-1): file, review, decide. A decision to reverse or amend runs the
R-FIX-1 correction in the same transaction as the decision."""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError

from ledger.application import commands as c
from ledger.domain.actors import Actor
from ledger.application.unit_of_work import Outcome, UnitOfWork
from ledger.domain.dispute import Decision, Dispute, dispute_id
from ledger.domain.errors import AlreadyExists, DisputeWindowClosed, EntryNotFound, InvalidInput, NotAffected, SheetNotPublished
from ledger.application.handlers.entries import amend_entry, reverse_entry
from ledger.application.handlers.notices import open_notices
from ledger.domain.periods import Track, parse_period, split_entry_id
from ledger.domain.sheet import SheetStatus


class DisputeNotFound(EntryNotFound):
    code = "DISPUTE_NOT_FOUND"
    message_zh = "该扣分记录没有申诉"
    message_en = "No dispute on that entry"


class EntryAlreadyReversed(AlreadyExists):
    code = "ENTRY_NOT_ACTIVE"
    message_zh = "该扣分记录已撤销或更正，无需申诉"
    message_en = "The entry no longer counts (reversed or amended)"


def _dispute(uow: UnitOfWork, entry_id: str) -> Dispute:
    try:
        return uow.get(Dispute, dispute_id(entry_id))
    except AggregateNotFoundError:
        raise DisputeNotFound(f"no dispute on {entry_id}", f"扣分记录 {entry_id} 没有申诉", entry_id=entry_id) from None


def file_dispute(uow: UnitOfWork, actor: Actor, cmd: c.FileDispute) -> Outcome:
    code, no = split_entry_id(cmd.entry_id)
    sheet = uow.sheet(code)
    entry = sheet.entry(no)
    if entry["reversed"]:
        raise EntryAlreadyReversed(entry_id=cmd.entry_id)
    today = uow.today
    period = parse_period(sheet.period)
    if sheet.target_kind == "person":
        affected = actor.person == sheet.target
    else:
        roster = uow.roster()
        affected = actor.person in {roster.head_of(sheet.target, period.end), roster.head_of(sheet.target, today)}
    if not affected:
        raise NotAffected(entry_id=cmd.entry_id, person=actor.person)
    if sheet.status != SheetStatus.PUBLISHED.value:
        raise SheetNotPublished(sheet=sheet.code, status=sheet.status)
    if uow.exists(Dispute, dispute_id(cmd.entry_id)):
        raise AlreadyExists(f"entry {cmd.entry_id} has been disputed", f"扣分记录 {cmd.entry_id} 已提出过申诉", entry_id=cmd.entry_id)
    published_on = sheet.published_on or today
    days = int(uow.plan(period.year).policy_decimal("dispute_window_working_days"))
    closes, warned = uow.working_days().add_working_days(published_on, days)
    # An objection (异议) during a public notice (公示) of the entry's year or month is a dispute,
    # whatever the entry's own window; the notice cannot be confirmed until it is decided.
    notices = open_notices(uow, period.year, sheet.period if sheet.track == Track.MONTHLY.value else None)
    for noticed in notices:
        noticed.receive_objection(cmd.entry_id, actor.stamp())
        closes = max(closes, noticed.ends_on)
    if today > closes:
        raise DisputeWindowClosed(
            f"the window closed on {closes} ({days} working days after publication on {published_on})",
            f"申诉期限已于 {closes} 届满（公布日 {published_on} 后 {days} 个工作日）",
            entry_id=cmd.entry_id,
            window_closes=closes.isoformat(),
        )
    dispute = Dispute(
        entry_id=cmd.entry_id, sheet=sheet.code, target=sheet.target, year=period.year, reason=cmd.reason,
        filed_on=today, window_closes=closes, actor=actor.stamp(),
    )  # fmt: skip
    return Outcome(
        dispute, *notices, dispute=cmd.entry_id, status=dispute.status, window_closes=closes.isoformat(), calendar_warning=warned,
        during_notice=[n.scope for n in notices],
    )  # fmt: skip


def review_dispute(uow: UnitOfWork, actor: Actor, cmd: c.ReviewDispute) -> Outcome:
    dispute = _dispute(uow, cmd.entry_id)
    dispute.review(cmd.recommendation, cmd.findings, actor.stamp())
    return Outcome(dispute, dispute=cmd.entry_id, status=dispute.status, recommendation=cmd.recommendation.value)


def decide_dispute(uow: UnitOfWork, actor: Actor, cmd: c.DecideDispute) -> Outcome:
    dispute = _dispute(uow, cmd.entry_id)
    dispute.check_decidable()
    if cmd.decision is not Decision.AMEND and (cmd.points is not None or cmd.basis is not None):
        raise InvalidInput("points and basis are given only for an amendment", "仅更正时填写分值和依据", field="points")
    correction: Outcome | None = None
    if cmd.decision is Decision.REVERSE:
        correction = reverse_entry(uow, actor, c.ReverseEntry(entry_id=cmd.entry_id, reason=cmd.reason, decision_ref=cmd.decision_ref))
    elif cmd.decision is Decision.AMEND:
        if cmd.points is None:
            raise InvalidInput("an amendment needs the corrected points", "更正须填写更正后的分值", field="points")
        correction = amend_entry(
            uow, actor, c.AmendEntry(entry_id=cmd.entry_id, points=cmd.points, basis=cmd.basis, reason=cmd.reason, decision_ref=cmd.decision_ref)
        )
    replacement = None if correction is None else correction.result.get("entry_id")
    dispute.decide(cmd.decision, cmd.reason, cmd.decision_ref, replacement, actor.stamp())
    corrected = () if correction is None else correction.aggregates
    result = {} if correction is None else correction.result
    return Outcome(dispute, *corrected, **{**result, "dispute": cmd.entry_id, "decision": cmd.decision.value, "status": dispute.status})
