"""Annual results (RULES.md §4–5) through the real application on a SQLite file: given the small
bureau's events → bonus, veto, evaluation commands → the figures of AnnualResults.year(2026).

The small bureau has three monthly sheets per person (2026-01..03), one key-work quarter
(2026-Q1) and one routine / half-year sheet (2026-H1) per unit; every mean runs over those."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.clock import Clock
from ledger.application import commands as c
from ledger.domain.errors import DomainError
from tests.conftest import LEADING, OFFICE, PARTY, SUPERVISION, Bureau

PEOPLE = ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10", "P11"]
CERT = [c.Evidence(kind="certificate", ref="荣誉证书 2026-017")]


def year(bureau: Bureau) -> dict[str, Any]:
    return bureau.service.annual.year(2026)


def person(bureau: Bureau, code: str) -> dict[str, Any]:
    return year(bureau)["persons_by_code"][code]


def unit(bureau: Bureau, code: str) -> dict[str, Any]:
    return next(u for u in year(bureau)["units"] if u["unit"] == code)


def refused(bureau: Bureau, actor: Any, command: c.Command, code: str) -> None:
    before = bureau.events()
    with pytest.raises(DomainError) as error:
        bureau.run(actor, command)
    assert error.value.code == code
    assert bureau.events() == before


@pytest.fixture
def closing(bureau: Bureau) -> Bureau:
    """Democratic rates 0.96 for everyone, grassroots rates for the departments, bonus items."""
    for p in PEOPLE:
        bureau.run(OFFICE, c.RecordDemocraticRate(year=2026, person=p, rate="0.96"))
    bureau.run(OFFICE, c.RecordGrassrootsRate(year=2026, unit="D01", rate="0.88"))
    bureau.run(OFFICE, c.RecordGrassrootsRate(year=2026, unit="D02", rate="0.90"))
    bureau.run(OFFICE, c.DefineBonusItem(year=2026, code="U1", title="受市级表彰", points="3", requirement="commendation", applies_to="unit"))
    bureau.run(OFFICE, c.DefineBonusItem(year=2026, code="S1", title="个人受表彰", points="4", requirement="commendation", applies_to="person"))
    bureau.run(OFFICE, c.DefineBonusItem(year=2026, code="S2", title="承担试点", points="4", requirement="innovation_pilot", applies_to="person"))
    bureau.service.ledger.clock = Clock(date(2026, 11, 20))
    return bureau


def claim(bureau: Bureau, actor: Any, ref: str, *, unit: str | None = None, person: str | None = None, item: str = "S1", evidence: list[c.Evidence] = CERT, earned: date = date(2026, 6, 1), dated: date = date(2026, 6, 20), year: int = 2026) -> dict[str, Any]:  # noqa: E501
    return bureau.run(actor, c.FileBonusClaim(year=year, unit=unit, person=person, item=item, basis="市局表彰", basis_ref=ref, earned_on=earned, document_dated=dated, evidence=evidence))


# -- bonuses (R-BONUS-1..5) -----------------------------------------------------------------------


def test_an_approved_unit_bonus_counts_for_the_unit_and_its_staff_R_BONUS_1_R_BONUS_5(closing: Bureau) -> None:
    """B01 is commended (3 points): B01 = (1.00 × 50% + 1.00 × 50%) × 100 + 3 = 103.00; each B01
    person's rate gains the same 3: (1.00 × 70% + 0.96 × 30%) × 100 + 3 = 70 + 28.8 + 3 = 101.80."""
    claim(closing, closing.head_b01, "市工商〔2026〕8号", unit="B01", item="U1")
    assert unit(closing, "B01")["score"] == "100.00", "a filed claim counts only when approved"
    closing.run(OFFICE, c.ApproveBonusClaim(target="B01", basis_ref="市工商〔2026〕8号"))
    assert unit(closing, "B01")["score"] == "103.00"
    assert (person(closing, "P02")["bonus"], person(closing, "P02")["annual_rate"]) == ("3.00", "101.80")
    assert person(closing, "P06")["annual_rate"] == "98.80", "B02's staff get nothing: 70 + 28.8"


def test_a_rejected_claim_counts_nothing_R_BONUS_1(closing: Bureau) -> None:
    claim(closing, closing.staff_p02, "区政府〔2026〕3号", person="P02")
    closing.run(OFFICE, c.RejectBonusClaim(target="P02", basis_ref="区政府〔2026〕3号", reason="表彰单位级别不符"))
    assert person(closing, "P02")["annual_rate"] == "98.80"
    [row] = closing.service.queries.bonus_claims(year=2026, target="P02")
    assert (row["status"], row["decision_reason"], row["decided_by"]) == ("rejected", "表彰单位级别不符", "office")


@pytest.mark.parametrize("kinds", [["oral_praise"], ["briefing_mention"], ["oral_praise", "briefing_mention"], ["copy"]])
def test_oral_praise_and_briefing_mentions_earn_nothing_R_BONUS_2(closing: Bureau, kinds: list[str]) -> None:
    """A commendation needs the document, certificate or plaque; a copy is not enough for it."""
    evidence = [c.Evidence(kind=k, ref="局长讲话") for k in kinds]
    refused(closing, closing.staff_p02, c.FileBonusClaim(year=2026, person="P02", item="S1", basis="受表扬", basis_ref="x-1", earned_on=date(2026, 5, 1), document_dated=date(2026, 5, 2), evidence=evidence), "EVIDENCE_INSUFFICIENT")


def test_a_pilot_is_proved_by_a_meeting_notice_or_copy_R_BONUS_2(closing: Bureau) -> None:
    out = claim(closing, closing.staff_p02, "试点通知-5", person="P02", item="S2", evidence=[c.Evidence(kind="copy", ref="会议通知复印件")])
    assert out["claim"] == "P02:试点通知-5"


def test_a_basis_is_claimed_once_and_a_late_document_carries_over_once_R_BONUS_3(closing: Bureau) -> None:
    """Earned 20 November 2026, document dated 5 December 2026 (after the 30 November cut-off):
    not claimable in 2026, claimable in 2027 as a carry-over, and only once."""
    refused(closing, closing.staff_p02, c.FileBonusClaim(year=2026, person="P02", item="S1", basis="b", basis_ref="市〔2026〕99号", earned_on=date(2025, 6, 1), document_dated=date(2025, 7, 1), evidence=CERT), "CLAIM_YEAR_INVALID")
    closing.run(OFFICE, c.PlanYear(year=2027))
    closing.run(OFFICE, c.DefineBonusItem(year=2027, code="S1", title="个人受表彰", points="4", requirement="commendation", applies_to="person"))
    closing.service.ledger.clock = Clock(date(2027, 3, 1))
    out = claim(closing, closing.staff_p02, "市〔2026〕99号", person="P02", earned=date(2026, 11, 20), dated=date(2026, 12, 5), year=2027)
    assert out["carried_over"] is True
    refused(closing, closing.staff_p02, c.FileBonusClaim(year=2027, person="P02", item="S1", basis="b", basis_ref="市〔2026〕99号", earned_on=date(2026, 11, 20), document_dated=date(2026, 12, 5), evidence=CERT), "BASIS_ALREADY_CLAIMED")


def test_a_claim_after_30_november_is_accepted_and_marked_late_R_BONUS_1_R_CAL_3(closing: Bureau) -> None:
    closing.service.ledger.clock = Clock(date(2026, 12, 2))
    claim(closing, closing.staff_p02, "迟报-1", person="P02")
    [row] = closing.service.queries.bonus_claims(year=2026, target="P02")
    assert row["late"] is True


def test_the_cap_of_ten_includes_the_shared_unit_bonus_R_BONUS_4_R_BONUS_5(closing: Bureau) -> None:
    """P02: personal 4 + 4, unit B01 3 → 11 claimed, 10 counted. Rate = 70 + 28.8 + 10 = 108.80.
    P03 (unit bonus only): 3 → 70 + 28.8 + 3 = 101.80."""
    pilot = [c.Evidence(kind="meeting_notice", ref="试点工作会议通知")]
    for ref, item, evidence in (("表彰-A", "S1", CERT), ("试点-B", "S2", pilot)):
        claim(closing, closing.staff_p02, ref, person="P02", item=item, evidence=evidence)
        closing.run(OFFICE, c.ApproveBonusClaim(target="P02", basis_ref=ref))
    claim(closing, closing.head_b01, "市工商〔2026〕8号", unit="B01", item="U1")
    closing.run(OFFICE, c.ApproveBonusClaim(target="B01", basis_ref="市工商〔2026〕8号"))
    assert (person(closing, "P02")["bonus"], person(closing, "P02")["annual_rate"]) == ("10.00", "108.80")
    assert person(closing, "P03")["annual_rate"] == "101.80"


# -- vetoes (R-VETO-1/2) ---------------------------------------------------------------------------


def test_a_veto_fails_the_unit_and_bars_its_head_and_the_named_from_excellent_R_VETO_1_R_VETO_2(closing: Bureau) -> None:
    """RULES.md R-VETO-2: "A vetoed unit does not meet the standard whatever its score; the unit,
    its head and the named persons are barred from every year-end award and from the excellent
    grade. A barred person whose rate computes to excellent is graded good; the computed grade is
    shown beside it." B02 scores 100.00 but is vetoed: not standard; its head P05 and the named P06
    would be 98.80 (excellent) and are graded good, excellent shown as the computed grade."""
    refused(closing, OFFICE, c.ImposeVeto(code="V1", year=2026, unit="B02", kind="safety_accident", persons=["P06"], occurred_on=date(2026, 3, 1), reason="x", decision_ref="r"), "FORBIDDEN")
    closing.run(LEADING, c.ImposeVeto(code="V1", year=2026, unit="B02", kind="safety_accident", persons=["P06"], occurred_on=date(2026, 3, 1), reason="仓库火灾受追责", decision_ref="绩领〔2026〕10号"))
    b02 = unit(closing, "B02")
    assert (b02["score"], b02["vetoed"], b02["meets_standard"]) == ("100.00", True, False)
    p06 = person(closing, "P06")
    assert (p06["excellent_barred"], p06["annual_rate"], p06["computed_grade"], p06["grade"], p06["award_eligible"]) == (True, "98.80", "excellent", "good", False)
    assert person(closing, "P05")["excellent_barred"] and not person(closing, "P05")["direct_excellent"]
    assert person(closing, "P07")["grade"] == "excellent", "an unnamed member keeps the grade"
    closing.run(LEADING, c.LiftVeto(code="V1", reason="上级认定不属责任事故", decision_ref="绩领〔2026〕11号"))
    assert unit(closing, "B02")["meets_standard"] is True
    refused(closing, LEADING, c.LiftVeto(code="V1", reason="again", decision_ref="r"), "VETO_ALREADY_LIFTED")


# -- units (R-UNIT-1..4) ---------------------------------------------------------------------------


def test_unit_scores_outcomes_and_ranks_R_UNIT_1_R_UNIT_2_R_UNIT_3_R_UNIT_4(closing: Bureau) -> None:
    """B01: key Q1 100 − 16 = 84 → 0.84; routine 1.00 → (0.84 × 50% + 1.00 × 50%) × 100 = 92.00.
    B02: 100.00 → rank 1; B01 rank 2. D01: half 100 − 1 = 99 → (0.99 × 70% + 0.88 × 30%) × 100
    = 69.3 + 26.4 = 95.70; D02: (1.00 × 70% + 0.90 × 30%) × 100 = 97.00."""
    closing.run(closing.assessor, c.RecordDeduction(unit="B01", track="key", points="16", item="K1", basis="未完成", occurred_on=date(2026, 2, 10), responsible=[c.Responsible(person="P03", points="1")]))
    closing.run(closing.other_assessor, c.RecordDeduction(unit="D01", points="1", basis="滞后", occurred_on=date(2026, 3, 2), responsible=[c.Responsible(person="P09")]))
    assert [(u["unit"], u["score"], u["rank"]) for u in year(closing)["units"]] == [("B01", "92.00", 2), ("B02", "100.00", 1), ("D01", "95.70", 2), ("D02", "97.00", 1)]
    assert unit(closing, "B01")["meets_standard"] is True


def test_branches_with_equal_scores_share_a_rank_R_UNIT_4(closing: Bureau) -> None:
    """B01 and B02 both 100.00 → rank 1 and 1; both heads graded excellent outside the quota."""
    ranks = {u["unit"]: u["rank"] for u in year(closing)["units"] if u["kind"] == "branch"}
    assert ranks == {"B01": 1, "B02": 1}
    assert year(closing)["summary"]["direct_excellent_heads"] == ["P01", "P05"]


# -- staff (R-STAFF-1..5) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "rate", "grade"),
    [
        ("15", "95.00", "excellent"),  # 285 / 300 = 0.95 → 66.5 + 28.5 = 95.00 exactly
        ("15.02", "95.00", "excellent"),  # 284.98 / 300 × 70 = 66.495333… + 28.5 = 94.995333… → 95.00
        ("15.03", "94.99", "good"),  # 284.97 / 300 × 70 = 66.493 + 28.5 = 94.993 → 94.99
    ],
)
def test_a_grade_at_and_around_95_after_rounding_R_STAFF_2_R_STAFF_3(closing: Bureau, points: str, rate: str, grade: str) -> None:
    """P02 with democratic rate 0.95 and a January deduction: the grade is on the rounded rate."""
    closing.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P02", rate="0.95"))
    closing.run(SUPERVISION, c.RecordDeduction(person="P02", points=points, basis="违纪", occurred_on=date(2026, 1, 8), form_no="JC-1"))
    p = person(closing, "P02")
    assert (p["annual_rate"], p["grade"]) == (rate, grade)


def test_senior_staff_take_the_party_groups_grade_and_the_exempt_are_paid_nothing_R_STAFF_4_R_STAFF_5(closing: Bureau) -> None:
    """P12, a man born 1 March 1968, is 58 on 30 November 2026: senior. He joined in March, so his
    mean runs over one month (100 / 100 = 1.00): 70 + 27 = 97.00, but his grade is the Party
    group's comprehensive grade (good). P13 (exempt from daily assessment) is paid 0; her grade is
    the Party group's too, and until it records one her result is provisional, naming it
    (R-STAFF-5: "until it is recorded their result is provisional, naming the missing grade")."""
    for code, name, birth in (("P12", "郑国庆", date(1968, 3, 1)), ("P13", "钱秀英", date(1970, 2, 2))):
        closing.run(OFFICE, c.EnrolPerson(code=code, name=name, gender="male" if code == "P12" else "female", birth_date=birth, unit="D02", joined_on=date(2026, 3, 1)))
        closing.run(OFFICE, c.OpenSheet(target=code, period="2026-03", track="monthly"))
        closing.run(OFFICE, c.RecordDemocraticRate(year=2026, person=code, rate="0.90"))
    closing.run(PARTY, c.RecordComprehensiveGrade(year=2026, person="P12", grade="good"))
    closing.run(PARTY, c.ApproveExemption(year=2026, person="P13", reason="因病长期休养", application_ref="免考申〔2026〕2号"))
    closing.run(PARTY, c.SetTargetBonus(year=2026, bases={"科员": "8000"}, point_value="50"))
    p12, p13 = person(closing, "P12"), person(closing, "P13")
    assert (p12["age_class"], p12["months"], p12["annual_rate"], p12["grade"]) == ("senior", 1, "97.00", "good")
    assert (p13["exempt"], p13["payout_yuan"]) == (True, "0.00")
    assert (p13["grade"], p13["provisional"], p13["missing"]) == (None, True, ["Party group comprehensive grade"])
    closing.run(PARTY, c.RecordComprehensiveGrade(year=2026, person="P13", grade="good"))
    p13 = person(closing, "P13")
    assert (p13["grade"], p13["cs_grade"], p13["payout_yuan"], p13["provisional"]) == ("good", "competent", "0.00", False)


# -- quota and payout (R-CS-1/2, R-BONUS-T-1..3) --------------------------------------------------------


def test_the_quota_binds_within_a_tier_R_CS_1_R_CS_2(closing: Bureau) -> None:
    """11 persons; the two branch heads P01, P05 are excellent outside the quota → 9 evaluated,
    15% × 9 = 1.35 → 1 place; tiers middle_head 2, middle_deputy 1, other 6: shares 0.22, 0.11,
    0.67 → the place goes to 'other'. Six 'other' persons are excellent; P02 (democratic 0.99:
    70 + 29.7 = 99.70) has the best rate and takes it; the others stay 称职."""
    closing.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P02", rate="0.99"))
    result = year(closing)
    assert result["summary"]["quota"]["other"] == {"size": 6, "places": 1, "used": 1}
    cs = {code: r["cs_grade"] for code, r in result["persons_by_code"].items()}
    assert cs["P02"] == "excellent" and cs["P01"] == cs["P05"] == "excellent"
    assert [code for code, g in cs.items() if g == "excellent"] == ["P01", "P02", "P05"]
    assert cs["P03"] == "competent"


def test_payout_subtracts_the_heads_doubled_deduction_R_BONUS_T_2_R_BONUS_T_3_R_CASCADE_2(closing: Bureau) -> None:
    """RULES.md R-CASCADE-2: "the unit head is deducted 2 × p in the head's monthly sheet ... 'The
    unit head' is the head who failed to deduct: the head, on the day the fact occurred, of the
    unit the person belonged to that day. Through R-BONUS-T-3 this also doubles the head's
    target-bonus deduction." A missed finding of 1.5 on P03 (B01, head P01 on 15 January): P01
    loses 2 × 1.5 = 3 points. Base 8000, 50 yuan a point: P01 8000 − 3 × 50 = 7850.00; P03
    8000 − 1.5 × 50 = 7925.00."""
    closing.run(PARTY, c.SetTargetBonus(year=2026, bases={"科员": "8000"}, point_value="50"))
    closing.run(OFFICE, c.RecordMissedDeduction(person="P03", points="1.5", basis="未扣", occurred_on=date(2026, 1, 15), found_on=date(2026, 2, 20)))
    assert (person(closing, "P01")["payout_yuan"], person(closing, "P03")["payout_yuan"]) == ("7850.00", "7925.00")


def test_two_years_incompetent_in_a_row_flags_dismissal_R_CS_1(closing: Bureau) -> None:
    """P07 scores 0 in every month of 2025 (one month, 2025-12) and 2026 with democratic 0.50:
    rate = 0 × 70% + 50 × 30% = 15.00 → poor → 不称职 both years → dismissal flag in 2026."""
    closing.run(OFFICE, c.PlanYear(year=2025))
    closing.run(OFFICE, c.OpenPeriod(period="2025-12"))
    closing.run(OFFICE, c.RecordDemocraticRate(year=2025, person="P07", rate="0.50"))
    closing.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P07", rate="0.50"))
    closing.run(SUPERVISION, c.RecordDeduction(person="P07", points="100", basis="旷工", occurred_on=date(2025, 12, 3), form_no="JC-0"))
    for month in ("01", "02", "03"):
        closing.run(SUPERVISION, c.RecordDeduction(person="P07", points="50", basis="旷工", occurred_on=date(2026, int(month), 3), form_no=f"JC-{month}", item="M1"))
        closing.run(SUPERVISION, c.RecordDeduction(person="P07", points="50", basis="旷工", occurred_on=date(2026, int(month), 4), form_no=f"JC-{month}b", item="M2"))
    last = closing.service.annual.year(2025)["persons_by_code"]["P07"]
    now = person(closing, "P07")
    assert (last["annual_rate"], last["cs_grade"]) == ("15.00", "incompetent")
    assert (now["annual_rate"], now["cs_grade"]) == ("15.00", "incompetent")
    assert "dismissal" in now["flags"] and "dismissal" not in last["flags"]
    from projections.crossyear import CrossYear

    runs = CrossYear(closing.service.view()).incompetent_runs()
    assert {"person": "P07", "years": [2025, 2026]} in runs, "R-Q-3: the two-year run across years"


def test_live_annual_results_equal_a_rebuild(closing: Bureau) -> None:
    claim(closing, closing.head_b01, "市工商〔2026〕8号", unit="B01", item="U1")
    closing.run(OFFICE, c.ApproveBonusClaim(target="B01", basis_ref="市工商〔2026〕8号"))
    closing.run(LEADING, c.ImposeVeto(code="V1", year=2026, unit="B02", kind="unlawful_act", persons=[], occurred_on=date(2026, 3, 1), reason="x", decision_ref="r"))
    closing.run(SUPERVISION, c.RecordDeduction(person="P02", points="3.33", basis="违纪", occurred_on=date(2026, 1, 8), form_no="JC-1"))
    live = year(closing)
    closing.service.rebuild()
    assert year(closing) == live


def test_bases_per_position_grade_and_the_value_of_a_point_R_BONUS_T_1(closing: Bureau) -> None:
    """The Party group sets 科员 8000 and 副科级 10000 yuan, 40 yuan a point. P03 becomes 副科级:
    10000 − 0 = 10000.00; P02 (科员) loses 2 points: 8000 − 2 × 40 = 7920.00. Only the Party group
    sets them."""
    refused(closing, OFFICE, c.SetTargetBonus(year=2026, bases={"科员": "8000"}, point_value="40"), "FORBIDDEN")
    closing.run(OFFICE, c.ChangePosition(person="P03", tier="middle_deputy", position_grade="副科级"))
    closing.run(PARTY, c.SetTargetBonus(year=2026, bases={"科员": "8000", "副科级": "10000"}, point_value="40"))
    closing.run(SUPERVISION, c.RecordDeduction(person="P02", points="2", basis="迟到", occurred_on=date(2026, 2, 3), form_no="JC-5"))
    assert (person(closing, "P03")["payout_yuan"], person(closing, "P02")["payout_yuan"]) == ("10000.00", "7920.00")
