"""Trace of a person's annual result (个人年度考核结果溯源), R-Q-2: the civil-servant grade and the
payout, down through the grade, the quota place, the annual rate, the monthly sheets, the
democratic evaluation and the bonus claims. Each figure is recomputed from the inputs shown by the
same functions of `ledger.domain` that computed it (R-STAFF-1..5, R-VETO-2, R-CS-1/2, R-BONUS-4/5,
R-BONUS-T-1..3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from ledger.domain.annual import Grade, grade_for, grade_thresholds, monthly_mean_rate, official, payout_rule, staff_terms, weighted_score
from ledger.domain.annual_persons import barred_grade, civil_servant_grade, grade_that_counts, person_bonus, person_payout
from ledger.domain.errors import PersonNotFound
from ledger.domain.numbers import ZERO, fmt
from ledger.domain.quota import assign_quota
from projections.annual_grades import entrant
from projections.annual_inputs import decimal, text
from projections.trace_formulas import missing_text, rounded, thresholds_text, weighted_working
from projections.trace_sheet import SheetTrace
from projections.view import View


def _grade(value: str | None) -> Grade | None:
    return None if value is None else Grade(value)


class PersonTrace:
    def __init__(self, view: View, sheets: SheetTrace) -> None:
        self.view = view
        self.q = view.queries
        self.sheets = sheets

    def person(self, year: int, code: str) -> dict[str, Any]:
        results = self.view.annual.year(year)
        r = results["persons_by_code"].get(code)
        if r is None:
            raise PersonNotFound(f"no annual result for {code} in {year}", f"{code} 无 {year} 年度考核结果", person=code)
        policy = results["summary"]["policy"]
        grade = self._grade_node(r, self._rate_node(year, r, policy), policy)
        cs_value = civil_servant_grade(_grade(r["grade"]), r["quota_place"], r["direct_excellent"])
        cs = {
            "figure": "cs_grade", "value": None if cs_value is None else cs_value.value, "rule": "R-CS-1",
            "inputs": {"grade": r["grade"], "quota_place": r["quota_place"], "direct_excellent": r["direct_excellent"]},
            "children": [grade, self._quota_node(results, r, policy)],
        }  # fmt: skip
        payout = self._payout_node(year, r)
        payout["children"] = [grade]
        return {
            "figure": "person_annual", "person": code, "year": year, "provisional": r["provisional"], "missing": r["missing"],
            "disputed_entries": r.get("disputed_entries", []), "children": [cs, payout],
        }  # fmt: skip

    def _rate_node(self, year: int, r: dict[str, Any], policy: dict[str, str]) -> dict[str, Any]:
        """R-STAFF-1/2: the monthly mean rate and the democratic rate, weighted, plus the bonus."""
        total = decimal(r["monthly_total"])
        mean = None if total is None else monthly_mean_rate(total, r["months"])
        sheets = [self.sheets.sheet(s["code"]) for s in self.q.year_sheets(r["person"], year) if s["track"] == "monthly"]
        monthly = {
            "figure": "monthly_mean_rate", "value": text(mean),
            "formula": "exempt (R-STAFF-5): no monthly sheets" if r["exempt"]
                       else f"Σ monthly scores / (100 × months had) = {r['monthly_total']} / (100 × {r['months']})",
            "inputs": {"monthly_total": r["monthly_total"], "months": r["months"]}, "rule": "R-STAFF-1", "children": sheets,
        }  # fmt: skip
        recorded = {e["kind"]: e for e in self.q.evaluations(year, r["person"])}
        democratic = {"figure": "democratic_rate", "value": r["democratic_rate"], "rule": "R-STAFF-2", "recorded": recorded.get("democratic")}
        bonus = self._bonus_node(year, r["person"], r["unit"], policy)
        terms = staff_terms(mean, decimal(r["democratic_rate"]), policy)
        exact = None if terms is None or r["exempt"] else weighted_score(terms, decimal(bonus["value"]) or ZERO)
        if r["exempt"]:
            formula = "exempt from daily assessment (R-STAFF-5): no monthly sheets, no computed rate"
        elif terms is None:
            formula = missing_text("the monthly mean rate or the democratic rate")
        else:
            formula = weighted_working(terms, Decimal(bonus["value"])) + rounded(exact, official(exact))
        return {
            "figure": "annual_rate", "value": text(official(exact)), "exact": text(exact), "formula": formula, "rule": "R-STAFF-2",
            "children": [monthly, democratic, bonus],
        }  # fmt: skip

    @staticmethod
    def _grade_node(r: dict[str, Any], rate: dict[str, Any], policy: dict[str, str]) -> dict[str, Any]:
        """R-STAFF-3 (computed), R-STAFF-4/5 (the Party group's), R-VETO-2 (barred excellent → good)."""
        senior, exempt = r["age_class"] == "senior", r["exempt"]
        computed = None if rate["value"] is None else grade_for(Decimal(rate["value"]), policy)
        counts = grade_that_counts(senior, exempt, computed, _grade(r["party_grade"]))
        effective = barred_grade(counts, r["excellent_barred"])
        source = "the Party group's recorded grade (R-STAFF-4/5)" if senior or exempt else "the computed grade (R-STAFF-3)"
        steps = [thresholds_text(grade_thresholds(policy)), f"grade that counts: {source} = {counts.value if counts else 'not recorded yet'}"]
        if r["excellent_barred"]:
            steps.append(f"barred by a veto (R-VETO-2): excellent → good; {counts.value if counts else '—'} → {effective.value if effective else '—'}")
        return {
            "figure": "grade", "value": None if effective is None else effective.value, "formula": "; ".join(steps),
            "inputs": {
                "annual_rate": rate["value"], "computed_grade": None if computed is None else computed.value, "age_class": r["age_class"],
                "party_grade": r["party_grade"], "exempt": exempt, "excellent_barred_by_veto": r["excellent_barred"],
            },
            "rule": "R-STAFF-3, R-STAFF-4, R-STAFF-5, R-VETO-2", "children": [rate],
        }  # fmt: skip

    def _bonus_node(self, year: int, code: str, unit: str | None, policy: dict[str, str]) -> dict[str, Any]:
        """R-BONUS-4/5: the person's approved bonuses and their unit's, capped."""
        own = self.q.bonus_claims(year=year, target=code)
        shared = self.q.bonus_claims(year=year, target=unit) if unit else []
        approved = lambda claims: sum((Decimal(c["points"]) for c in claims if c["status"] == "approved"), ZERO)  # noqa: E731
        counted = person_bonus(approved(shared), approved(own), policy)
        return {
            "figure": "bonus", "value": fmt(counted),
            "formula": f"min(Σ approved bonuses of the person and of their unit, {policy['bonus_cap_points']})"
                       f" = min({fmt(approved(own) + approved(shared))}, {policy['bonus_cap_points']}) = {fmt(counted)}",
            "rule": "R-BONUS-4, R-BONUS-5",
            "children": [{"figure": "bonus_claim", "value": c["points"], "counts": c["status"] == "approved", **c} for c in own + shared],
        }  # fmt: skip

    @staticmethod
    def _quota_node(results: dict[str, Any], r: dict[str, Any], policy: dict[str, str]) -> dict[str, Any]:
        """R-CS-2: the whole year's quota, recomputed, and this person's place in their tier."""
        result = assign_quota([entrant(p, p.get("head_of_failing_unit", False)) for p in results["persons"]], policy)
        tier = r["tier"]
        order = result.order.get(tier, [])
        return {
            "figure": "quota_place",
            "value": r["person"] in result.placed,
            "formula": (
                f"places = floor({result.persons_evaluated} persons evaluated × {policy['excellent_quota_rate']}) = {result.places_total},"
                f" shared among tiers by largest remainder (equal remainders: the larger tier, then middle_head, middle_deputy, other);"
                f" tier '{tier}' has {result.allocation.get(tier)}; excellent candidates ranked by annual rate, then democratic rate, then name"
            ),
            "inputs": {
                "tier": tier, "places": result.allocation.get(tier), "tier_sizes": result.sizes, "candidates_in_order": order,
                "place_in_order": order.index(r["person"]) + 1 if r["person"] in order else None,
            },
            "rule": "R-CS-2",
        }  # fmt: skip

    def _payout_node(self, year: int, r: dict[str, Any]) -> dict[str, Any]:
        """R-BONUS-T-1..3: the case that applies, with the bases and the value of a point."""
        settings = self.q._one(self.q.tb.target_bonus.select().where(self.q.tb.target_bonus.c.year == year))
        bases_yuan = None if settings is None else orjson.loads(settings["bases"])
        bases = None if bases_yuan is None else {k: Decimal(v) for k, v in bases_yuan.items()}
        point_value = None if settings is None else Decimal(settings["point_value"])
        senior, grade = r["age_class"] == "senior", _grade(r["grade"])
        former = self.q.person(r["person"], year).get("former_position_grade")
        payout = person_payout(
            senior=senior, exempt=r["exempt"], grade=grade, position_grade=r["position_grade"], former_position_grade=former,
            bases=bases, deducted_points=Decimal(r["deducted_points"]), point_value=point_value,
        )  # fmt: skip
        return {
            "figure": "target_bonus_payout", "value": text(payout.amount),
            "formula": payout_rule(senior=senior, exempt=r["exempt"], grade=grade) or missing_text("the grade"),
            "inputs": {"position_grade": r["position_grade"], "former_position_grade": former, "grade": r["grade"], "deducted_points": r["deducted_points"],
                       "point_value_yuan": None if settings is None else settings["point_value"], "bases_yuan": bases_yuan},
            "missing": payout.missing, "rule": "R-BONUS-T-1, R-BONUS-T-2, R-BONUS-T-3",
        }  # fmt: skip
