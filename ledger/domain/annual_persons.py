"""A person's annual result (个人年度考核结果): R-STAFF-1..5 with R-ORG-3, R-BONUS-4/5, R-VETO-2,
R-UNIT-4 (bottom flags), R-CS-1 (civil-servant grade, flags, dismissal) and R-BONUS-T-1..3
(payout). Pure functions on plain values; the quota of R-CS-2 is in `ledger.domain.quota`."""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable, Mapping

from ledger.domain.annual import (
    CivilServantGrade,
    Grade,
    bottom_of,
    capped_bonus,
    cs_grade_from,
    grade_for,
    monthly_mean_rate,
    official,
    payout_deduction,
    staff_annual_rate,
    target_bonus_payout,
)
from ledger.domain.numbers import ZERO
from ledger.domain.roster import AgeClass, Gender, age_class

PARTY_GRADE_MISSING = "Party group comprehensive grade"


def senior_age(policy: Mapping[str, str]) -> Mapping[Gender, int]:
    """R-ORG-3 with the plan's ages (56 for a man, 51 for a woman by default)."""
    return _senior_age(policy["senior_age_male"], policy["senior_age_female"])


@lru_cache(maxsize=16)  # read once per person of a year's results; a plan has one pair of ages
def _senior_age(male: str, female: str) -> Mapping[Gender, int]:
    return MappingProxyType({Gender.MALE: int(male), Gender.FEMALE: int(female)})  # shared: read-only


def is_senior(gender: str, birth_date: date, cutoff: date, policy: Mapping[str, str]) -> bool:
    """R-ORG-3: senior when of the plan's age or more on the annual cut-off date (inclusive)."""
    return age_class(gender, birth_date, cutoff, senior_age(policy)) is AgeClass.SENIOR


def person_bonus(unit_claimed: Decimal, own_claimed: Decimal, policy: Mapping[str, str]) -> Decimal:
    """R-BONUS-5: the unit's approved bonus counts for each of its persons on the cut-off date;
    R-BONUS-4: with the person's own, capped at 10."""
    return capped_bonus([unit_claimed, own_claimed], policy)


@dataclass(frozen=True)
class PersonFacts:
    """What the year's review knows of one person (inputs only, nothing derived)."""

    code: str
    senior: bool  # R-ORG-3 on the annual cut-off date
    exempt: bool  # R-STAFF-5
    months: int  # monthly sheets had (0 when exempt)
    months_published: int
    monthly_total: Decimal
    democratic_rate: Decimal | None
    bonus: Decimal  # counted (after the cap)
    party_grade: Grade | None  # the Party group's comprehensive grade, when recorded
    barred: bool = False  # named in an active veto, or the head of a vetoed unit (R-VETO-2)


@dataclass(frozen=True)
class PersonGrade:
    """A person's figures and grade: the computed rate and grade, the grade that counts (the
    Party group's for senior and exempt persons), and that grade after veto barring."""

    monthly_mean_rate: Decimal | None
    rate_exact: Decimal | None
    rate: Decimal | None  # official: half-up to 2 places
    computed: Grade | None  # R-STAFF-3 on the rate
    graded: Grade | None  # the grade that counts, before R-VETO-2
    effective: Grade | None  # after R-VETO-2
    missing: list[str]


def graded_by_party_group(senior: bool, exempt: bool) -> bool:
    """R-STAFF-4: a senior person's grade is the Party group's; R-STAFF-5: so is an exempt
    person's, whatever their age."""
    return senior or exempt


def inputs_missing(person: PersonFacts) -> list[str]:
    """What keeps the person's result provisional (RULES.md §5, never counted as zero): the
    monthly sheets and the democratic evaluation (not for the exempt, who have no monthly
    sheets), and the Party group's grade where it is the grade that counts."""
    missing: list[str] = []
    if not person.exempt:
        if person.months == 0:
            missing.append("no monthly sheets")
        elif person.months_published < person.months:
            missing.append(f"{person.months - person.months_published} monthly sheet(s) not published")
        if person.democratic_rate is None:
            missing.append("democratic evaluation")
    if graded_by_party_group(person.senior, person.exempt) and person.party_grade is None:
        missing.append(PARTY_GRADE_MISSING)
    return missing


def grade_that_counts(senior: bool, exempt: bool, computed: Grade | None, party_grade: Grade | None) -> Grade | None:
    """R-STAFF-3/4/5: the computed grade for a regular person; the Party group's recorded grade
    for a senior or exempt person (None until it is recorded), the computed figures beside it."""
    return party_grade if graded_by_party_group(senior, exempt) else computed


def barred_grade(grade: Grade | None, barred: bool) -> Grade | None:
    """R-VETO-2: a barred person whose grade would be excellent is graded good."""
    return Grade.GOOD if barred and grade is Grade.EXCELLENT else grade


def grade_person(person: PersonFacts, policy: Mapping[str, str]) -> PersonGrade:
    """R-STAFF-1..5 and R-VETO-2 for one person. An exempt person has no monthly sheets, hence no
    computed rate; their grade is the Party group's."""
    months = 0 if person.exempt else person.months
    exact = None if person.exempt else staff_annual_rate(person.monthly_total, months, person.democratic_rate, person.bonus, policy)
    rate = official(exact)
    computed = None if rate is None else grade_for(rate, policy)
    graded = grade_that_counts(person.senior, person.exempt, computed, person.party_grade)
    mean = None if person.exempt else monthly_mean_rate(person.monthly_total, months)
    return PersonGrade(mean, exact, rate, computed, graded, barred_grade(graded, person.barred), inputs_missing(person))


def bottom_persons(rates: Iterable[tuple[str, bool, bool, Decimal | None]]) -> set[str]:
    """R-UNIT-4 末位: among regular persons only — not senior, not exempt — with a rate, everyone
    tied at the lowest official rate; nobody in a group of fewer than two. Takes (code, senior,
    exempt, rate)."""
    return bottom_of({code: rate for code, senior, exempt, rate in rates if not senior and not exempt and rate is not None})


# -- civil-servant grade (R-CS-1) -------------------------------------------------------------

CS_FLAGS: dict[CivilServantGrade, list[str]] = {
    CivilServantGrade.BASICALLY_COMPETENT: ["job_adjustment"],  # 视情况进行岗位调整
    CivilServantGrade.INCOMPETENT: ["criticism", "admonition", "off_duty_study", "demotion"],  # 通报批评、诫勉谈话、离岗学习、降职降级
}
DISMISSAL = "dismissal"  # 连续两年不称职，予以辞退


def civil_servant_grade(effective: Grade | None, quota_place: bool, direct_excellent: bool) -> CivilServantGrade | None:
    """R-CS-1: a directly-excellent branch head (R-UNIT-4) is 优秀 outside the quota; otherwise
    the grade maps with the quota place (excellent without one → 称职); None while provisional."""
    if direct_excellent:
        return CivilServantGrade.EXCELLENT
    return None if effective is None else cs_grade_from(effective, quota_place)


def cs_flags(cs: CivilServantGrade | None, previous_cs: CivilServantGrade | None) -> list[str]:
    """R-CS-1: 基本称职 → job adjustment; 不称职 → criticism, admonition, off-duty study and
    demotion, and dismissal when the year before was 不称职 too."""
    flags = list(CS_FLAGS.get(cs, [])) if cs is not None else []
    if cs is CivilServantGrade.INCOMPETENT and previous_cs is CivilServantGrade.INCOMPETENT:
        flags.append(DISMISSAL)
    return flags


def award_eligible(*, exempt: bool, effective: Grade | None, barred: bool, head_of_failing_unit: bool) -> bool:
    """Eligibility for the year-end awards: good or better (R-CS-1: 基本称职 and below lose every
    award eligibility), not barred by a veto (R-VETO-2), not the head of a unit that does not meet
    the standard (R-UNIT-3), and not exempt (R-STAFF-5: no target reward)."""
    return not exempt and effective in (Grade.EXCELLENT, Grade.GOOD) and not barred and not head_of_failing_unit


# -- target bonus (R-BONUS-T-1..3) ------------------------------------------------------------


@dataclass(frozen=True)
class Payout:
    amount: Decimal | None  # yuan, to the fen; None while not final
    missing: list[str]
    base: Decimal | None = None  # the base the amount starts from (the former position's for a senior excellent)
    deduction: Decimal | None = None  # the money taken off it for deductions (R-BONUS-T-3)


def person_payout(
    *,
    senior: bool,
    exempt: bool,
    grade: Grade | None,
    position_grade: str,
    former_position_grade: str | None,
    bases: Mapping[str, Decimal] | None,
    deducted_points: Decimal,
    point_value: Decimal | None,
) -> Payout:
    """R-BONUS-T-1..3 for one person: the base of their position grade (the former position's
    for a senior excellent, falling back to the current one); an exempt person is paid 0 whatever
    the bases. Without the year's bases, or without a base for the grade, nothing is paid yet."""
    if exempt:
        return Payout(target_bonus_payout(senior=senior, exempt=True, grade=grade, base=ZERO, former_base=ZERO, deducted_points=ZERO, point_value=ZERO), [])
    if bases is None or point_value is None:
        return Payout(None, ["target-bonus bases"])
    base = bases.get(position_grade)
    if base is None:
        return Payout(None, [f"target-bonus base for {position_grade}"])
    former = bases.get(former_position_grade or position_grade, base)
    amount = target_bonus_payout(
        senior=senior, exempt=False, grade=grade, base=base, former_base=former, deducted_points=deducted_points, point_value=point_value
    )
    applied = former if (senior and grade is Grade.EXCELLENT) else base
    deduction = payout_deduction(senior=senior, grade=grade, deducted_points=deducted_points, point_value=point_value)
    return Payout(amount, [], applied, deduction)
