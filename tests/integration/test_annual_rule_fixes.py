"""The annual rules RULES.md now states, through the real application on a SQLite file: given the
small bureau's events → the commands of each story → the figures of AnnualResults.year(2026).

R-STAFF-5 (an exempt person's grade is the Party group's, whatever their age), R-CS-2 (exempt
persons count in the quota base; equal remainders go to the larger tier, then middle_head,
middle_deputy, other) and R-UNIT-4 (the last-ranked person among regular persons only).

In the small bureau every person has three published-or-open monthly sheets of 100 and, here,
democratic rate 0.96: (300 / 300 × 70% + 0.96 × 30%) × 100 = 70 + 28.8 = 98.80 → excellent.
Both branches score 100.00 and rank 1, so their heads P01 and P05 are excellent directly, outside
the quota (R-UNIT-4)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.service import LedgerService
from ledger.application import commands as c
from ledger.demo.bureau import build_demo
from ledger.domain.errors import DomainError
from tests.conftest import OFFICE, PARTY, SUPERVISION, Bureau

PEOPLE = ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10", "P11"]


@pytest.fixture
def closing(bureau: Bureau) -> Bureau:
    for p in PEOPLE:
        bureau.run(OFFICE, c.RecordDemocraticRate(year=2026, person=p, rate="0.96"))
    bureau.run(OFFICE, c.RecordGrassrootsRate(year=2026, unit="D01", rate="0.88"))
    bureau.run(OFFICE, c.RecordGrassrootsRate(year=2026, unit="D02", rate="0.90"))
    return bureau


def year(bureau: Bureau) -> dict[str, Any]:
    return bureau.service.annual.year(2026)


def person(bureau: Bureau, code: str) -> dict[str, Any]:
    return year(bureau)["persons_by_code"][code]


def exempt(bureau: Bureau, code: str, name: str, born: date, gender: str = "female", tier: str = "other") -> None:
    """Enrol a person in D02 and exempt them from daily assessment (no monthly sheets)."""
    bureau.run(OFFICE, c.EnrolPerson(code=code, name=name, gender=gender, birth_date=born, unit="D02", tier=tier, joined_on=date(2026, 1, 1)))
    bureau.run(PARTY, c.ApproveExemption(year=2026, person=code, reason="因公长期借调", application_ref=f"免考申〔2026〕{code}"))


# -- R-STAFF-5 --------------------------------------------------------------------------------------------


def test_exempt_regular_person_takes_the_party_grade_and_is_provisional_until_then__R_STAFF_5(closing: Bureau) -> None:
    """RULES.md R-STAFF-5: "An exempt person still receives an annual grade, whatever their age:
    the one the Party group records (as in R-STAFF-4); until it is recorded their result is
    provisional, naming the missing grade ... not a candidate for a 优秀 place."

    P12, a woman born 1990 (36: regular), is exempt. Before the exemption the Party group may not
    grade her (her grade would be computed); once exempt, she is provisional until it does; it
    records excellent: her grade is excellent, but she takes no quota place, so she is 称职; and she
    is paid nothing (R-BONUS-T-2)."""
    closing.run(OFFICE, c.EnrolPerson(code="P12", name="孙悦", gender="female", birth_date=date(1990, 5, 5), unit="D02", joined_on=date(2026, 1, 1)))
    before = closing.events()
    with pytest.raises(DomainError) as refused:
        closing.run(PARTY, c.RecordComprehensiveGrade(year=2026, person="P12", grade="excellent"))
    assert refused.value.code == "INVALID_INPUT" and closing.events() == before
    closing.run(PARTY, c.ApproveExemption(year=2026, person="P12", reason="因公长期借调", application_ref="免考申〔2026〕5号"))
    closing.run(PARTY, c.SetTargetBonus(year=2026, bases={"科员": "8000"}, point_value="50"))
    waiting = person(closing, "P12")
    assert (waiting["age_class"], waiting["exempt"], waiting["grade"], waiting["provisional"]) == ("regular", True, None, True)
    assert waiting["missing"] == ["Party group comprehensive grade"]
    closing.run(PARTY, c.RecordComprehensiveGrade(year=2026, person="P12", grade="excellent"))
    p12 = person(closing, "P12")
    assert (p12["grade"], p12["annual_rate"], p12["provisional"], p12["missing"]) == ("excellent", None, False, [])
    assert (p12["quota_place"], p12["cs_grade"], p12["payout_yuan"], p12["award_eligible"]) == (False, "competent", "0.00", False)


def test_an_exempt_seniors_recorded_grade_counts__R_STAFF_4_R_STAFF_5(closing: Bureau) -> None:
    """P13, a woman born 1970 (56: senior), exempt: the Party group's fair is her grade (it was
    once ignored for an exempt person, who then had no grade at all): 一般 → 基本称职, flagged for
    job adjustment (R-CS-1)."""
    exempt(closing, "P13", "钱秀英", date(1970, 2, 2))
    assert person(closing, "P13")["missing"] == ["Party group comprehensive grade"]
    closing.run(PARTY, c.RecordComprehensiveGrade(year=2026, person="P13", grade="fair"))
    p13 = person(closing, "P13")
    assert (p13["age_class"], p13["grade"], p13["cs_grade"], p13["flags"], p13["provisional"]) == ("senior", "fair", "basically_competent", ["job_adjustment"], False)


def test_a_regular_person_who_is_not_exempt_is_not_graded_by_the_party_group__R_STAFF_3_R_STAFF_5(closing: Bureau) -> None:
    before = closing.events()
    with pytest.raises(DomainError) as refused:
        closing.run(PARTY, c.RecordComprehensiveGrade(year=2026, person="P02", grade="poor"))
    assert refused.value.code == "INVALID_INPUT" and closing.events() == before
    assert person(closing, "P02")["grade"] == "excellent"


# -- R-CS-2: the quota base ------------------------------------------------------------------------------------


def test_exempt_persons_count_among_the_persons_evaluated__R_CS_2_R_STAFF_5(closing: Bureau) -> None:
    """11 persons, minus the directly-excellent heads P01 and P05 → 9 evaluated: 9 × 15% = 1.35 →
    1 place. Five exempt 'other' persons join (one still without a Party grade: provisional, counted
    all the same) → 14 evaluated: 14 × 15% = 2.1 → 2 places. Tiers middle_head 2, middle_deputy 1,
    other 6 + 5 = 11: shares 2×2/14 = 0.29, 2×1/14 = 0.14, 2×11/14 = 1.57 → whole parts 0, 0, 1;
    the place left goes to the largest remainder, other's 0.57 → other 2.
    The six regular 'other' persons tie at 98.80 and democratic 0.96, so names decide: 刘芳 (P06,
    刘 U+5218) and 周涛 (P09, 周 U+5468). The exempt persons, excellent by the Party group, take none."""
    assert (year(closing)["summary"]["persons_evaluated"], year(closing)["summary"]["quota"]["other"]["places"]) == (9, 1)
    for i, name in enumerate(["甲", "乙", "丙", "丁", "戊"], start=21):
        exempt(closing, f"P{i}", f"赵{name}", date(1985, 1, i))
        if i != 25:
            closing.run(PARTY, c.RecordComprehensiveGrade(year=2026, person=f"P{i}", grade="excellent"))
    result = year(closing)
    summary = result["summary"]
    assert (summary["persons_evaluated"], summary["quota_base"]) == (14, 14)
    assert summary["quota"] == {"middle_head": {"size": 2, "places": 0, "used": 0}, "middle_deputy": {"size": 1, "places": 0, "used": 0}, "other": {"size": 11, "places": 2, "used": 2}}
    assert sorted(code for code, r in result["persons_by_code"].items() if r["quota_place"]) == ["P06", "P09"]
    assert result["persons_by_code"]["P25"]["provisional"] is True


# -- R-CS-2: equal remainders ------------------------------------------------------------------------------------


def test_equal_remainders_go_to_middle_head_before_middle_deputy__R_CS_2(closing: Bureau) -> None:
    """RULES.md R-CS-2: "equal remainders go to the larger tier, then in tier order middle_head,
    middle_deputy, other". P06 and P07 leave the cadre-management authority; P11 becomes a
    middle_head, P03 and P09 middle_deputy. Evaluated (P01, P05 directly excellent, outside):
    middle_head P08, P10, P11 (3), middle_deputy P03, P04, P09 (3), other P02 (1) → 7 × 15% = 1.05
    → 1 place; shares 3/7, 3/7, 1/7: two equal claims from tiers of equal size → middle_head.
    All tie at 98.80 / 0.96, so name order: 吴海峰 (P10, 吴 U+5434) before 徐静 and 黄丽.
    (By the tiers' English names the place would have gone to middle_deputy, to 周涛 P09.)"""
    for code in ("P06", "P07"):
        closing.run(OFFICE, c.SetAuthority(person=code, in_authority=False))
    closing.run(OFFICE, c.ChangePosition(person="P11", tier="middle_head", position_grade="正科级"))
    for code in ("P03", "P09"):
        closing.run(OFFICE, c.ChangePosition(person=code, tier="middle_deputy", position_grade="副科级"))
    result = year(closing)
    assert {tier: (q["size"], q["places"]) for tier, q in result["summary"]["quota"].items()} == {"middle_head": (3, 1), "middle_deputy": (3, 0), "other": (1, 0)}
    assert [code for code, r in result["persons_by_code"].items() if r["quota_place"]] == ["P10"]
    assert (result["persons_by_code"]["P10"]["cs_grade"], result["persons_by_code"]["P09"]["cs_grade"]) == ("excellent", "competent")


# -- R-UNIT-4: the last-ranked person ------------------------------------------------------------------------------


def test_the_last_ranked_person_is_flagged_among_regular_persons_only__R_UNIT_4(closing: Bureau) -> None:
    """RULES.md R-UNIT-4: persons are flagged "among regular persons (not senior, not exempt) with
    a rate". P03 loses 6 points in January: 294 / 300 = 0.98 → 68.6 + 28.8 = 97.40, the lowest
    regular rate (the others 98.80). P12, senior (born 1968), joined in March with one sheet and
    a 10-point deduction: 90 / 100 = 0.90 → 63 + 28.8 = 91.80, lower still, but a senior is not
    in the group; nor is the exempt P13 (no rate). Only P03 is flagged."""
    closing.run(SUPERVISION, c.RecordDeduction(person="P03", points="6", basis="违纪", occurred_on=date(2026, 1, 8), form_no="JC-1"))
    closing.run(OFFICE, c.EnrolPerson(code="P12", name="郑国庆", gender="male", birth_date=date(1968, 3, 1), unit="D02", joined_on=date(2026, 3, 1)))
    closing.run(OFFICE, c.OpenSheet(target="P12", period="2026-03", track="monthly"))
    closing.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P12", rate="0.96"))
    closing.run(PARTY, c.RecordComprehensiveGrade(year=2026, person="P12", grade="good"))
    closing.run(SUPERVISION, c.RecordDeduction(person="P12", points="10", basis="违纪", occurred_on=date(2026, 3, 9), form_no="JC-2"))
    exempt(closing, "P13", "钱秀英", date(1970, 2, 2))
    persons = year(closing)["persons_by_code"]
    assert (persons["P03"]["annual_rate"], persons["P12"]["annual_rate"], persons["P12"]["age_class"]) == ("97.40", "91.80", "senior")
    assert [code for code, r in persons.items() if r["bottom"]] == ["P03"]


# -- the demo year -------------------------------------------------------------------------------------------------


def test_the_demo_year_closes_final_with_its_exempt_person_graded__R_STAFF_5_R_CS_2(tmp_path: Path) -> None:
    """The demo exempts one senior person; closing the year, the Party group grades them, so no
    person's result is left provisional, and they count among the persons evaluated."""
    service = LedgerService(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        bureau = build_demo(service.ledger)
        result = service.annual.year(bureau.year)
        exempted = result["persons_by_code"][bureau.notes["exempt"]]
        assert (exempted["exempt"], exempted["grade"], exempted["provisional"], exempted["quota_place"]) == (True, "good", False, False)
        assert result["summary"]["persons_provisional"] == 0
        base = [r for r in result["persons"] if not r["direct_excellent"]]
        assert result["summary"]["persons_evaluated"] == len(base) == sum(q["size"] for q in result["summary"]["quota"].values())
    finally:
        service.close()


def test_the_party_group_grades_whom_the_plans_ages_make_senior__R_ORG_3_R_STAFF_4_R_PLAN_2(bureau: Bureau) -> None:
    """P10 (born 1972-07-07) is 54 on the cut-off 2026-11-30: regular under the rule's 56, so the
    Party group's grade is refused; once the leading group sets the plan's age to 54, P10 is
    senior both for the review and for the annual results."""
    from tests.conftest import LEADING

    grade = c.RecordComprehensiveGrade(year=2026, person="P10", grade="good")
    with pytest.raises(DomainError):
        bureau.run(PARTY, grade)
    bureau.run(LEADING, c.ChangePolicy(
        year=2026, key="senior_age_male", value="54", reason="按上级规定调整", decision_ref="绩领〔2026〕9号", effective_from=date(2026, 1, 1),
    ))  # fmt: skip
    bureau.run(PARTY, grade)
    row = next(r for r in bureau.service.view().annual.year(2026)["persons"] if r["person"] == "P10")
    assert (row["age_class"], row["party_grade"]) == ("senior", "good")
