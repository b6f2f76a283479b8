"""Quota places, civil-servant grades and payouts (优秀名额、公务员年度考核等次、目标考评奖) for the
read side: hands every graded person to `ledger.domain.quota` and `ledger.domain.annual_persons`
and writes what they decide into the person rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.domain.annual import CS_GRADE_ZH, CivilServantGrade, Grade
from ledger.domain.annual_persons import PersonGrade, award_eligible, civil_servant_grade, cs_flags, person_payout
from ledger.domain.quota import Entrant, QuotaResult, assign_quota
from projections.annual_inputs import YearInputs, decimal, text


def entrant(row: dict[str, Any], head_of_failing_unit: bool) -> Entrant:
    """A person row as the quota sees it (also used by the trace to explain a place)."""
    return Entrant(
        code=row["person"], name=row["name"], tier=row["tier"], exempt=row["exempt"], direct_excellent=row["direct_excellent"],
        grade=None if row["grade"] is None else Grade(row["grade"]), annual_rate=decimal(row["annual_rate"]),
        democratic_rate=decimal(row["democratic_rate"]), head_of_failing_unit=head_of_failing_unit,
    )  # fmt: skip


def quota(persons: dict[str, dict[str, Any]], failing_heads: set[str], policy: dict[str, str]) -> QuotaResult:
    """R-CS-2 over every graded person; marks the rows that got a place."""
    result = assign_quota([entrant(row, code in failing_heads) for code, row in persons.items()], policy)
    for code, row in persons.items():
        row["quota_place"] = code in result.placed
    return result


def civil_servant_grades(persons: dict[str, dict[str, Any]], grades: dict[str, PersonGrade], failing_heads: set[str], previous: dict[str, Any] | None) -> None:
    """R-CS-1: the civil-servant grade, its flags (dismissal after two 不称职 years in a row) and the
    award eligibility of every row (R-VETO-2, R-UNIT-3, R-STAFF-5)."""
    prior = {} if previous is None else previous["persons_by_code"]
    for code, row in persons.items():
        effective = grades[code].effective
        cs = civil_servant_grade(effective, row["quota_place"], row["direct_excellent"])
        before = prior.get(code, {}).get("cs_grade")
        row["cs_grade"] = None if cs is None else cs.value
        row["cs_grade_zh"] = None if cs is None else CS_GRADE_ZH[cs]
        row["flags"] = cs_flags(cs, None if before is None else CivilServantGrade(before))
        row["award_eligible"] = award_eligible(exempt=row["exempt"], effective=effective, barred=row["excellent_barred"], head_of_failing_unit=code in failing_heads)
        row["head_of_failing_unit"] = code in failing_heads


def payouts(inp: YearInputs, persons: dict[str, dict[str, Any]], grades: dict[str, PersonGrade]) -> None:
    """R-BONUS-T-1..3: each row's target bonus in yuan, or what it still waits for."""
    settings = inp.target_bonus
    bases = None if settings is None else {grade: Decimal(amount) for grade, amount in settings["bases"].items()}
    point_value = None if settings is None else Decimal(settings["point_value"])
    former = {p["code"]: p["former_position_grade"] for p in inp.persons}
    for code, row in persons.items():
        payout = person_payout(
            senior=row["age_class"] == "senior", exempt=row["exempt"], grade=grades[code].effective, position_grade=row["position_grade"],
            former_position_grade=former.get(code), bases=bases, deducted_points=Decimal(row["deducted_points"]), point_value=point_value,
        )  # fmt: skip
        row["missing"] += payout.missing
        row["payout_yuan"] = text(payout.amount)
        row["payout_base_yuan"] = text(payout.base)
        row["payout_deduction_yuan"] = text(payout.deduction)
