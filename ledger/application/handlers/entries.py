"""Entry commands: deductions (R-SHEET-4, R-SUP-1), cascades (R-CASCADE-1), missed-deduction findings
(R-CASCADE-2) and corrections (R-FIX-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Sequence

from ledger.application import commands as c
from ledger.domain.actors import Actor, Role
from ledger.application.unit_of_work import Outcome, UnitOfWork
from ledger.domain.errors import (
    Forbidden,
    FormNumberRequired,
    InvalidInput,
    NotOnPanel,
    NotUnitHead,
    ResponsibleNotInUnit,
    ResponsibleRequired,
    SelfDeduction,
)
from ledger.domain.numbers import parse_points
from ledger.domain.periods import TRACK_PERIOD_KIND, check_not_in_future, PeriodKind, Track, period_of, sheet_code, split_entry_id
from ledger.domain.roster import Roster, UnitKind
from ledger.domain.sheet import Sheet, Source


def _deduct(
    sheet: Sheet,
    actor: Actor,
    *,
    points: Decimal,
    basis: str,
    occurred_on: date,
    source: Source,
    item: str | None = None,
    form_no: str | None = None,
    attachments: Sequence[str] = (),
    cascaded_from: str | None = None,
    cascaded_to: Sequence[str] = (),
    amends: str | None = None,
) -> str:
    """One deduction on one sheet, by `actor`; what most entries lack (an item, a form number,
    links) defaults to nothing. Returns the entry id."""
    return sheet.record_deduction(
        points=points,
        item=item,
        basis=basis,
        occurred_on=occurred_on,
        source=source,
        form_no=form_no,
        attachments=list(attachments),
        cascaded_from=cascaded_from,
        cascaded_to=list(cascaded_to),
        amends=amends,
        actor=actor.stamp(),
    )



def _unit_track(kind: str, requested: Track | None) -> Track:
    if kind == UnitKind.DEPARTMENT.value:
        if requested not in (None, Track.HALF):
            raise InvalidInput("a department has only half-year sheets", "机关科室只有半年考核表", field="track")
        return Track.HALF
    if requested not in (Track.KEY, Track.ROUTINE):
        raise InvalidInput("for a branch, track is 'key' or 'routine'", "对分局扣分须指明 key（重点工作）或 routine（常规性工作）", field="track")
    return requested


def _cascade(
    uow: UnitOfWork,
    roster: Roster,
    unit: str,
    parent_id: str,
    points: Any,
    responsible: Sequence[c.Responsible],
    basis: str,
    occurred_on: Any,
    actor: Actor,
) -> tuple[list[Sheet], list[str]]:
    """R-CASCADE-1: each responsible person is deducted the same points (or the points stated
    for them) in their monthly sheet for the month the fact occurred, linked to the unit entry."""
    if not responsible:
        raise ResponsibleRequired(unit=unit)
    seen: set[str] = set()
    sheets: list[Sheet] = []
    ids: list[str] = []
    month = period_of(occurred_on, PeriodKind.MONTH).code
    for r in responsible:
        if r.person in seen:
            raise InvalidInput(f"{r.person} is named twice", f"责任人 {r.person} 重复", field="responsible")
        seen.add(r.person)
        roster.person(r.person)
        if roster.unit_of(r.person, occurred_on) != unit and roster.head_of(unit, occurred_on) != r.person:
            raise ResponsibleNotInUnit(person=r.person, unit=unit, occurred_on=str(occurred_on))
        person_points = parse_points(r.points, field="responsible.points") if r.points is not None else points
        sheet = uow.sheet(sheet_code(r.person, month, Track.MONTHLY))
        ids.append(
            _deduct(sheet, actor, points=person_points, basis=basis, occurred_on=occurred_on, source=Source.CASCADE, cascaded_from=parent_id)
        )
        sheets.append(sheet)
    return sheets, ids


def record_deduction(uow: UnitOfWork, actor: Actor, cmd: c.RecordDeduction) -> Outcome:
    """R-SHEET-4 by an assessor (R-SHEET-5), a unit head, or the supervision office (R-SUP-1)."""
    points = parse_points(cmd.points)
    if (cmd.unit is None) == (cmd.person is None):
        raise InvalidInput("name exactly one of unit or person", "须且仅须指明一个被扣分单位或人员", field="unit")
    check_not_in_future(cmd.occurred_on, uow.today)
    if cmd.person is not None and cmd.person == actor.person:
        raise SelfDeduction(person=cmd.person)
    roster = uow.roster()
    if actor.role is Role.SUPERVISION:
        if not (cmd.form_no or "").strip():
            raise FormNumberRequired()
        source = Source.SUPERVISION
    if cmd.unit is not None:
        unit = roster.unit(cmd.unit)
        track = _unit_track(unit["kind"], cmd.track)
        period = period_of(cmd.occurred_on, TRACK_PERIOD_KIND[track])
        if actor.role is Role.ASSESSOR:
            if not uow.plan(period.year).assessor_may_assess(period.code, actor.person, cmd.unit):
                raise NotOnPanel(period=period.code, unit=cmd.unit, assessor=actor.person)
            source = Source.ASSESSMENT
        elif actor.role is not Role.SUPERVISION:
            raise Forbidden("only an assessor or the supervision office deducts a unit", "只有考核人员或监察室可以对单位扣分")
        sheet = uow.sheet(sheet_code(cmd.unit, period.code, track))
        entry_id = sheet.next_entry_id()
        person_sheets, cascade_ids = _cascade(uow, roster, cmd.unit, entry_id, points, cmd.responsible, cmd.basis, cmd.occurred_on, actor)
    else:
        if cmd.responsible:
            raise InvalidInput("responsible persons are named only for a unit deduction", "只有对单位扣分才需指明责任人", field="responsible")
        roster.person(cmd.person)
        period = period_of(cmd.occurred_on, PeriodKind.MONTH)
        sheet = uow.sheet(sheet_code(cmd.person, period.code, Track.MONTHLY))
        if actor.role is Role.UNIT_HEAD:
            # R-ORG-2: the person's unit on the day (transfers are effective-dated), not the
            # unit the sheet was opened under.
            days = (cmd.occurred_on, period.assessment_day)
            units = {roster.unit_of(cmd.person, d) or sheet.unit for d in days}
            if actor.person not in {roster.head_of(u, d) for u in units for d in days}:
                raise NotUnitHead(person=cmd.person, unit=sheet.unit)
            source = Source.UNIT_REVIEW
        elif actor.role is not Role.SUPERVISION:
            raise Forbidden("only the unit head or the supervision office deducts a person", "只有单位主要负责人或监察室可以对人员扣分")
        person_sheets, cascade_ids = [], []
    entry_id = _deduct(
        sheet, actor, points=points, item=cmd.item, basis=cmd.basis, occurred_on=cmd.occurred_on, source=source,
        form_no=(cmd.form_no or None), attachments=cmd.attachments, cascaded_to=cascade_ids,
    )  # fmt: skip
    return Outcome(sheet, *person_sheets, entry_id=entry_id, cascaded=cascade_ids)


def record_missed(uow: UnitOfWork, actor: Actor, cmd: c.RecordMissedDeduction) -> Outcome:
    """R-CASCADE-2: the person is deducted p; the head who failed to deduct, 2 × p."""
    points = parse_points(cmd.points)
    check_not_in_future(cmd.occurred_on, uow.today)
    check_not_in_future(cmd.found_on, uow.today, field="found_on")
    roster = uow.roster()
    roster.person(cmd.person)
    unit = roster.unit_of(cmd.person, cmd.occurred_on)
    if unit is None:
        raise InvalidInput(f"{cmd.person} was not on the roster on {cmd.occurred_on}", f"{cmd.person} 当日不在册", field="occurred_on")
    head = roster.head_of(unit, cmd.occurred_on)
    if head is None:
        raise InvalidInput(f"unit {unit} had no head on {cmd.occurred_on}", f"单位 {unit} 当日无主要负责人", field="occurred_on")
    person_sheet = uow.sheet(sheet_code(cmd.person, period_of(cmd.occurred_on, PeriodKind.MONTH).code, Track.MONTHLY))
    head_sheet = uow.sheet(sheet_code(head, period_of(cmd.found_on, PeriodKind.MONTH).code, Track.MONTHLY))
    same = head_sheet is person_sheet
    finding_id = person_sheet.next_entry_id(1 if same else 0)
    double_id = _deduct(
        head_sheet, actor, points=points * 2, basis=f"应扣未扣加倍扣分：{cmd.basis}", occurred_on=cmd.found_on,
        source=Source.MISSED_DOUBLE, cascaded_from=finding_id,
    )  # fmt: skip
    recorded = _deduct(
        person_sheet, actor, points=points, basis=cmd.basis, occurred_on=cmd.occurred_on, source=Source.MISSED_FINDING, cascaded_to=[double_id]
    )
    assert recorded == finding_id, (recorded, finding_id)
    return Outcome(person_sheet, *([] if same else [head_sheet]), entry_id=finding_id, head=head, head_entry_id=double_id)



# -- corrections (R-FIX-1) --


def _reverse_with_followers(
    uow: UnitOfWork, entry_id: str, reason: str, decision_ref: str, amended_by: str | None, actor: Actor
) -> tuple[Sheet, dict[str, Any], list[Sheet], list[str]]:
    code, no = split_entry_id(entry_id)
    sheet = uow.sheet(code)
    entry = dict(sheet.entry(no))
    sheet.reverse_entry(no, reason=reason, decision_ref=decision_ref, amended_by=amended_by, following=None, actor=actor.stamp())
    followers: list[Sheet] = []
    reversed_ids = [entry_id]
    for follower_id in entry["cascaded_to"]:
        f_code, f_no = split_entry_id(follower_id)
        f_sheet = sheet if f_code == code else uow.sheet(f_code)
        if f_sheet.entry(f_no)["reversed"]:
            continue
        f_sheet.reverse_entry(f_no, reason=reason, decision_ref=decision_ref, amended_by=None, following=entry_id, actor=actor.stamp())
        if f_sheet is not sheet and f_sheet not in followers:
            followers.append(f_sheet)
        reversed_ids.append(follower_id)
    return sheet, entry, followers, reversed_ids


def reverse_entry(uow: UnitOfWork, actor: Actor, cmd: c.ReverseEntry) -> Outcome:
    """R-FIX-1 with R-CASCADE-1: the entry and everything cascaded from it stop counting, at once."""
    sheet, _, followers, reversed_ids = _reverse_with_followers(uow, cmd.entry_id, cmd.reason, cmd.decision_ref, None, actor)
    return Outcome(sheet, *followers, reversed=reversed_ids)


def amend_entry(uow: UnitOfWork, actor: Actor, cmd: c.AmendEntry) -> Outcome:
    """R-FIX-1: an amendment is a reversal plus a linked replacement; cascades follow."""
    points = parse_points(cmd.points)
    code, no = split_entry_id(cmd.entry_id)
    sheet = uow.sheet(code)
    # A finding about a unit head is doubled on the head's own sheet: when that is this very
    # sheet, the replacement's number comes after the doubled entries recorded first.
    same_sheet = sum(1 for f in sheet.entry(no)["cascaded_to"] if split_entry_id(f)[0] == code)
    new_id = sheet.next_entry_id(same_sheet)
    sheet, old, followers, reversed_ids = _reverse_with_followers(uow, cmd.entry_id, cmd.reason, cmd.decision_ref, new_id, actor)
    source = Source(old["source"])
    basis = cmd.basis or old["basis"]
    item = cmd.item if cmd.item is not None else old["item"]
    touched: list[Sheet] = list(followers)
    cascade_ids: list[str] = []
    if source in (Source.ASSESSMENT, Source.SUPERVISION) and sheet.target_kind == "unit":
        roster = uow.roster()
        responsible = cmd.responsible
        if responsible is None:
            responsible = [c.Responsible(person=uow.sheet(split_entry_id(i)[0]).target) for i in old["cascaded_to"]]
        person_sheets, cascade_ids = _cascade(uow, roster, sheet.target, new_id, points, responsible, basis, old["occurred_on"], actor)
        touched.extend(s for s in person_sheets if s not in touched)
    elif source is Source.MISSED_FINDING:
        for follower_id in old["cascaded_to"]:
            f_sheet = uow.sheet(split_entry_id(follower_id)[0])
            cascade_ids.append(
                _deduct(
                    f_sheet, actor, points=points * 2, basis=f"应扣未扣加倍扣分：{basis}",
                    occurred_on=f_sheet.entry(split_entry_id(follower_id)[1])["occurred_on"], source=Source.MISSED_DOUBLE,
                    cascaded_from=new_id, amends=follower_id,
                )  # fmt: skip
            )
            if f_sheet is not sheet and f_sheet not in touched:
                touched.append(f_sheet)
    elif cmd.responsible:
        raise InvalidInput("responsible persons are named only for a unit deduction", "只有对单位扣分才需指明责任人", field="responsible")
    elif source in (Source.CASCADE, Source.MISSED_DOUBLE):
        raise AssertionError("unreachable: a cascaded entry is refused by reverse_entry")
    recorded = _deduct(
        sheet, actor, points=points, item=item, basis=basis, occurred_on=old["occurred_on"], source=source, form_no=old["form_no"],
        cascaded_to=cascade_ids, amends=cmd.entry_id,
    )  # fmt: skip
    assert recorded == new_id, (recorded, new_id)
    return Outcome(sheet, *[s for s in touched if s is not sheet], entry_id=new_id, reversed=reversed_ids, cascaded=cascade_ids)
