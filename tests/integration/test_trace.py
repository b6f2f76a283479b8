"""R-Q-2: every figure explained as a tree down to its entries, including those that no longer
count (with the correction that removed them) and cascades under the unit entry they came from.
Expectations are built by hand from the story told in each test."""

from __future__ import annotations

from datetime import date

from ledger.application import commands as c
from projections.trace import Trace
from tests.conftest import LEADING, OFFICE, PARTY, SUPERVISION, Bureau

R = c.Responsible


def _unit_story(bureau: Bureau) -> tuple[dict, dict]:
    first = bureau.run(bureau.assessor, c.RecordDeduction(unit="B01", track="key", points="2", item="K1", basis="进度滞后", occurred_on=date(2026, 2, 10), responsible=[R(person="P03")]))
    second = bureau.run(bureau.assessor, c.RecordDeduction(unit="B01", track="key", points="1", item="K2", basis="报送迟延", occurred_on=date(2026, 3, 2), responsible=[R(person="P04")]))
    bureau.run(LEADING, c.ReverseEntry(entry_id=first["entry_id"], reason="经复核属误扣", decision_ref="绩领〔2026〕1号"))
    return first, second


def test_a_sheet_score_is_traced_to_every_entry_and_its_cascades_R_Q_2(bureau: Bureau) -> None:
    """B01 Q1: −2 (P03 responsible) reversed, −1 (P04 responsible) active → 100 − 1 = 99.00."""
    first, second = _unit_story(bureau)
    tree = Trace(bureau.service.view()).sheet("B01:2026-Q1:key")
    assert (tree["value"], tree["formula"]) == ("99.00", "max(0, 100 − Σ active deductions) = max(0, 100 − (1.00)) = 99.00")
    gone, kept = tree["children"]
    assert (gone["entry_id"], gone["counts"], gone["value"], gone["basis"]) == (first["entry_id"], False, "2.00", "进度滞后")
    assert (gone["removed_by"]["kind"], gone["removed_by"]["reason"], gone["removed_by"]["decision_ref"], gone["removed_by"]["by"]) == ("reversed", "经复核属误扣", "绩领〔2026〕1号", "leading")
    assert gone["recorded"]["by"] == "assessor-p09" and gone["recorded"]["role"] == "assessor"
    [gone_cascade] = gone["children"]
    assert (gone_cascade["entry_id"], gone_cascade["counts"], gone_cascade["removed_by"]["following"]) == (first["cascaded"][0], False, first["entry_id"])
    [kept_cascade] = kept["children"]
    assert (kept["counts"], kept_cascade["entry_id"], kept_cascade["counts"], kept_cascade["cascaded_from"]) == (True, second["cascaded"][0], True, second["entry_id"])


def test_a_trace_as_of_before_the_correction_shows_the_entry_counting_R_Q_2_R_Q_3(bureau: Bureau) -> None:
    first, second = _unit_story(bureau)
    before = Trace(bureau.service.view(second["position"])).sheet("B01:2026-Q1:key")
    assert before["value"] == "97.00" and [n["counts"] for n in before["children"]] == [True, True]


def test_a_persons_rate_grade_quota_and_payout_are_traced_R_Q_2(bureau: Bureau) -> None:
    """P02: −15 in January; democratic 0.95; 科员 base 8000, 50 yuan a point.
    mean = 285 / 300 = 0.95 → (0.95 × 0.7 + 0.95 × 0.3) × 100 + 0 = 95.00 → excellent;
    payout 8000 − 15 × 50 = 7250.00."""
    bureau.run(SUPERVISION, c.RecordDeduction(person="P02", points="15", basis="违纪", occurred_on=date(2026, 1, 8), form_no="JC-1"))
    bureau.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P02", rate="0.95"))
    bureau.run(PARTY, c.SetTargetBonus(year=2026, bases={"科员": "8000"}, point_value="50"))
    tree = Trace(bureau.service.view()).person(2026, "P02")
    cs, payout = tree["children"]
    grade, quota = cs["children"]
    [rate] = grade["children"]
    monthly, democratic, bonus = rate["children"]
    assert (rate["value"], grade["value"], payout["value"]) == ("95.00", "excellent", "7250.00")
    assert "(0.95 × 0.7 + 0.95 × 0.3) × 100 + 0.00" in rate["formula"]
    assert monthly["formula"] == "Σ monthly scores / (100 × months had) = 285.00 / (100 × 3)"
    assert [s["value"] for s in monthly["children"]] == ["85.00", "100.00", "100.00"]
    assert monthly["children"][0]["children"][0]["value"] == "15.00"
    assert democratic["recorded"]["recorded_by"] == "office"
    assert (bonus["value"], bonus["children"]) == ("0.00", [])
    assert quota["inputs"]["tier"] == "other" and payout["inputs"]["point_value_yuan"] == "50.00"


def test_a_unit_result_is_traced_to_its_means_outcome_and_rank_R_Q_2(bureau: Bureau) -> None:
    """B01: key 99 → 0.99 (after the story above), routine 1.00 → (0.99 × 0.5 + 1 × 0.5) × 100 = 99.50;
    B02 100.00 ranks first, B01 second."""
    _unit_story(bureau)
    tree = Trace(bureau.service.view()).unit(2026, "B01")
    outcome, rank = tree["children"]
    score = outcome["children"][0]
    assert (score["value"], rank["value"], rank["inputs"]["scores"]) == ("99.50", 2, [("B02", "100.00"), ("B01", "99.50")])
    key = next(m for m in score["children"] if m["figure"] == "mean_key_rate")
    assert key["children"][0]["value"] == "99.00"


def _closing_story(bureau: Bureau) -> None:
    """Democratic 0.96 for all; grassroots rates; a veto on B02 naming P06; a deduction on P03;
    a senior P12 graded good; an exempt P13 graded excellent by the Party group; bases set."""
    for p in ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10", "P11"]:
        bureau.run(OFFICE, c.RecordDemocraticRate(year=2026, person=p, rate="0.96"))
    bureau.run(OFFICE, c.RecordGrassrootsRate(year=2026, unit="D01", rate="0.88"))
    bureau.run(OFFICE, c.RecordGrassrootsRate(year=2026, unit="D02", rate="0.90"))
    bureau.run(LEADING, c.ImposeVeto(code="V1", year=2026, unit="B02", kind="safety_accident", persons=["P06"], occurred_on=date(2026, 3, 1), reason="仓库火灾受追责", decision_ref="绩领〔2026〕10号"))
    bureau.run(SUPERVISION, c.RecordDeduction(person="P03", points="6", basis="违纪", occurred_on=date(2026, 1, 8), form_no="JC-1"))
    bureau.run(OFFICE, c.EnrolPerson(code="P12", name="郑国庆", gender="male", birth_date=date(1968, 3, 1), unit="D02", joined_on=date(2026, 3, 1)))
    bureau.run(OFFICE, c.OpenSheet(target="P12", period="2026-03", track="monthly"))
    bureau.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P12", rate="0.90"))
    bureau.run(PARTY, c.RecordComprehensiveGrade(year=2026, person="P12", grade="good"))
    bureau.run(OFFICE, c.EnrolPerson(code="P13", name="钱秀英", gender="female", birth_date=date(1990, 2, 2), unit="D02", joined_on=date(2026, 1, 1)))
    bureau.run(PARTY, c.ApproveExemption(year=2026, person="P13", reason="因公长期借调", application_ref="免考申〔2026〕2号"))
    bureau.run(PARTY, c.RecordComprehensiveGrade(year=2026, person="P13", grade="excellent"))
    bureau.run(PARTY, c.SetTargetBonus(year=2026, bases={"科员": "8000"}, point_value="50"))


def test_every_traced_figure_equals_the_figure_it_explains_R_Q_2(bureau: Bureau) -> None:
    """The trace recomputes each figure with the domain's own functions from the inputs it shows;
    for every person and unit of the story, it lands on the figure AnnualResults shows."""
    _closing_story(bureau)
    results = bureau.service.annual.year(2026)
    trace = Trace(bureau.service.view())
    for code, r in results["persons_by_code"].items():
        cs, payout = trace.person(2026, code)["children"]
        grade, quota = cs["children"]
        [rate] = grade["children"]
        monthly, _, bonus = rate["children"]
        shown = (cs["value"], payout["value"], grade["value"], quota["value"], rate["value"], rate["exact"], monthly["value"], bonus["value"])
        assert shown == (r["cs_grade"], r["payout_yuan"], r["grade"], r["quota_place"], r["annual_rate"], r["annual_rate_exact"], r["monthly_mean_rate"], r["bonus"]), code
    for u in results["units"]:
        outcome, rank = trace.unit(2026, u["unit"])["children"]
        score = outcome["children"][0]
        shown = (outcome["value"], rank["value"], rank["inputs"]["bottom"], score["value"], score["exact"])
        assert shown == (u["outcome_zh"], u["rank"], u["bottom"], u["score"], u["score_exact"]), u["unit"]


def test_an_exempt_persons_grade_is_traced_to_the_party_group_R_Q_2_R_STAFF_5(bureau: Bureau) -> None:
    """P13, 36 and exempt: no rate; her grade is the Party group's (excellent); she takes no quota
    place (not a candidate, but counted in the base: 13 persons − P01, B01's head graded
    excellent directly = 12 evaluated; B02 is vetoed, so its head P05 is not); so 称职; paid by the
    exempt case, 0."""
    _closing_story(bureau)
    cs, payout = Trace(bureau.service.view()).person(2026, "P13")["children"]
    grade, quota = cs["children"]
    assert (cs["value"], grade["value"], grade["children"][0]["value"]) == ("competent", "excellent", None)
    assert "the Party group's recorded grade (R-STAFF-4/5) = excellent" in grade["formula"]
    assert (quota["value"], quota["inputs"]["place_in_order"], sum(quota["inputs"]["tier_sizes"].values())) == (False, None, 12)
    assert (payout["value"], payout["formula"]) == ("0.00", "exempt: 0")


def test_a_barred_grade_is_traced_to_the_veto_R_Q_2_R_VETO_2(bureau: Bureau) -> None:
    """P06, named in B02's veto: 98.80 computes to excellent and is graded good."""
    _closing_story(bureau)
    cs, _ = Trace(bureau.service.view()).person(2026, "P06")["children"]
    grade, _ = cs["children"]
    assert (grade["value"], grade["inputs"]["computed_grade"], grade["inputs"]["excellent_barred_by_veto"]) == ("good", "excellent", True)
    assert "barred by a veto (R-VETO-2): excellent → good; excellent → good" in grade["formula"]
