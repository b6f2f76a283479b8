"""Persons' annual figures and grades (个人年度考核结果) for the read side: gathers each person's
facts from the year's inputs, asks `ledger.domain.annual_persons` for the rate, the grade that
counts (computed, or the Party group's for senior and exempt persons), veto barring and the
bottom flags, and shapes the rows the API shows. Quota places, civil-servant grades and payouts
are added by `projections.annual_grades`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ledger.domain.annual import GRADE_ZH, Grade, barred_persons, in_force_on
from ledger.domain.annual_persons import PersonFacts, PersonGrade, bottom_persons, grade_person, is_senior, person_bonus
from ledger.domain.numbers import ZERO
from ledger.domain.roster import AgeClass
from projections.annual_inputs import YearInputs, decimal, text


def assessed(inp: YearInputs, person: dict[str, Any]) -> bool:
    """In the cadre-management authority (R-ORG-2) and either with monthly sheets this year or
    exempt from them (R-STAFF-5): the persons graded in the year."""
    code = person["code"]
    return bool(person["in_authority"]) and (code in inp.annual_persons or (code, "exemption") in inp.evaluations)


def person_facts(
    inp: YearInputs, p: dict[str, Any], unit: str | None, cutoff: date, claimed: tuple[dict[str, Decimal], dict[str, Decimal]], barred: set[str]
) -> PersonFacts:
    code = p["code"]
    sums = inp.annual_persons.get(code)
    exempt = (code, "exemption") in inp.evaluations
    party_grade = inp.evaluations.get((code, "party_grade"))
    unit_claimed, own_claimed = claimed
    return PersonFacts(
        code=code,
        senior=is_senior(p["gender"], date.fromisoformat(p["birth_date"]), cutoff, inp.policy),
        exempt=exempt,
        months=0 if sums is None or exempt else sums["months"],
        months_published=0 if sums is None else sums["months_published"],
        monthly_total=ZERO if sums is None else Decimal(sums["monthly_total"]),
        democratic_rate=decimal(inp.evaluations.get((code, "democratic"))),
        bonus=person_bonus(unit_claimed.get(unit or "", ZERO), own_claimed.get(code, ZERO), inp.policy),
        party_grade=None if party_grade is None else Grade(party_grade),
        barred=code in barred,
    )


def person_row(inp: YearInputs, p: dict[str, Any], unit: str | None, f: PersonFacts, g: PersonGrade, direct_excellent: bool) -> dict[str, Any]:
    sums = inp.annual_persons.get(f.code)
    effective = g.effective
    return {
        "person": f.code,
        "name": p["name"],
        "unit": unit,
        "tier": p["tier"],
        "position_grade": p["position_grade"],
        "age_class": (AgeClass.SENIOR if f.senior else AgeClass.REGULAR).value,
        "exempt": f.exempt,
        "months": f.months,
        "monthly_total": None if f.exempt else text(f.monthly_total),
        "monthly_mean_rate": text(g.monthly_mean_rate),
        "democratic_rate": inp.evaluations.get((f.code, "democratic")),
        "bonus": text(f.bonus),
        "annual_rate_exact": text(g.rate_exact),
        "annual_rate": text(g.rate),
        "computed_grade": None if g.computed is None else g.computed.value,
        "party_grade": None if f.party_grade is None else f.party_grade.value,
        "grade": None if effective is None else effective.value,
        "grade_zh": None if effective is None else GRADE_ZH[effective],
        "excellent_barred": f.barred,
        "deducted_points": text(ZERO if sums is None else Decimal(sums["deducted_total"])),
        "direct_excellent": direct_excellent,
        "cs_grade": None,
        "quota_place": False,
        "bottom": False,
        "provisional": bool(g.missing),
        "missing": list(g.missing),
    }


def person_results(inp: YearInputs, cutoff: str, direct_excellent: set[str]) -> tuple[dict[str, dict[str, Any]], dict[str, PersonGrade]]:
    """Every graded person's row (R-STAFF-1..5, R-VETO-2), with the bottom flags of R-UNIT-4,
    and each one's grade for the quota and payout that follow."""
    claimed = (inp.claimed("unit"), inp.claimed("person"))
    barred = barred_persons(inp.veto_facts())
    cutoff_date = date.fromisoformat(cutoff)
    rows: dict[str, dict[str, Any]] = {}
    grades: dict[str, PersonGrade] = {}
    for p in inp.persons:
        if not assessed(inp, p):
            continue  # not assessed this year
        unit = in_force_on(inp.assignments.get(p["code"], []), min(cutoff, p["left_on"] or cutoff))
        facts = person_facts(inp, p, unit, cutoff_date, claimed, barred)
        grades[p["code"]] = grade = grade_person(facts, inp.policy)
        rows[p["code"]] = person_row(inp, p, unit, facts, grade, p["code"] in direct_excellent)
    for code in bottom_persons((code, r["age_class"] == AgeClass.SENIOR.value, r["exempt"], decimal(r["annual_rate"])) for code, r in rows.items()):
        rows[code]["bottom"] = True
    return rows, grades
