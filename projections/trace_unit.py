"""Trace of a unit's annual result (单位年度考核结果溯源), R-Q-2: the outcome and the rank, down
through the score, the means of the unit's sheets, the grassroots evaluation, the bonus claims
and the vetoes. Each figure is recomputed from the inputs shown by the same functions of
`ledger.domain` that computed it (R-UNIT-1..4, R-BONUS-4, R-VETO-2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.domain.annual import branch_terms, capped_bonus, department_terms, mean_of, official, unit_outcome, unit_thresholds, weighted_score
from ledger.domain.annual_units import BRANCH, bottom_units, direct_excellent_heads, ranks_within_kind
from ledger.domain.errors import UnitNotFound
from ledger.domain.numbers import ZERO, fmt
from projections.annual_inputs import decimal, text
from projections.annual_units import ranked
from projections.trace_formulas import missing_text, rounded, weighted_working
from projections.trace_sheet import SheetTrace
from projections.view import View


class UnitTrace:
    def __init__(self, view: View, sheets: SheetTrace) -> None:
        self.view = view
        self.q = view.queries
        self.sheets = sheets

    def unit(self, year: int, code: str) -> dict[str, Any]:
        results = self.view.annual.year(year)
        u = next((x for x in results["units"] if x["unit"] == code), None)
        if u is None:
            raise UnitNotFound(f"no annual result for unit {code} in {year}", f"{code} 无 {year} 年度考核结果", unit=code)
        policy = results["summary"]["policy"]
        score = self._score_node(year, u, policy)
        outcome_value = None if score["value"] is None else unit_outcome(Decimal(score["value"]), u["vetoed"], policy)
        limits = unit_thresholds(policy)
        vetoes = [v for v in self.q.vetoes(year) if v["unit"] == code]
        outcome = {
            "figure": "outcome", "value": None if outcome_value is None else ("达标" if outcome_value.meets_standard else "不达标"),
            "formula": f"score ≥ {fmt(limits.standard_min)} and no veto: meets the standard; < {fmt(limits.standard_min)} admonition;"
                       f" < {fmt(limits.accountability_below)} accountability",
            "rule": "R-UNIT-3, R-VETO-2", "inputs": {"score": score["value"], "vetoed": u["vetoed"]},
            "children": [score, *({"figure": "veto", "counts": v["status"] == "active", **v} for v in vetoes)],
        }  # fmt: skip
        return {
            "figure": "unit_annual", "unit": code, "year": year, "provisional": u["provisional"], "missing": u["missing"],
            "children": [outcome, self._rank_node(results, u, policy)],
        }  # fmt: skip

    def _score_node(self, year: int, u: dict[str, Any], policy: dict[str, str]) -> dict[str, Any]:
        """R-UNIT-1 (branch) or R-UNIT-2 (department): the weighted means plus the capped bonus."""
        code = u["unit"]
        tracks: dict[str, list[dict[str, Any]]] = {}
        for s in self.q.year_sheets(code, year):
            tracks.setdefault(s["track"], []).append(self.sheets.sheet(s["code"]))
        means: dict[str, Decimal | None] = {}
        children: list[dict[str, Any]] = []
        for track, sheets in sorted(tracks.items()):
            means[track] = mean_of(sum((Decimal(s["rate"]) for s in sheets), ZERO), len(sheets))
            rates = " + ".join(s["rate"] for s in sheets)
            formula = f"Σ {track} sheet rates / sheets had = ({rates}) / {len(sheets)}"
            children.append({"figure": f"mean_{track}_rate", "value": text(means[track]), "formula": formula, "children": sheets})
        if u["kind"] == BRANCH:
            terms, rule = branch_terms(means.get("key"), means.get("routine"), policy), "R-UNIT-1"
        else:
            recorded = next((e for e in self.q.evaluations(year, code) if e["kind"] == "grassroots"), None)
            children.append({"figure": "grassroots_rate", "value": u["grassroots_rate"], "recorded": recorded})
            terms, rule = department_terms(means.get("half"), decimal(u["grassroots_rate"]), policy), "R-UNIT-2"
        bonus = self._bonus_node(year, code, policy)
        exact = None if terms is None else weighted_score(terms, Decimal(bonus["value"]))
        if terms is None:
            formula = missing_text("a track's sheets or the grassroots rate")
        else:
            formula = weighted_working(terms, Decimal(bonus["value"])) + rounded(exact, official(exact))
        return {
            "figure": "unit_annual_score", "value": text(official(exact)), "exact": text(exact), "formula": formula, "rule": rule,
            "children": [*children, bonus],
        }  # fmt: skip

    def _bonus_node(self, year: int, code: str, policy: dict[str, str]) -> dict[str, Any]:
        """R-BONUS-4: the unit's approved bonuses, capped."""
        claims = self.q.bonus_claims(year=year, target=code)
        claimed = sum((Decimal(c["points"]) for c in claims if c["status"] == "approved"), ZERO)
        counted = capped_bonus([claimed], policy)
        return {
            "figure": "bonus", "value": fmt(counted),
            "formula": f"min(Σ approved bonuses of the unit, {policy['bonus_cap_points']}) = min({fmt(claimed)}, {policy['bonus_cap_points']}) = {fmt(counted)}",
            "rule": "R-BONUS-4",
            "children": [{"figure": "bonus_claim", "value": c["points"], "counts": c["status"] == "approved", **c} for c in claims],
        }  # fmt: skip

    @staticmethod
    def _rank_node(results: dict[str, Any], u: dict[str, Any], policy: dict[str, str]) -> dict[str, Any]:
        """R-UNIT-4: the rank within the unit's kind, the bottom flag and the directly-excellent head."""
        standing = [ranked(x) for x in results["units"]]
        ranks = ranks_within_kind(standing)
        scores = sorted(((x.code, fmt(x.score)) for x in standing if x.kind == u["kind"] and x.score is not None), key=lambda p: -Decimal(p[1]))
        return {
            "figure": "rank", "value": ranks.get(u["unit"]), "rule": "R-UNIT-4",
            "formula": "competition ranking within the kind, equal scores share a rank (1, 2, 2, 4); the lowest of two or more is flagged",
            "inputs": {
                "scores": scores, "bottom": u["unit"] in bottom_units(standing),
                "head_excellent_directly": bool(u["head"]) and u["head"] in direct_excellent_heads(standing, policy, _barred(results)),
            },
        }  # fmt: skip


def _barred(results: dict[str, Any]) -> set[str]:
    """The persons a veto bars from the excellent grade (R-VETO-2), as the results show them."""
    return {p["person"] for p in results["persons"] if p["excellent_barred"]}
