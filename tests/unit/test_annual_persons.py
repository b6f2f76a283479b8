"""A person's annual result (ledger/domain/annual_persons.py): R-STAFF-1..5, R-ORG-3, R-BONUS-4/5,
R-VETO-2, R-UNIT-4 (the last-ranked person), R-CS-1 (civil-servant grade, flags, dismissal) and
R-BONUS-T-1..3 (payout). No I/O: plain values in, values out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from ledger.domain.annual import CivilServantGrade as CS, Grade
from ledger.domain.annual_persons import (
    DISMISSAL,
    PARTY_GRADE_MISSING,
    PersonFacts,
    award_eligible,
    barred_grade,
    bottom_persons,
    civil_servant_grade,
    cs_flags,
    grade_person,
    grade_that_counts,
    inputs_missing,
    is_senior,
    person_bonus,
    person_payout,
)
from ledger.domain.plan import DEFAULT_POLICY as P

# A regular person with 12 published months of 100 and democratic rate 0.96:
# (1200 / 1200 × 70% + 0.96 × 30%) × 100 = 70 + 28.8 = 98.80 → excellent.
REGULAR = PersonFacts(
    code="P02", senior=False, exempt=False, months=12, months_published=12, monthly_total=D(1200), democratic_rate=D("0.96"),
    bonus=D("0.00"), party_grade=None,
)  # fmt: skip
EXEMPT = PersonFacts(code="P13", senior=False, exempt=True, months=0, months_published=0, monthly_total=D(0), democratic_rate=None, bonus=D("0.00"), party_grade=None)


# -- age class and bonus (R-ORG-3, R-BONUS-4/5) -------------------------------------------------------


@pytest.mark.parametrize(
    ("gender", "born", "senior"),
    [
        ("male", date(1970, 11, 30), True),  # 56 on the cut-off day itself
        ("male", date(1970, 12, 1), False),  # 55 on 30 November 2026
        ("female", date(1975, 11, 30), True),  # 51
        ("female", date(1975, 12, 1), False),
    ],
)
def test_senior_on_the_annual_cut_off_date__R_ORG_3(gender: str, born: date, senior: bool) -> None:
    assert is_senior(gender, born, date(2026, 11, 30), P) is senior


def test_the_plans_ages_decide__R_ORG_3_R_PLAN_2() -> None:
    assert is_senior("male", date(1971, 1, 1), date(2026, 11, 30), P | {"senior_age_male": "55"}) is True


def test_unit_and_personal_bonus_share_the_cap__R_BONUS_4_R_BONUS_5() -> None:
    """Unit 3 + personal 4 + 4 = 11 → 10.00; unit 3 alone → 3.00."""
    assert person_bonus(D(3), D(8), P) == D("10.00")
    assert person_bonus(D(3), D(0), P) == D("3.00")


# -- the grade (R-STAFF-2..5, R-VETO-2) ---------------------------------------------------------------


def test_a_regular_persons_grade_is_computed_from_the_rate__R_STAFF_2_R_STAFF_3() -> None:
    """(1200 / 1200 × 0.7 + 0.96 × 0.3) × 100 + 0 = 98.80 → excellent; nothing missing."""
    g = grade_person(REGULAR, P)
    assert (g.monthly_mean_rate, g.rate, g.computed, g.graded, g.effective, g.missing) == (D(1), D("98.80"), Grade.EXCELLENT, Grade.EXCELLENT, Grade.EXCELLENT, [])


def test_a_regular_persons_party_grade_is_ignored__R_STAFF_3() -> None:
    assert grade_person(replace(REGULAR, party_grade=Grade.POOR), P).effective is Grade.EXCELLENT


def test_senior_staff_take_the_party_groups_grade__R_STAFF_4() -> None:
    """RULES.md R-STAFF-4: "their grade is the one the Party group records, with the computed
    figures shown beside it". Computed 98.80 → excellent; the Party group records good → good.
    Until it is recorded: no grade, and the result names what is missing."""
    senior = replace(REGULAR, senior=True)
    g = grade_person(replace(senior, party_grade=Grade.GOOD), P)
    assert (g.rate, g.computed, g.effective, g.missing) == (D("98.80"), Grade.EXCELLENT, Grade.GOOD, [])
    waiting = grade_person(senior, P)
    assert (waiting.rate, waiting.effective, waiting.missing) == (D("98.80"), None, [PARTY_GRADE_MISSING])


@pytest.mark.parametrize("senior", [False, True])
def test_exempt_person_takes_party_grade_whatever_their_age__R_STAFF_5(senior: bool) -> None:
    """RULES.md R-STAFF-5: "An exempt person still receives an annual grade, whatever their age:
    the one the Party group records". No monthly sheets, so no computed rate; the grade is the
    Party group's."""
    g = grade_person(replace(EXEMPT, senior=senior, party_grade=Grade.EXCELLENT), P)
    assert (g.monthly_mean_rate, g.rate, g.computed, g.effective, g.missing) == (None, None, None, Grade.EXCELLENT, [])


@pytest.mark.parametrize("senior", [False, True])
def test_exempt_person_without_party_grade_is_provisional_naming_it__R_STAFF_5(senior: bool) -> None:
    """Until the Party group records it, the result is provisional, naming the missing grade —
    and only that: an exempt person has no monthly sheets or democratic evaluation to wait for."""
    g = grade_person(replace(EXEMPT, senior=senior), P)
    assert (g.effective, g.missing) == (None, [PARTY_GRADE_MISSING])


def test_exempt_person_with_sheets_before_the_exemption_has_no_computed_rate__R_STAFF_5() -> None:
    g = grade_person(replace(EXEMPT, months=2, months_published=1, monthly_total=D(190), democratic_rate=D("0.9"), party_grade=Grade.FAIR), P)
    assert (g.rate, g.effective, g.missing) == (None, Grade.FAIR, [])


def test_grade_that_counts__R_STAFF_3_R_STAFF_4_R_STAFF_5() -> None:
    assert grade_that_counts(False, False, Grade.GOOD, Grade.POOR) is Grade.GOOD
    assert grade_that_counts(True, False, Grade.GOOD, Grade.POOR) is Grade.POOR
    assert grade_that_counts(False, True, None, Grade.FAIR) is Grade.FAIR
    assert grade_that_counts(False, True, None, None) is None


def test_what_keeps_a_regular_person_provisional__R_STAFF_1_R_STAFF_2() -> None:
    assert inputs_missing(replace(REGULAR, months=0, months_published=0, democratic_rate=None)) == ["no monthly sheets", "democratic evaluation"]
    assert inputs_missing(replace(REGULAR, months_published=10)) == ["2 monthly sheet(s) not published"]


def test_a_barred_excellent_becomes_good__R_VETO_2() -> None:
    """RULES.md R-VETO-2: "A barred person whose rate computes to excellent is graded good; the
    computed grade is shown beside it". 98.80 → computed excellent → graded good. A barred good
    or fair person keeps the grade."""
    g = grade_person(replace(REGULAR, barred=True), P)
    assert (g.computed, g.effective) == (Grade.EXCELLENT, Grade.GOOD)
    assert [barred_grade(grade, True) for grade in Grade] == [Grade.GOOD, Grade.GOOD, Grade.FAIR, Grade.POOR]
    assert barred_grade(Grade.EXCELLENT, False) is Grade.EXCELLENT and barred_grade(None, True) is None


def test_barring_applies_to_the_party_groups_grade_too__R_VETO_2_R_STAFF_4() -> None:
    assert grade_person(replace(REGULAR, senior=True, party_grade=Grade.EXCELLENT, barred=True), P).effective is Grade.GOOD
    assert grade_person(replace(EXEMPT, party_grade=Grade.EXCELLENT, barred=True), P).effective is Grade.GOOD


# -- the last-ranked person (R-UNIT-4) -------------------------------------------------------------------


def test_bottom_person_among_regular_only__R_UNIT_4() -> None:
    """RULES.md R-UNIT-4: persons are flagged "among regular persons (not senior, not exempt)
    with a rate". The senior at 60.00 and the exempt person are not in the group; of the regular
    persons (90.00, 85.00, 85.00, and one without a rate yet) the two at 85.00 are flagged."""
    rates = [
        ("S1", True, False, D("60.00")),  # senior: lowest of all, not flagged
        ("E1", False, True, None),  # exempt
        ("R1", False, False, D("90.00")),
        ("R2", False, False, D("85.00")),
        ("R3", False, False, D("85.00")),
        ("R4", False, False, None),  # provisional: no rate, not in the group
    ]
    assert bottom_persons(rates) == {"R2", "R3"}


def test_no_bottom_person_among_fewer_than_two_regular__R_UNIT_4() -> None:
    """One regular person and two seniors: the group of regular persons has one member → none."""
    assert bottom_persons([("R1", False, False, D("70.00")), ("S1", True, False, D("50.00")), ("S2", True, False, D("55.00"))]) == set()


# -- civil-servant grade (R-CS-1) --------------------------------------------------------------------------


def test_directly_excellent_head_is_excellent_outside_the_quota__R_UNIT_4_R_CS_1() -> None:
    """A top-3 branch head is 优秀 without a quota place, even before their own grade is in."""
    assert civil_servant_grade(Grade.GOOD, False, True) is CS.EXCELLENT
    assert civil_servant_grade(None, False, True) is CS.EXCELLENT
    assert civil_servant_grade(Grade.EXCELLENT, False, False) is CS.COMPETENT  # no place → 称职
    assert civil_servant_grade(Grade.EXCELLENT, True, False) is CS.EXCELLENT
    assert civil_servant_grade(None, False, False) is None


def test_dismissal_after_two_incompetent_years_in_a_row__R_CS_1() -> None:
    """RULES.md R-CS-1: "不称职 in two consecutive years → flagged for dismissal (辞退)"."""
    assert cs_flags(CS.INCOMPETENT, CS.INCOMPETENT) == ["criticism", "admonition", "off_duty_study", "demotion", DISMISSAL]
    assert DISMISSAL not in cs_flags(CS.INCOMPETENT, None)  # first year, or no result the year before
    assert DISMISSAL not in cs_flags(CS.INCOMPETENT, CS.BASICALLY_COMPETENT)
    assert DISMISSAL not in cs_flags(CS.COMPETENT, CS.INCOMPETENT)  # recovered


def test_flags_of_each_civil_servant_grade__R_CS_1() -> None:
    assert cs_flags(CS.BASICALLY_COMPETENT, None) == ["job_adjustment"]
    assert cs_flags(CS.COMPETENT, None) == [] and cs_flags(CS.EXCELLENT, CS.INCOMPETENT) == [] and cs_flags(None, CS.INCOMPETENT) == []


@pytest.mark.parametrize(
    ("kwargs", "eligible"),
    [
        ({"effective": Grade.EXCELLENT}, True),
        ({"effective": Grade.GOOD}, True),
        ({"effective": Grade.FAIR}, False),  # R-CS-1: 基本称职 loses every award eligibility
        ({"effective": None}, False),  # provisional
        ({"effective": Grade.GOOD, "barred": True}, False),  # R-VETO-2
        ({"effective": Grade.GOOD, "head_of_failing_unit": True}, False),  # R-UNIT-3
        ({"effective": Grade.GOOD, "exempt": True}, False),  # R-STAFF-5
    ],
)
def test_award_eligibility__R_CS_1_R_VETO_2_R_UNIT_3(kwargs: dict, eligible: bool) -> None:
    args = {"exempt": False, "effective": None, "barred": False, "head_of_failing_unit": False} | kwargs
    assert award_eligible(**args) is eligible


# -- payout (R-BONUS-T-1..3) -------------------------------------------------------------------------------

BASES = {"科员": D(8000), "副科级": D(10000)}


def _payout(**kw):  # type: ignore[no-untyped-def]
    args = dict(senior=False, exempt=False, grade=Grade.GOOD, position_grade="科员", former_position_grade=None, bases=BASES, deducted_points=D(3), point_value=D(50))
    return person_payout(**(args | kw))


def test_payout_uses_the_base_of_the_position_grade__R_BONUS_T_1_R_BONUS_T_3() -> None:
    """科员 8000 − 3 points × 50 yuan = 7850.00."""
    assert _payout().amount == D("7850.00")


def test_senior_excellent_is_paid_the_former_positions_base__R_BONUS_T_2() -> None:
    """Formerly 副科级 (10000), now 科员: senior excellent → 10000.00; without a former grade,
    the current base 8000.00."""
    assert _payout(senior=True, grade=Grade.EXCELLENT, former_position_grade="副科级").amount == D("10000.00")
    assert _payout(senior=True, grade=Grade.EXCELLENT).amount == D("8000.00")


def test_exempt_is_paid_nothing_even_without_bases__R_BONUS_T_2_R_STAFF_5() -> None:
    assert (_payout(exempt=True, grade=Grade.EXCELLENT).amount, _payout(exempt=True, bases=None, point_value=None).missing) == (D("0.00"), [])


def test_payout_waits_for_the_bases__R_BONUS_T_1() -> None:
    assert (_payout(bases=None, point_value=None).amount, _payout(bases=None, point_value=None).missing) == (None, ["target-bonus bases"])
    assert _payout(position_grade="正科级").missing == ["target-bonus base for 正科级"]
    assert _payout(grade=None).amount is None


def test_a_payout_names_the_base_it_starts_from_and_the_money_deducted__R_BONUS_T_2_R_BONUS_T_3() -> None:
    """科员 graded good, base 8000, 15 deducted points at 50 yuan: 8000 − 15 × 50 = 8000 − 750 = 7250.00.
    A senior excellent who was 正科级 (12000), now 一级主任科员 (9500): the former base 12000, nothing
    deducted. Fair, regular: the base is 8000, the amount 8000 / 2 − 750 = 3250.00."""
    from decimal import Decimal

    from ledger.domain.annual import Grade
    from ledger.domain.annual_persons import person_payout

    bases = {"科员": Decimal("8000"), "正科级": Decimal("12000"), "一级主任科员": Decimal("9500")}
    common = dict(exempt=False, bases=bases, deducted_points=Decimal("15"), point_value=Decimal("50"))
    good = person_payout(senior=False, grade=Grade.GOOD, position_grade="科员", former_position_grade=None, **common)
    assert (good.base, good.deduction, good.amount) == (Decimal("8000"), Decimal("750.00"), Decimal("7250.00"))
    senior = person_payout(senior=True, grade=Grade.EXCELLENT, position_grade="一级主任科员", former_position_grade="正科级", **common)
    assert (senior.base, senior.deduction, senior.amount) == (Decimal("12000"), Decimal("0.00"), Decimal("12000.00"))
    fair = person_payout(senior=False, grade=Grade.FAIR, position_grade="科员", former_position_grade=None, **common)
    assert (fair.base, fair.deduction, fair.amount) == (Decimal("8000"), Decimal("750.00"), Decimal("3250.00"))
