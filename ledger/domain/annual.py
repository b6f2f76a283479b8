"""Annual results (年度考核结果): the formulas of RULES.md §5, as pure functions on exact decimals.

Everything is computed exactly and rounded half-up to 2 places only at the end; grades and
thresholds apply to the rounded figure, which is the official one. The projector keeps the
inputs (sums of sheet scores, evaluations, bonuses) and these functions turn them into results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from enum import Enum
from typing import Iterable, Mapping, Sequence

from ledger.domain.numbers import HUNDRED, ZERO, round_half_up

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


# -- units (R-UNIT-1..4) ---------------------------------------------------------------------


def branch_annual(key_mean: Decimal | None, routine_mean: Decimal | None, bonus: Decimal, policy: Mapping[str, str]) -> Decimal | None:
    """R-UNIT-1: (mean key-work quarterly rate × 50% + mean routine half-year rate × 50%) × 100
    + bonus, exact. The means run over the sheets the branch actually had (a branch created in
    May has three key-work quarters); None while either track has no sheet at all."""
    if key_mean is None or routine_mean is None:
        return None
    return (key_mean * Decimal(policy["branch_key_weight"]) + routine_mean * Decimal(policy["branch_routine_weight"])) * HUNDRED + bonus


def department_annual(half_mean: Decimal | None, grassroots_rate: Decimal | None, bonus: Decimal, policy: Mapping[str, str]) -> Decimal | None:
    """R-UNIT-2: (mean half-year rate × 70% + grassroots evaluation rate × 30%) × 100 + bonus.
    None while the mean or the grassroots rate is missing (never counted as zero)."""
    if half_mean is None or grassroots_rate is None:
        return None
    return (half_mean * Decimal(policy["department_half_weight"]) + grassroots_rate * Decimal(policy["department_grassroots_weight"])) * HUNDRED + bonus


def mean_of(total: Decimal, count: int) -> Decimal | None:
    """A mean kept as a running (total, count); None when there was nothing to average."""
    return None if count == 0 else total / Decimal(count)


@dataclass(frozen=True)
class UnitOutcome:
    """R-UNIT-3."""

    meets_standard: bool  # 达标
    admonition: bool  # 诫勉谈话 (below 85)
    accountability: bool  # 问责 (below 70)


def unit_outcome(score: Decimal, vetoed: bool, policy: Mapping[str, str]) -> UnitOutcome:
    """R-UNIT-3 on the official (rounded) score: ≥ 85 and no veto meets the standard."""
    below_standard = score < Decimal(policy["unit_standard_min"])
    return UnitOutcome(
        meets_standard=not below_standard and not vetoed,
        admonition=below_standard,
        accountability=score < Decimal(policy["unit_accountability_below"]),
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


# -- staff (R-STAFF-1..5) --------------------------------------------------------------------


def monthly_mean_rate(monthly_total: Decimal, months: int) -> Decimal | None:
    """R-STAFF-1: the sum of monthly scores over 100 × the months assessed."""
    if months == 0:
        return None
    return monthly_total / (HUNDRED * months)


def staff_annual_rate(monthly_total: Decimal, months: int, democratic_rate: Decimal | None, bonus: Decimal, policy: Mapping[str, str]) -> Decimal | None:
    """R-STAFF-2, in percent: (monthly mean rate × 70% + democratic rate × 30%) × 100 + bonus
    (bonus points count as percentage points). None while an input is missing."""
    monthly = monthly_mean_rate(monthly_total, months)
    if monthly is None or democratic_rate is None:
        return None
    return (monthly * Decimal(policy["staff_monthly_weight"]) + democratic_rate * Decimal(policy["staff_democratic_weight"])) * HUNDRED + bonus


def grade_for(rate_percent: Decimal, policy: Mapping[str, str]) -> Grade:
    """R-STAFF-3 on the rounded rate: ≥ 95 excellent, ≥ 80 good, ≥ 60 fair, else poor."""
    if rate_percent >= Decimal(policy["grade_excellent_min"]):
        return Grade.EXCELLENT
    if rate_percent >= Decimal(policy["grade_good_min"]):
        return Grade.GOOD
    if rate_percent >= Decimal(policy["grade_fair_min"]):
        return Grade.FAIR
    return Grade.POOR


def capped_bonus(amounts: Iterable[Decimal], policy: Mapping[str, str]) -> Decimal:
    """R-BONUS-4: bonus counted for one target in one year never exceeds the cap (10)."""
    # Points have two places; the cap is shown the same way ("10.00", not "10").
    return min(sum(amounts, ZERO), Decimal(policy["bonus_cap_points"])).quantize(Decimal("0.01"))


# -- quota and civil-servant grade (R-CS-1/2) -------------------------------------------------


def allocate_quota(tier_sizes: Mapping[str, int], policy: Mapping[str, str]) -> dict[str, int]:
    """R-CS-2: at most 15% of the persons evaluated may be 优秀 (rounded down), allocated among
    the tiers in proportion to their size by the largest-remainder method; ties in remainder go
    to the larger tier, then the tier name, so the allocation is deterministic."""
    total_persons = sum(tier_sizes.values())
    places = int((Decimal(total_persons) * Decimal(policy["excellent_quota_rate"])).to_integral_value(rounding=ROUND_FLOOR))
    if total_persons == 0:
        return {tier: 0 for tier in tier_sizes}
    exact = {tier: Decimal(places) * size / Decimal(total_persons) for tier, size in tier_sizes.items()}
    allocation = {tier: int(value.to_integral_value(rounding=ROUND_FLOOR)) for tier, value in exact.items()}
    left = places - sum(allocation.values())
    by_remainder = sorted(tier_sizes, key=lambda tier: (-(exact[tier] - allocation[tier]), -tier_sizes[tier], tier))
    for tier in by_remainder[:left]:
        allocation[tier] += 1
    return allocation


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
    deductions = deducted_points * point_value
    if senior:
        amount = {Grade.EXCELLENT: former_base, Grade.GOOD: base, Grade.FAIR: base / TWO, Grade.POOR: ZERO}[grade]
    else:
        amount = {Grade.EXCELLENT: base - deductions, Grade.GOOD: base - deductions, Grade.FAIR: base / TWO - deductions, Grade.POOR: ZERO}[grade]
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
