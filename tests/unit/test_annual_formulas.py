"""Worked examples and boundaries for the formulas of RULES.md §5 (ledger/domain/annual.py), on
exact decimals; official figures are rounded half-up to 2 places and thresholds apply to them.
The quota (R-CS-2) is in test_annual_quota.py, units' and persons' decisions in
test_annual_units.py and test_annual_persons.py."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ledger.domain.annual import (
    CivilServantGrade as CS,
    Grade,
    Term,
    VetoFacts,
    barred_persons,
    branch_terms,
    grade_thresholds,
    payout_rule,
    staff_terms,
    weighted_score,
    branch_annual,
    capped_bonus,
    cs_grade_from,
    department_annual,
    grade_for,
    mean_of,
    official,
    rank_with_ties,
    staff_annual_rate,
    target_bonus_payout,
    unit_outcome,
)
from ledger.domain.numbers import round_half_up
from ledger.domain.plan import DEFAULT_POLICY as P


def test_branch_annual_worked_example_R_UNIT_1() -> None:
    """Key-work rates 0.96, 0.98, 0.97, 0.99 → mean 3.90 / 4 = 0.975; routine 0.94, 0.92 → 0.93.
    (0.975 × 50% + 0.93 × 50%) × 100 + bonus 2 = (0.4875 + 0.465) × 100 + 2 = 95.25 + 2 = 97.25."""
    key = mean_of(D("0.96") + D("0.98") + D("0.97") + D("0.99"), 4)
    routine = mean_of(D("0.94") + D("0.92"), 2)
    assert branch_annual(key, routine, D(2), P) == D("97.25")


def test_branch_created_in_may_is_averaged_over_its_three_quarters_R_UNIT_1() -> None:
    """A branch created in May had Q2–Q4 only: key mean = (0.90 + 0.96 + 0.99) / 3 = 0.95, not
    2.85 / 4. (0.95 × 50% + 1.00 × 50%) × 100 = 97.50."""
    assert branch_annual(mean_of(D("2.85"), 3), mean_of(D("1.00"), 1), D(0), P) == D("97.50")
    assert branch_annual(mean_of(D("2.85"), 3), None, D(0), P) is None, "no routine sheet yet: no score, not zero"


def test_department_annual_with_grassroots_rate_R_UNIT_2() -> None:
    """Half-year rates 0.97 and 0.95 → mean 0.96; grassroots rate 0.88.
    (0.96 × 70% + 0.88 × 30%) × 100 + 1.5 = (0.672 + 0.264) × 100 + 1.5 = 93.6 + 1.5 = 95.10."""
    assert department_annual(mean_of(D("1.92"), 2), D("0.88"), D("1.5"), P) == D("95.10")
    assert department_annual(mean_of(D("1.92"), 2), None, D(0), P) is None, "missing grassroots rate is never zero"


@pytest.mark.parametrize(
    ("exact", "meets", "admonition", "accountability"),
    [
        (D("85"), True, False, False),  # exactly 85: meets the standard
        (D("84.995"), True, False, False),  # rounds half-up to 85.00: meets
        (D("84.994"), False, True, False),  # rounds to 84.99: below
        (D("70"), False, True, False),  # exactly 70: admonition, not accountability
        (D("69.995"), False, True, False),  # rounds to 70.00
        (D("69.994"), False, True, True),  # rounds to 69.99: accountability
    ],
)
def test_unit_outcome_thresholds_apply_to_the_rounded_score_R_UNIT_3(exact: D, meets: bool, admonition: bool, accountability: bool) -> None:
    outcome = unit_outcome(official(exact), vetoed=False, policy=P)
    assert (outcome.meets_standard, outcome.admonition, outcome.accountability) == (meets, admonition, accountability)


def test_a_vetoed_unit_does_not_meet_the_standard_whatever_its_score_R_VETO_2_R_UNIT_3() -> None:
    assert unit_outcome(D("99.50"), vetoed=True, policy=P).meets_standard is False


def test_ranking_shares_ranks_on_equal_scores_R_UNIT_4() -> None:
    """96.5, 95.0, 95.0, 94.0 → ranks 1, 2, 2, 4."""
    ranks = rank_with_ties({"B1": D("96.5"), "B2": D("95.00"), "B3": D("95.0"), "B4": D("94")})
    assert ranks == {"B1": 1, "B2": 2, "B3": 2, "B4": 4}


def test_staff_rate_runs_over_the_months_the_person_had_R_STAFF_1_R_STAFF_2() -> None:
    """Joined in April: 9 monthly sheets of 97 each, 9 × 97 = 873 → mean
    rate 873 / 900 = 0.97; democratic 0.90. (0.97 × 70% + 0.90 × 30%) × 100 = 67.9 + 27 = 94.90.
    Averaging over 12 would give 873 / 1200 = 0.7275 → 50.925 + 27 = 77.925: wrong."""
    assert staff_annual_rate(D(873), 9, D("0.90"), D(0), P) == D("94.900")
    assert staff_annual_rate(D(873), 9, None, D(0), P) is None


@pytest.mark.parametrize(
    ("exact", "grade"),
    [
        (D("95"), Grade.EXCELLENT),
        (D("94.995"), Grade.EXCELLENT),  # → 95.00 after half-up rounding
        (D("94.994"), Grade.GOOD),  # → 94.99
        (D("80"), Grade.GOOD),
        (D("79.995"), Grade.GOOD),  # → 80.00
        (D("79.994"), Grade.FAIR),
        (D("60"), Grade.FAIR),
        (D("59.995"), Grade.FAIR),  # → 60.00
        (D("59.994"), Grade.POOR),
    ],
)
def test_grade_boundaries_on_the_rounded_rate_R_STAFF_3(exact: D, grade: Grade) -> None:
    assert grade_for(official(exact), P) is grade


def test_a_rate_that_crosses_95_only_after_rounding_R_STAFF_2_R_STAFF_3() -> None:
    """Monthly total 1139.95 over 12 months → 1139.95 / 1200 = 0.949958333…; democratic 0.95:
    0.949958333… × 70 + 95 × 0.30 = 66.4970833… + 28.5 = 94.9970833… → rounds to 95.00 → excellent."""
    exact = staff_annual_rate(D("1139.95"), 12, D("0.95"), D(0), P)
    assert exact is not None and exact < 95
    assert official(exact) == D("95.00") and grade_for(official(exact), P) is Grade.EXCELLENT


@pytest.mark.parametrize(
    ("amounts", "counted"),
    [
        ([D(4), D(3), D(3)], D(10)),  # exactly at the cap
        ([D(6), D(5)], D(10)),  # 11 → capped at 10
        ([D("9.5"), D("0.49")], D("9.99")),  # below the cap
        ([], D(0)),
    ],
)
def test_bonus_cap_of_ten_R_BONUS_4(amounts: list[D], counted: D) -> None:
    assert capped_bonus(amounts, P) == counted


@pytest.mark.parametrize(
    ("grade", "place", "cs"),
    [
        (Grade.EXCELLENT, True, CS.EXCELLENT),
        (Grade.EXCELLENT, False, CS.COMPETENT),
        (Grade.GOOD, False, CS.COMPETENT),
        (Grade.FAIR, False, CS.BASICALLY_COMPETENT),
        (Grade.POOR, False, CS.INCOMPETENT),
    ],
)
def test_civil_servant_grade_mapping_R_CS_1(grade: Grade, place: bool, cs: CS) -> None:
    assert cs_grade_from(grade, place) is cs


def _pay(**kw):  # type: ignore[no-untyped-def]
    args = dict(senior=False, exempt=False, grade=Grade.GOOD, base=D(8000), former_base=D(10000), deducted_points=D("3.5"), point_value=D(50))
    args.update(kw)
    return target_bonus_payout(**args)


def test_target_bonus_payout_by_grade_R_BONUS_T_2_R_BONUS_T_3() -> None:
    """Base 8000 yuan, 3.5 points deducted at 50 yuan a point = 175 yuan.
    good: 8000 − 175 = 7825.00; fair: 8000 / 2 − 175 = 3825.00; poor: 0.00."""
    assert _pay(grade=Grade.GOOD) == D("7825.00")
    assert _pay(grade=Grade.EXCELLENT) == D("7825.00")
    assert _pay(grade=Grade.FAIR) == D("3825.00")
    assert _pay(grade=Grade.POOR) == D("0.00")


def test_senior_payout_and_exemption_R_BONUS_T_2_R_STAFF_4_R_STAFF_5() -> None:
    """Senior excellent → the former position's base 10000; senior fair → 8000 / 2 = 4000;
    exempt → 0 whatever the grade."""
    assert _pay(senior=True, grade=Grade.EXCELLENT) == D("10000.00")
    assert _pay(senior=True, grade=Grade.FAIR) == D("4000.00")
    assert _pay(exempt=True, grade=Grade.EXCELLENT) == D("0.00")


def test_payout_never_goes_below_zero_and_keeps_fen_R_BONUS_T_3() -> None:
    """Fair, base 1000.01 / 2 = 500.005 − 0 → 500.01 (half-up at the fen); with 11 points at 50 yuan:
    500.005 − 550 < 0 → 0.00."""
    assert _pay(grade=Grade.FAIR, base=D("1000.01"), deducted_points=D(0)) == D("500.01")
    assert _pay(grade=Grade.FAIR, base=D(1000), deducted_points=D(11)) == D("0.00")


def test_half_up_not_bankers_rounding() -> None:
    """RULES.md §5 rounds half-up: 2.345 → 2.35 and 2.335 → 2.34 (banker's would give 2.34, 2.34)."""
    assert (round_half_up(D("2.345")), round_half_up(D("2.335"))) == (D("2.35"), D("2.34"))


def test_the_weighted_terms_carry_the_plans_weights_R_STAFF_2_R_UNIT_1_R_PLAN_2() -> None:
    """The terms a trace shows are the ones the rate is computed from: with the plan's monthly
    weight changed to 0.6 and democratic to 0.4, (0.95 × 0.6 + 0.90 × 0.4) × 100 + 1 = 57 + 36 + 1
    = 94.00, and staff_annual_rate gives the same."""
    policy = P | {"staff_monthly_weight": "0.6", "staff_democratic_weight": "0.4"}
    terms = staff_terms(D("0.95"), D("0.90"), policy)
    assert terms == [Term("monthly mean rate", D("0.95"), D("0.6")), Term("democratic rate", D("0.90"), D("0.4"))]
    assert weighted_score(terms, D(1)) == staff_annual_rate(D(1140), 12, D("0.90"), D(1), policy) == D("94.00")
    assert staff_terms(None, D("0.9"), P) is None and branch_terms(D(1), None, P) is None


def test_grade_thresholds_come_from_the_plan_R_STAFF_3_R_PLAN_2() -> None:
    assert grade_thresholds(P) == [(Grade.EXCELLENT, D(95)), (Grade.GOOD, D(80)), (Grade.FAIR, D(60))]
    assert grade_for(D("93.00"), P | {"grade_excellent_min": "93"}) is Grade.EXCELLENT


def test_the_payout_rule_named_is_the_one_applied_R_BONUS_T_2() -> None:
    assert payout_rule(senior=False, exempt=False, grade=Grade.FAIR) == "regular, fair: base / 2 − deductions"
    assert payout_rule(senior=True, exempt=False, grade=Grade.EXCELLENT) == "senior, excellent: base of the former position"
    assert payout_rule(senior=True, exempt=True, grade=Grade.EXCELLENT) == "exempt: 0"
    assert payout_rule(senior=False, exempt=False, grade=None) is None


def test_a_veto_bars_the_units_head_and_the_named_persons_R_VETO_2() -> None:
    """RULES.md R-VETO-2: "the unit, its head and the named persons are barred from every
    year-end award and from the excellent grade"."""
    assert barred_persons([VetoFacts("B02", "P05", ("P06",)), VetoFacts("D01", "P08")]) == {"P05", "P06", "P08"}
