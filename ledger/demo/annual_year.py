"""Closing the demo year (年终考评): the annual review's inputs, chosen so that the results
exercise every rule of RULES.md §4-5 — a veto, approved, rejected, carried-over and capped bonus
claims, senior and exempt staff, departments' grassroots rates (one below the standard), the 15%
quota binding, a tie in the branch ranking — and every sheet published.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ledger.application import commands as c
from ledger.clock import Clock
from ledger.domain.actors import Actor, Role
from ledger.domain.annual import official
from ledger.domain.numbers import CENT

if TYPE_CHECKING:
    from ledger.application.ledger import Ledger
    from ledger.demo.bureau import DemoBureau

BASES = {"正科级": "12000", "副科级": "10000", "一级主任科员": "9500", "四级主任科员": "8500", "科员": "8000", "办事员": "7000"}
POINT_VALUE = "50"  # yuan per deducted point


def close_year(ledger: Ledger, bureau: DemoBureau) -> None:
    year = bureau.year
    rng = random.Random(year * 7)
    office = Actor("demo-office", Role.OFFICE)
    leading = Actor("demo-leading-group", Role.LEADING_GROUP)
    party = Actor("demo-party-group", Role.PARTY_GROUP)
    run = ledger.execute
    saved_clock = ledger.clock
    ledger.clock = Clock(date(year, 11, 20))  # the claims are filed before the 30 November deadline
    try:
        _bonuses(run, office, bureau, year)
    finally:
        ledger.clock = saved_clock

    # R-VETO-1: a veto against B04 (an administrative act found unlawful), naming a member.
    run(
        leading,
        c.ImposeVeto(
            code=f"FJ-{year}-01", year=year, unit="B04", kind="unlawful_act", persons=[bureau.members["B04"][4]], occurred_on=date(year, 8, 16),
            reason="一起行政处罚决定经行政复议被撤销", decision_ref=f"绩领〔{year}〕8号",
        ),
    )  # fmt: skip
    # R-UNIT-2: grassroots evaluation of every department; 信息中心 low enough to miss 85 (R-UNIT-3).
    for unit, members in bureau.members.items():
        if unit.startswith("D-"):
            rate = "0.5000" if unit == "D-XXZX" else f"{rng.randint(8600, 9900) / 10000:.4f}"
            run(office, c.RecordGrassrootsRate(year=year, unit=unit, rate=rate))
    # R-STAFF-2: democratic evaluation of every person assessed.
    roster = ledger.aggregates().roster()
    cutoff = date(year, 11, 30)
    everyone = [p for members in bureau.members.values() for p in members] + [bureau.notes["transferred"]]
    for person in everyone:
        run(office, c.RecordDemocraticRate(year=year, person=person, rate=f"{rng.randint(8200, 9950) / 10000:.4f}"))
    # R-STAFF-4: the Party group's comprehensive grade of every senior person; one of them, a
    # former section chief now a non-leading official (改非), graded excellent: paid the former
    # position's base (R-BONUS-T-2).
    seniors = [p for p in everyone if roster.age_class_of(p, cutoff).value == "senior"]
    leaders = [p for p in seniors if roster.person(p)["tier"] != "other" and p not in bureau.heads.values()]
    moved_down = leaders[0] if leaders else seniors[0]
    former_grade = roster.person(moved_down)["position_grade"]
    run(office, c.ChangePosition(person=moved_down, tier="other", position_grade="一级主任科员"))
    bureau.notes["former_position"] = {"person": moved_down, "former_grade": former_grade}
    grades = ["good", "excellent", "good", "good", "fair", "excellent", "good"]
    for i, person in enumerate(seniors):
        grade = "excellent" if person == moved_down else grades[i % len(grades)]
        run(party, c.RecordComprehensiveGrade(year=year, person=person, grade=grade))
    # R-STAFF-5: the exempt person is graded by the Party group too (their result stays
    # provisional until then); they count among the persons evaluated but take no 优秀 place.
    if "exempt" in bureau.notes:
        run(party, c.RecordComprehensiveGrade(year=year, person=bureau.notes["exempt"], grade="good"))
    # R-BONUS-T-1: bases per position grade and the money value of a point.
    run(party, c.SetTargetBonus(year=year, bases=BASES, point_value=POINT_VALUE))

    _tie_two_branches(ledger, bureau, year)
    _publish_everything(ledger, office, bureau, year)


def _bonuses(run, office: Actor, bureau: DemoBureau, year: int) -> None:  # type: ignore[no-untyped-def]
    items = [
        ("U1", "受市级以上表彰", "3", "commendation", "unit"),
        ("U2", "行风评议前3名", "2", "conduct_top3", "unit"),
        ("U3", "规范创新或承担试点", "4", "innovation_pilot", "unit"),
        ("U4", "受省级以上表彰", "6", "commendation", "unit"),
        ("I1", "个人受市级以上表彰", "1", "commendation", "person"),
    ]
    for code, title, points, requirement, applies_to in items:
        run(office, c.DefineBonusItem(year=year, code=code, title=title, points=points, requirement=requirement, applies_to=applies_to))

    def claim(unit: str | None, person: str | None, item: str, ref: str, earned: date, dated: date, evidence: str) -> None:
        run(
            office,
            c.FileBonusClaim(
                year=year, unit=unit, person=person, item=item, basis=f"{ref} 所载表彰/试点", basis_ref=ref, earned_on=earned,
                document_dated=dated, evidence=[{"kind": evidence, "ref": ref}],
            ),
        )  # fmt: skip

    # Approved: B01 commended by the city (3).
    claim("B01", None, "U1", f"市政府〔{year}〕12号", date(year, 5, 8), date(year, 5, 20), "official_document")
    run(office, c.ApproveBonusClaim(target="B01", basis_ref=f"市政府〔{year}〕12号"))
    # Capped (R-BONUS-4): B03 claims 6 + 4 + 2 = 12, counted as 10.
    claim("B03", None, "U4", f"省局〔{year}〕5号", date(year, 3, 2), date(year, 3, 30), "certificate")
    claim("B03", None, "U3", f"区政府会议纪要〔{year}〕7号", date(year, 6, 1), date(year, 6, 3), "meeting_notice")
    claim("B03", None, "U2", f"区政府〔{year}〕31号", date(year, 9, 1), date(year, 9, 10), "government_document")
    for ref in (f"省局〔{year}〕5号", f"区政府会议纪要〔{year}〕7号", f"区政府〔{year}〕31号"):
        run(office, c.ApproveBonusClaim(target="B03", basis_ref=ref))
    # Carried over (R-BONUS-3): earned last year, its document dated after last year's cut-off.
    claim("D-FZK", None, "U1", f"市政府〔{year - 1}〕88号", date(year - 1, 11, 10), date(year - 1, 12, 15), "official_document")
    run(office, c.ApproveBonusClaim(target="D-FZK", basis_ref=f"市政府〔{year - 1}〕88号", reason="文件印发时间晚于上年度申报截止日，结转本年度"))
    # Rejected with a reason: the plaque shown was a replica.
    claim("B06", None, "U1", f"市总工会〔{year}〕3号", date(year, 4, 1), date(year, 4, 8), "original_plaque")
    run(office, c.RejectBonusClaim(target="B06", basis_ref=f"市总工会〔{year}〕3号", reason="提交的奖牌为复制品，经核实非原件，且表彰主体非市级以上机关"))
    # A personal bonus (R-BONUS-5 adds the unit's: a B01 member gets 3 + 1).
    person = bureau.members["B01"][5]
    claim(None, person, "I1", f"市局〔{year}〕20号", date(year, 7, 1), date(year, 7, 9), "certificate")
    run(office, c.ApproveBonusClaim(target=person, basis_ref=f"市局〔{year}〕20号"))
    bureau.notes["personal_bonus"] = person


def _tie_two_branches(ledger: Ledger, bureau: DemoBureau, year: int) -> None:
    """Bring the two closest branches to the same official score (R-UNIT-4 ranks ties equally):
    a routine-work deduction of p points on one of its two half-year sheets lowers its annual
    score by p / 200 × 50% × 100 = p / 4, so p = 4 × the difference of the official scores."""
    approved_bonus = {"B01": Decimal(3), "B03": Decimal(10)}  # as approved in _bonuses (B03 capped)
    scores = {}
    for code in [u for u in bureau.members if u.startswith("B") and u != "B04"]:
        key = _mean(ledger, [f"{code}:{year}-Q{q}:key" for q in range(1, 5)])
        routine = _mean(ledger, [f"{code}:{year}-H{h}:routine" for h in (1, 2)])
        scores[code] = (key * Decimal("0.5") + routine * Decimal("0.5")) * 100 + approved_bonus.get(code, Decimal(0))
    ordered = sorted(scores.items(), key=lambda kv: kv[1])
    pairs = [(a, b) for a, b in zip(ordered, ordered[1:]) if b[0] != "B03"]
    (low, low_score), (high, high_score) = min(pairs, key=lambda pair: pair[1][1] - pair[0][1])
    difference = official(high_score) - official(low_score)  # type: ignore[operator]
    points = (difference * 4).quantize(CENT)
    if points > 0:
        assessor = Actor(f"demo-assessor-{bureau.assessors[1]}", Role.ASSESSOR, person=bureau.assessors[1])
        ledger.execute(
            assessor,
            c.RecordDeduction(
                unit=high, track="routine", points=str(points), item="R3", basis="日常管理：档案整理不规范（年终检查）",
                occurred_on=date(year, 11, 26), responsible=[{"person": bureau.members[high][2]}],
            ),
        )  # fmt: skip
    bureau.notes["tied_branches"] = sorted([low, high])


def _mean(ledger: Ledger, codes: list[str]) -> Decimal:
    rates = [(Decimal(100) - ledger.aggregates().sheet(code).active_points()).max(Decimal(0)) / 100 for code in codes]
    return sum(rates, Decimal(0)) / len(rates)


def _publish_everything(ledger: Ledger, office: Actor, bureau: DemoBureau, year: int) -> None:
    """The year closes: every sheet still open or submitted is published (R-SHEET-3)."""
    everyone = [p for members in bureau.members.values() for p in members] + [bureau.notes["transferred"]]
    codes = [f"{p}:{year}-{m:02d}:monthly" for p in everyone for m in (11, 12)]
    codes += [f"{b}:{year}-Q4:key" for b in bureau.members if b.startswith("B")]
    codes += [f"{u}:{year}-H2:{'routine' if u.startswith('B') else 'half'}" for u in bureau.members]
    for code in codes:
        status = ledger.aggregates().sheet(code).status
        if status == "open":
            ledger.execute(office, c.SubmitSheet(sheet=code))
        if status in ("open", "submitted"):
            ledger.execute(office, c.PublishSheet(sheet=code))
