"""Annual results (年度考核结果): the formulas of RULES.md §5, as pure functions on exact decimals.

Everything is computed exactly and rounded half-up to 2 places only at the end; grades and
thresholds apply to the rounded figure, which is the official one. The projector keeps the
inputs (sums of sheet scores, evaluations, bonuses) and these functions turn them into results.

The year's bureau-wide decisions live beside this module: `annual_units` (a unit's score, ranks,
directly-excellent heads, bottom flags), `annual_persons` (a person's grade, veto barring, the
Party group's grade, civil-servant flags, payout) and `quota` (the 15% 优秀 quota). A formula
that a trace explains is written once, as data where it can be: the weighted terms of R-UNIT-1/2
and R-STAFF-2 (`Term`), the grade thresholds, the payout cases; the trace renders those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Callable, Iterable, Mapping, Sequence

from ledger.domain.numbers import HUNDRED, ZERO, policy_number, round_half_up

TWO = Decimal(2)


class Grade(str, Enum):
    """Performance grade (绩效考核等次), R-STAFF-3."""

    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 良好
    FAIR = "fair"  # 一般
    POOR = "poor"  # 差


class CivilServantGrade(str, Enum):
    """公务员年度考核等次, R-CS-1."""

    EXCELLENT = "excellent"  # 优秀
    COMPETENT = "competent"  # 称职
    BASICALLY_COMPETENT = "basically_competent"  # 基本称职
    INCOMPETENT = "incompetent"  # 不称职


GRADE_ZH = {Grade.EXCELLENT: "优秀", Grade.GOOD: "良好", Grade.FAIR: "一般", Grade.POOR: "差"}
CS_GRADE_ZH = {
    CivilServantGrade.EXCELLENT: "优秀",
    CivilServantGrade.COMPETENT: "称职",
    CivilServantGrade.BASICALLY_COMPETENT: "基本称职",
    CivilServantGrade.INCOMPETENT: "不称职",
}


def mean(values: Sequence[Decimal]) -> Decimal | None:
    """Exact mean over the values a target actually had; None when it had none."""
    if not values:
        return None
    return sum(values, ZERO) / Decimal(len(values))


def mean_of(total: Decimal, count: int) -> Decimal | None:
    """A mean kept as a running (total, count); None when there was nothing to average."""
    return None if count == 0 else total / Decimal(count)


def in_force_on(history: Iterable[tuple[str, str]], on: str) -> str | None:
    """The value of an effective-dated history of (ISO date, value) in force on `on`
    (R-ORG-1 a unit's head, R-ORG-2 a person's unit); None before the first entry."""
    current = None
    for effective_from, value in sorted(history):
        if effective_from <= on:
            current = value
    return current


# -- the weighted formulas (R-UNIT-1, R-UNIT-2, R-STAFF-2) -----------------------------------------


@dataclass(frozen=True)
class Term:
    """One weighted term of an annual formula: a rate (a fraction of 1) and its weight in the plan."""

    name: str
    rate: Decimal
    weight: Decimal


def weighted_score(terms: Sequence[Term], bonus: Decimal) -> Decimal:
    """(Σ rate × weight) × 100 + bonus, exact: the shape shared by R-UNIT-1, R-UNIT-2 and R-STAFF-2
    (bonus points count as points of the score, or percentage points of a rate)."""
    return sum((t.rate * t.weight for t in terms), ZERO) * HUNDRED + bonus


def branch_terms(key_mean: Decimal | None, routine_mean: Decimal | None, policy: Mapping[str, str]) -> list[Term] | None:
    """R-UNIT-1's terms: the mean key-work quarterly rate × 50% and the mean routine half-year
    rate × 50%; None while either track has no sheet at all (never counted as zero)."""
    if key_mean is None or routine_mean is None:
        return None
    return [
        Term("key mean", key_mean, policy_number(policy, "branch_key_weight")),
        Term("routine mean", routine_mean, policy_number(policy, "branch_routine_weight")),
    ]


def department_terms(half_mean: Decimal | None, grassroots_rate: Decimal | None, policy: Mapping[str, str]) -> list[Term] | None:
    """R-UNIT-2's terms: the mean half-year rate × 70% and the grassroots evaluation rate × 30%."""
    if half_mean is None or grassroots_rate is None:
        return None
    return [
        Term("half-year mean", half_mean, policy_number(policy, "department_half_weight")),
        Term("grassroots rate", grassroots_rate, policy_number(policy, "department_grassroots_weight")),
    ]


def staff_terms(monthly_rate: Decimal | None, democratic_rate: Decimal | None, policy: Mapping[str, str]) -> list[Term] | None:
    """R-STAFF-2's terms: the monthly mean rate × 70% and the democratic evaluation rate × 30%."""
    if monthly_rate is None or democratic_rate is None:
        return None
    return [
        Term("monthly mean rate", monthly_rate, policy_number(policy, "staff_monthly_weight")),
        Term("democratic rate", democratic_rate, policy_number(policy, "staff_democratic_weight")),
    ]


def _scored(terms: Sequence[Term] | None, bonus: Decimal) -> Decimal | None:
    return None if terms is None else weighted_score(terms, bonus)


# -- units (R-UNIT-1..3) ---------------------------------------------------------------------


def branch_annual(key_mean: Decimal | None, routine_mean: Decimal | None, bonus: Decimal, policy: Mapping[str, str]) -> Decimal | None:
    """R-UNIT-1: (mean key-work quarterly rate × 50% + mean routine half-year rate × 50%) × 100
    + bonus, exact. The means run over the sheets the branch actually had (a branch created in
    May has three key-work quarters); None while either track has no sheet at all."""
    return _scored(branch_terms(key_mean, routine_mean, policy), bonus)


def department_annual(half_mean: Decimal | None, grassroots_rate: Decimal | None, bonus: Decimal, policy: Mapping[str, str]) -> Decimal | None:
    """R-UNIT-2: (mean half-year rate × 70% + grassroots evaluation rate × 30%) × 100 + bonus.
    None while the mean or the grassroots rate is missing (never counted as zero)."""
    return _scored(department_terms(half_mean, grassroots_rate, policy), bonus)


@dataclass(frozen=True)
class UnitOutcome:
    """R-UNIT-3."""

    meets_standard: bool  # 达标
    admonition: bool  # 诫勉谈话 (below 85)
    accountability: bool  # 问责 (below 70)


@dataclass(frozen=True)
class UnitThresholds:
    """R-UNIT-3's thresholds in the year's plan."""

    standard_min: Decimal  # 85: at or above meets the standard (达标)
    accountability_below: Decimal  # 70: below it the head is held accountable (问责)


def unit_thresholds(policy: Mapping[str, str]) -> UnitThresholds:
    return UnitThresholds(policy_number(policy, "unit_standard_min"), policy_number(policy, "unit_accountability_below"))


def unit_outcome(score: Decimal, vetoed: bool, policy: Mapping[str, str]) -> UnitOutcome:
    """R-UNIT-3 on the official (rounded) score: ≥ 85 and no veto meets the standard (R-VETO-2:
    a vetoed unit does not, whatever its score); below 85 admonition, below 70 accountability."""
    limits = unit_thresholds(policy)
    below_standard = score < limits.standard_min
    return UnitOutcome(
        meets_standard=not below_standard and not vetoed,
        admonition=below_standard,
        accountability=score < limits.accountability_below,
    )


def rank_with_ties(scores: Mapping[str, Decimal]) -> dict[str, int]:
    """R-UNIT-4: competition ranking, equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    ranks: dict[str, int] = {}
    previous: Decimal | None = None
    rank = 0
    for index, (code, score) in enumerate(ordered, start=1):
        if score != previous:
            rank, previous = index, score
        ranks[code] = rank
    return ranks


BOTTOM_GROUP_MIN = 2  # R-UNIT-4: nobody is flagged in a group of fewer than two


def bottom_of(figures: Mapping[str, Decimal]) -> set[str]:
    """R-UNIT-4 末位: everyone tied at the lowest figure of the group; nobody when the group has
    fewer than two members (a lone unit is not "last" of anything)."""
    if len(figures) < BOTTOM_GROUP_MIN:
        return set()
    lowest = min(figures.values())
    return {code for code, figure in figures.items() if figure == lowest}


# -- vetoes (R-VETO-2) ------------------------------------------------------------------------


@dataclass(frozen=True)
class VetoFacts:
    """An active veto of the year: the unit, its head on the day of the fact, the named persons."""

    unit: str
    head: str
    persons: tuple[str, ...] = ()


def vetoed_units(vetoes: Iterable[VetoFacts]) -> set[str]:
    """R-VETO-2: a vetoed unit does not meet the standard whatever its score."""
    return {v.unit for v in vetoes}


def barred_persons(vetoes: Iterable[VetoFacts]) -> set[str]:
    """R-VETO-2: the vetoed unit's head and the named persons are barred from every year-end
    award and from the excellent grade."""
    return {p for v in vetoes for p in (v.head, *v.persons)}


# -- staff (R-STAFF-1..3) --------------------------------------------------------------------


def monthly_mean_rate(monthly_total: Decimal, months: int) -> Decimal | None:
    """R-STAFF-1: the sum of monthly scores over 100 × the months assessed."""
    if months == 0:
        return None
    return monthly_total / (HUNDRED * months)


def staff_annual_rate(monthly_total: Decimal, months: int, democratic_rate: Decimal | None, bonus: Decimal, policy: Mapping[str, str]) -> Decimal | None:
    """R-STAFF-2, in percent: (monthly mean rate × 70% + democratic rate × 30%) × 100 + bonus
    (bonus points count as percentage points). None while an input is missing."""
    return _scored(staff_terms(monthly_mean_rate(monthly_total, months), democratic_rate, policy), bonus)


def grade_thresholds(policy: Mapping[str, str]) -> list[tuple[Grade, Decimal]]:
    """R-STAFF-3's lower bounds, best grade first; below the last one is poor."""
    return [
        (Grade.EXCELLENT, policy_number(policy, "grade_excellent_min")),
        (Grade.GOOD, policy_number(policy, "grade_good_min")),
        (Grade.FAIR, policy_number(policy, "grade_fair_min")),
    ]


def grade_for(rate_percent: Decimal, policy: Mapping[str, str]) -> Grade:
    """R-STAFF-3 on the rounded rate: ≥ 95 excellent, ≥ 80 good, ≥ 60 fair, else poor."""
    for grade, lowest in grade_thresholds(policy):
        if rate_percent >= lowest:
            return grade
    return Grade.POOR


def capped_bonus(amounts: Iterable[Decimal], policy: Mapping[str, str]) -> Decimal:
    """R-BONUS-4: bonus counted for one target in one year never exceeds the cap (10)."""
    # Points have two places; the cap is shown the same way ("10.00", not "10").
    return min(sum(amounts, ZERO), policy_number(policy, "bonus_cap_points")).quantize(Decimal("0.01"))


# -- civil-servant grade (R-CS-1) -------------------------------------------------------------


def cs_grade_from(grade: Grade, quota_place: bool) -> CivilServantGrade:
    """R-CS-1: excellent with a quota place → 优秀, without → 称职; good → 称职;
    fair → 基本称职; poor → 不称职."""
    if grade is Grade.EXCELLENT:
        return CivilServantGrade.EXCELLENT if quota_place else CivilServantGrade.COMPETENT
    if grade is Grade.GOOD:
        return CivilServantGrade.COMPETENT
    if grade is Grade.FAIR:
        return CivilServantGrade.BASICALLY_COMPETENT
    return CivilServantGrade.INCOMPETENT


# -- target bonus (R-BONUS-T-1..3) ------------------------------------------------------------

Amount = Callable[[Decimal, Decimal, Decimal], Decimal]  # (base, former base, deductions) -> yuan

# R-BONUS-T-2, case by case: (senior?, grade) -> (the rule in words, the amount before the floor
# at 0). The trace shows the words of the case it applied, so they are written once, here.
PAYOUT_CASES: dict[tuple[bool, Grade], tuple[str, Amount, bool]] = {
    # (senior?, grade): (the rule's words, the amount, whether deductions are taken off)
    (False, Grade.EXCELLENT): ("regular, good or better: base − deductions", lambda base, former, ded: base - ded, True),
    (False, Grade.GOOD): ("regular, good or better: base − deductions", lambda base, former, ded: base - ded, True),
    (False, Grade.FAIR): ("regular, fair: base / 2 − deductions", lambda base, former, ded: base / TWO - ded, True),
    (False, Grade.POOR): ("regular, poor: 0", lambda base, former, ded: ZERO, False),
    (True, Grade.EXCELLENT): ("senior, excellent: base of the former position", lambda base, former, ded: former, False),
    (True, Grade.GOOD): ("senior, good: base of the current position", lambda base, former, ded: base, False),
    (True, Grade.FAIR): ("senior, fair: half the current base", lambda base, former, ded: base / TWO, False),
    (True, Grade.POOR): ("senior, poor: 0", lambda base, former, ded: ZERO, False),
}
EXEMPT_PAYOUT_RULE = "exempt: 0"


def payout_rule(*, senior: bool, exempt: bool, grade: Grade | None) -> str | None:
    """The words of the R-BONUS-T-2 case that applies; None while the grade is unknown."""
    if exempt:
        return EXEMPT_PAYOUT_RULE
    return None if grade is None else PAYOUT_CASES[(senior, grade)][0]


def payout_deduction(*, senior: bool, grade: Grade | None, deducted_points: Decimal, point_value: Decimal) -> Decimal | None:
    """R-BONUS-T-3: the money taken off the base (active deducted points × the point value), in
    yuan to the fen; 0 where the case takes nothing off; None while the grade is unknown."""
    if grade is None:
        return None
    return round_half_up(deducted_points * point_value if PAYOUT_CASES[(senior, grade)][2] else ZERO)


def target_bonus_payout(
    *,
    senior: bool,
    exempt: bool,
    grade: Grade | None,
    base: Decimal,
    former_base: Decimal,
    deducted_points: Decimal,
    point_value: Decimal,
) -> Decimal | None:
    """R-BONUS-T-2/3 in yuan, rounded half-up to the fen, never below 0.

    Regular: good or better → base − deductions; fair → base / 2 − deductions; poor → 0.
    Senior: excellent → former position's base; good → base; fair → base / 2; poor → 0.
    Exempt: 0. Deductions in money = active deducted points in the year × the point value."""
    if exempt:
        return ZERO.quantize(Decimal("0.01"))
    if grade is None:
        return None
    amount = PAYOUT_CASES[(senior, grade)][1](base, former_base, deducted_points * point_value)
    return round_half_up(max(ZERO, amount))


@dataclass
class Provisional:
    """What is missing before a figure is final (a missing input is never counted as zero)."""

    missing: list[str] = field(default_factory=list)

    @property
    def is_provisional(self) -> bool:
        return bool(self.missing)


def official(value: Decimal | None) -> Decimal | None:
    """The official figure: rounded half-up to 2 places (RULES.md §5)."""
    return None if value is None else round_half_up(value)
