"""Command handlers for the annual review: bonus items and claims (R-BONUS-1..5), vetoes
(R-VETO-1/2), evaluations (R-UNIT-2, R-STAFF-2/4/5) and target-bonus settings (R-BONUS-T-1)."""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError

from ledger.application import commands as c
from ledger.domain.actors import Actor, Role
from ledger.application.unit_of_work import Outcome, UnitOfWork
from ledger.domain.bonus import BasisAlreadyClaimed, BonusClaim, Requirement, check_claim_year, check_evidence, claim_id
from ledger.domain.errors import AlreadyExists, Forbidden, InvalidInput, NotFound, NotUnitHead
from ledger.domain.periods import annual_cutoff, check_not_in_future
from ledger.domain.review import AnnualReview
from ledger.domain.roster import Gender
from ledger.domain.veto import Veto, veto_id


class ClaimNotFound(NotFound):
    code = "CLAIM_NOT_FOUND"
    message_zh = "加分申报不存在"
    message_en = "No such bonus claim"


class VetoNotFound(NotFound):
    code = "VETO_NOT_FOUND"
    message_zh = "否决事项不存在"
    message_en = "No such veto"


def review_of(uow: UnitOfWork, year: int, actor: Actor) -> AnnualReview:
    """The year's review, started on first use (the year's plan must exist)."""
    try:
        return uow.get(AnnualReview, AnnualReview.create_id(year))
    except AggregateNotFoundError:
        uow.plan(year)
        return AnnualReview(year=year, actor=actor.stamp())


def define_bonus_item(uow: UnitOfWork, actor: Actor, cmd: c.DefineBonusItem) -> Outcome:
    review = review_of(uow, cmd.year, actor)
    review.define_bonus_item(cmd.code, cmd.title, cmd.points, cmd.requirement, cmd.applies_to, actor.stamp())
    return Outcome(review, year=cmd.year, item=cmd.code)


def file_bonus_claim(uow: UnitOfWork, actor: Actor, cmd: c.FileBonusClaim) -> Outcome:
    """R-BONUS-1..3: checked against the item list, its evidence rule, the claim year (with
    carry-over) and the once-only rule; filed after 30 November it is accepted and marked late."""
    if (cmd.unit is None) == (cmd.person is None):
        raise InvalidInput("name exactly one of unit or person", "须且仅须指明一个申报单位或个人", field="unit")
    roster = uow.roster()
    review = review_of(uow, cmd.year, actor)
    item = review.bonus_item(cmd.item)
    target_kind, target = ("unit", cmd.unit) if cmd.unit is not None else ("person", cmd.person)
    assert target is not None
    if item["applies_to"] != target_kind:
        raise InvalidInput(
            f"item {cmd.item} is for a {item['applies_to']}", f"加分项目 {cmd.item} 适用于{'单位' if item['applies_to'] == 'unit' else '个人'}", field="item"
        )
    today = uow.today
    if target_kind == "unit":
        roster.unit(target)
        if actor.role is Role.UNIT_HEAD and actor.person not in {roster.head_of(target, today), roster.head_of(target, annual_cutoff(cmd.year))}:
            raise NotUnitHead(unit=target)
        if actor.role is Role.STAFF:
            raise Forbidden("staff file personal claims only", "工作人员只能申报个人加分")
    else:
        roster.person(target)
        if actor.role is Role.STAFF and actor.person != target:
            raise Forbidden("staff file claims for themselves only", "工作人员只能为本人申报加分")
        if actor.role is Role.UNIT_HEAD and actor.person != target:
            raise Forbidden("a unit head files the unit's claims and their own", "单位负责人可申报本单位加分及本人加分")
    check_evidence(Requirement(item["requirement"]), [e.model_dump() for e in cmd.evidence])
    check_not_in_future(cmd.earned_on, uow.today, "earned_on")
    check_not_in_future(cmd.document_dated, uow.today, "document_dated")
    carried_over = check_claim_year(cmd.year, cmd.earned_on, cmd.document_dated)
    try:
        existing = uow.get(BonusClaim, claim_id(target, cmd.basis_ref))
    except AggregateNotFoundError:
        existing = None
    if existing is not None:
        raise BasisAlreadyClaimed(target=target, basis_ref=cmd.basis_ref, claimed_in=existing.year)
    claim = BonusClaim(
        target=target,
        basis_ref=cmd.basis_ref,
        target_kind=target_kind,
        year=cmd.year,
        item=cmd.item,
        points=item["points"],
        basis=cmd.basis,
        earned_on=cmd.earned_on,
        document_dated=cmd.document_dated,
        evidence=[e.model_dump(mode="json") for e in cmd.evidence],
        filed_on=today,
        late=today > annual_cutoff(cmd.year),
        carried_over=carried_over,
        actor=actor.stamp(),
    )
    return Outcome(review, claim, claim=f"{target}:{cmd.basis_ref}", carried_over=carried_over)


def _claim(uow: UnitOfWork, target: str, basis_ref: str) -> BonusClaim:
    try:
        return uow.get(BonusClaim, claim_id(target, basis_ref))
    except AggregateNotFoundError:
        raise ClaimNotFound(f"no claim by {target} on {basis_ref}", f"{target} 没有依据 {basis_ref} 的加分申报", target=target, basis_ref=basis_ref) from None


def approve_bonus_claim(uow: UnitOfWork, actor: Actor, cmd: c.ApproveBonusClaim) -> Outcome:
    claim = _claim(uow, cmd.target, cmd.basis_ref)
    claim.approve(cmd.reason, actor.stamp())
    return Outcome(claim, claim=f"{cmd.target}:{cmd.basis_ref}", status=claim.status)


def reject_bonus_claim(uow: UnitOfWork, actor: Actor, cmd: c.RejectBonusClaim) -> Outcome:
    claim = _claim(uow, cmd.target, cmd.basis_ref)
    claim.reject(cmd.reason, actor.stamp())
    return Outcome(claim, claim=f"{cmd.target}:{cmd.basis_ref}", status=claim.status)


def impose_veto(uow: UnitOfWork, actor: Actor, cmd: c.ImposeVeto) -> Outcome:
    """R-VETO-1: against a unit, naming its head (on the date of the fact) and the persons."""
    uow.plan(cmd.year)
    roster = uow.roster()
    roster.unit(cmd.unit)
    check_not_in_future(cmd.occurred_on, uow.today)
    head = roster.head_of(cmd.unit, cmd.occurred_on)
    if head is None:
        raise InvalidInput(f"unit {cmd.unit} had no head on {cmd.occurred_on}", f"单位 {cmd.unit} 当日无主要负责人", field="occurred_on")
    for person in cmd.persons:
        roster.person(person)
    try:
        uow.get(Veto, veto_id(cmd.code))
    except AggregateNotFoundError:
        veto = Veto(
            code=cmd.code, year=cmd.year, unit=cmd.unit, kind=cmd.kind.value, head=head, persons=sorted(set(cmd.persons)),
            occurred_on=cmd.occurred_on, reason=cmd.reason, decision_ref=cmd.decision_ref, actor=actor.stamp(),
        )  # fmt: skip
        return Outcome(veto, veto=cmd.code, head=head)
    raise AlreadyExists(f"veto {cmd.code} exists", f"否决事项 {cmd.code} 已存在", veto=cmd.code)


def lift_veto(uow: UnitOfWork, actor: Actor, cmd: c.LiftVeto) -> Outcome:
    try:
        veto = uow.get(Veto, veto_id(cmd.code))
    except AggregateNotFoundError:
        raise VetoNotFound(f"no veto {cmd.code}", f"否决事项不存在：{cmd.code}", veto=cmd.code) from None
    veto.lift(cmd.reason, cmd.decision_ref, actor.stamp())
    return Outcome(veto, veto=cmd.code, lifted=True)


def record_democratic_rate(uow: UnitOfWork, actor: Actor, cmd: c.RecordDemocraticRate) -> Outcome:
    review = review_of(uow, cmd.year, actor)
    review.record_democratic_rate(uow.roster(), cmd.person, cmd.rate, actor.stamp())
    return Outcome(review, year=cmd.year, person=cmd.person)


def record_grassroots_rate(uow: UnitOfWork, actor: Actor, cmd: c.RecordGrassrootsRate) -> Outcome:
    review = review_of(uow, cmd.year, actor)
    review.record_grassroots_rate(uow.roster(), cmd.unit, cmd.rate, actor.stamp())
    return Outcome(review, year=cmd.year, unit=cmd.unit)


def record_comprehensive_grade(uow: UnitOfWork, actor: Actor, cmd: c.RecordComprehensiveGrade) -> Outcome:
    """R-STAFF-4/5: the Party group's grade of a senior person, or of an exempt one of any age
    (the review knows the year's exemptions, so it checks which)."""
    review = review_of(uow, cmd.year, actor)
    plan = uow.plan(cmd.year)
    senior_age = {Gender.MALE: int(plan.policy_decimal("senior_age_male")), Gender.FEMALE: int(plan.policy_decimal("senior_age_female"))}
    review.record_comprehensive_grade(uow.roster(), cmd.person, cmd.grade, actor.stamp(), senior_age)
    return Outcome(review, year=cmd.year, person=cmd.person)


def approve_exemption(uow: UnitOfWork, actor: Actor, cmd: c.ApproveExemption) -> Outcome:
    review = review_of(uow, cmd.year, actor)
    review.approve_exemption(uow.roster(), cmd.person, cmd.reason, cmd.application_ref, actor.stamp())
    return Outcome(review, year=cmd.year, person=cmd.person)


def set_target_bonus(uow: UnitOfWork, actor: Actor, cmd: c.SetTargetBonus) -> Outcome:
    review = review_of(uow, cmd.year, actor)
    review.set_target_bonus(dict(cmd.bases), cmd.point_value, actor.stamp())
    return Outcome(review, year=cmd.year)
