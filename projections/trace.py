"""Trace (溯源), R-Q-2: every figure the system shows, explained as a tree down to the entries it
rests on — and the entries that no longer count, with the reversal, amendment or dispute that
removed them — each with its actor, time, basis and evidence. Cascaded entries hang under the unit
entry they came from.

A node is `{"figure", "value", "formula", "inputs", "children", ...}`; an entry node carries the
entry's facts and `counts` (whether it is in the figure). Built from projected rows only, so a
trace can be asked as of any log position like any other query (`View`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.domain.errors import PersonNotFound, UnitNotFound
from ledger.domain.numbers import HUNDRED
from api.service import View

SOURCE_ZH = {
    "assessment": "考核部门扣分",
    "unit_review": "单位对本单位人员扣分",
    "supervision": "效能监察扣分",
    "cascade": "责任连带扣分",
    "missed_finding": "应扣未扣认定",
    "missed_double": "应扣未扣加倍扣分（单位主要负责人）",
}


def _entry_node(entry: dict[str, Any], children: list[dict[str, Any]]) -> dict[str, Any]:
    counts = entry["status"] == "active"
    node: dict[str, Any] = {
        "figure": "entry",
        "entry_id": entry["entry_id"],
        "value": entry["points"],
        "counts": counts,
        "status": entry["status"],
        "source": entry["source"],
        "source_zh": SOURCE_ZH.get(entry["source"], entry["source"]),
        "basis": entry["basis"],
        "item": entry["item"],
        "occurred_on": entry["occurred_on"],
        "form_no": entry["form_no"],
        "evidence": entry["attachments"],
        "recorded": {"by": entry["recorded_by"], "role": entry["recorded_role"], "at": entry["recorded_at"], "position": entry["recorded_position"]},
        "late": entry["late"],
        "cascaded_from": entry["cascaded_from"],
        "amends": entry["amends"],
        "children": children,
    }
    if not counts:
        node["removed_by"] = {
            "kind": entry["status"],  # reversed | amended
            "by": entry["reversed_by"],
            "at": entry["reversed_at"],
            "reason": entry["reversal_reason"],
            "decision_ref": entry["reversal_ref"],
            "replacement": entry["amended_by"],
            "following": entry["reversal_following"],  # the unit entry whose correction carried it along
        }
    if entry.get("dispute"):
        node["dispute"] = entry["dispute"]
    return node


class Trace:
    def __init__(self, view: View) -> None:
        self.view = view
        self.q = view.queries

    # -- a sheet ---------------------------------------------------------------------------------

    def sheet(self, code: str) -> dict[str, Any]:
        """R-SHEET-1: score = max(0, 100 − Σ active deductions)."""
        sheet = self.q.sheet(code)
        entries = sheet["entries"]
        by_id = {e["entry_id"]: e for e in entries}
        children = []
        for e in entries:
            # A unit entry shows the cascades it caused (on other sheets) underneath.
            cascades = [] if not e["cascaded_to"] else [_entry_node(c, []) for c in self._entries(e["cascaded_to"], by_id)]
            children.append(_entry_node(e, cascades))
        active = [Decimal(e["points"]) for e in entries if e["status"] == "active"]
        terms = " − ".join(e["points"] for e in entries if e["status"] == "active") or "0"
        return {
            "figure": "sheet_score",
            "sheet": code,
            "target": sheet["target"],
            "period": sheet["period"],
            "status": sheet["status"],
            "value": sheet["score"],
            "formula": f"max(0, 100 − Σ active deductions) = max(0, 100 − ({terms})) = {sheet['score']}",
            "inputs": {"deducted": sheet["deducted"], "active_entries": len(active), "entries_not_counting": len(entries) - len(active)},
            "provisional": sheet.get("provisional", False),
            "position": sheet["position"],
            "children": children,
        }

    def _entries(self, ids: list[str], known: dict[str, Any]) -> list[dict[str, Any]]:
        return [known[i] if i in known else self.q.entry(i) for i in ids]

    # -- a person's annual result ----------------------------------------------------------------

    def person(self, year: int, code: str) -> dict[str, Any]:
        results = self.view.annual.year(year)
        r = results["persons_by_code"].get(code)
        if r is None:
            raise PersonNotFound(f"no annual result for {code} in {year}", f"{code} 无 {year} 年度考核结果", person=code)
        policy = results["summary"]["policy"]
        book = self.q.ledger(code, year)
        sheets = [self.sheet(s["code"]) for s in book["sheets"] if s["track"] == "monthly"]
        monthly = {
            "figure": "monthly_mean_rate",
            "value": r["monthly_mean_rate"],
            "formula": f"Σ monthly scores / (100 × months had) = {r['monthly_total']} / (100 × {r['months']})",
            "inputs": {"monthly_total": r["monthly_total"], "months": r["months"]},
            "rule": "R-STAFF-1",
            "children": sheets,
        }
        evaluations = {e["kind"]: e for e in self.q.evaluations(year, code)}
        democratic = {"figure": "democratic_rate", "value": r["democratic_rate"], "rule": "R-STAFF-2", "recorded": evaluations.get("democratic")}
        bonus = self._bonus(year, code, r["unit"], r["bonus"], policy)
        rate = {
            "figure": "annual_rate",
            "value": r["annual_rate"],
            "exact": r["annual_rate_exact"],
            "formula": (
                f"(monthly mean rate × {policy['staff_monthly_weight']} + democratic rate × {policy['staff_democratic_weight']}) × 100 + bonus"
                f" = ({r['monthly_mean_rate']} × {policy['staff_monthly_weight']} + {r['democratic_rate']} × {policy['staff_democratic_weight']}) × 100"
                f" + {r['bonus']} = {r['annual_rate_exact']} → {r['annual_rate']} (half-up, 2 places)"
            ),
            "rule": "R-STAFF-2",
            "children": [monthly, democratic, bonus],
        }
        grade = {
            "figure": "grade",
            "value": r["grade"],
            "formula": f"rate ≥ {policy['grade_excellent_min']} excellent; ≥ {policy['grade_good_min']} good; ≥ {policy['grade_fair_min']} fair; else poor",
            "inputs": {
                "annual_rate": r["annual_rate"], "computed_grade": r["computed_grade"], "age_class": r["age_class"],
                "party_grade": r["party_grade"], "exempt": r["exempt"], "excellent_barred_by_veto": r["excellent_barred"],
            },
            "rule": "R-STAFF-3, R-STAFF-4, R-STAFF-5, R-VETO-2",
            "children": [rate],
        }  # fmt: skip
        quota = self._quota(results, r)
        cs = {"figure": "cs_grade", "value": r["cs_grade"], "rule": "R-CS-1", "inputs": {"grade": r["grade"], "quota_place": r["quota_place"], "direct_excellent": r["direct_excellent"]}, "children": [grade, quota]}
        payout = self._payout(year, r, policy)
        payout["children"] = [grade]
        return {
            "figure": "person_annual", "person": code, "year": year, "provisional": r["provisional"], "missing": r["missing"],
            "disputed_entries": r.get("disputed_entries", []), "children": [cs, payout],
        }  # fmt: skip

    def _bonus(self, year: int, code: str, unit: str | None, counted: str, policy: dict[str, str]) -> dict[str, Any]:
        claims = [c for c in self.q.bonus_claims(year=year, target=code) + (self.q.bonus_claims(year=year, target=unit) if unit else [])]
        approved = [c for c in claims if c["status"] == "approved"]
        claimed = sum((Decimal(c["points"]) for c in approved), Decimal(0))
        return {
            "figure": "bonus",
            "value": counted,
            "formula": f"min(Σ approved bonuses of the person and of their unit, {policy['bonus_cap_points']}) = min({claimed}, {policy['bonus_cap_points']}) = {counted}",
            "rule": "R-BONUS-4, R-BONUS-5",
            "children": [{"figure": "bonus_claim", "value": c["points"], "counts": c["status"] == "approved", **c} for c in claims],
        }

    @staticmethod
    def _quota(results: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        summary = results["summary"]
        tier = r["tier"]
        candidates = sorted(
            (p for p in results["persons"] if p["tier"] == tier and p["grade"] == "excellent" and not p["direct_excellent"] and not p["exempt"]),
            key=lambda p: (-Decimal(p["annual_rate"] or "0"), -Decimal(p["democratic_rate"] or "0"), p["name"]),
        )
        order = [p["person"] for p in candidates]
        places = summary["quota"].get(tier, {}).get("places")
        return {
            "figure": "quota_place",
            "value": r["quota_place"],
            "formula": (
                f"places = floor({summary['quota_base']} × {summary['quota_rate']}) shared among tiers by largest remainder;"
                f" tier '{tier}' has {places}; excellent candidates ranked by annual rate, then democratic rate"
            ),
            "inputs": {"tier": tier, "places": places, "candidates_in_order": order, "place_in_order": order.index(r["person"]) + 1 if r["person"] in order else None},
            "rule": "R-CS-2",
        }

    def _payout(self, year: int, r: dict[str, Any], policy: dict[str, str]) -> dict[str, Any]:
        settings = self.q._one(self.q.tb.target_bonus.select().where(self.q.tb.target_bonus.c.year == year))
        point_value = settings["point_value"] if settings else None
        return {
            "figure": "target_bonus_payout",
            "value": r["payout_yuan"],
            "formula": "good or better: base − deducted points × point value; fair: base / 2 − …; poor: 0; senior excellent: former base; exempt: 0",
            "inputs": {"position_grade": r["position_grade"], "grade": r["grade"], "deducted_points": r["deducted_points"], "point_value_yuan": point_value,
                       "bases_yuan": None if settings is None else settings["bases"]},
            "rule": "R-BONUS-T-1, R-BONUS-T-2, R-BONUS-T-3",
        }  # fmt: skip

    # -- a unit's annual result -------------------------------------------------------------------

    def unit(self, year: int, code: str) -> dict[str, Any]:
        results = self.view.annual.year(year)
        u = next((x for x in results["units"] if x["unit"] == code), None)
        if u is None:
            raise UnitNotFound(f"no annual result for unit {code} in {year}", f"{code} 无 {year} 年度考核结果", unit=code)
        policy = results["summary"]["policy"]
        book = self.q.ledger(code, year)
        tracks: dict[str, list[dict[str, Any]]] = {}
        for s in book["sheets"]:
            tracks.setdefault(s["track"], []).append(self.sheet(s["code"]))
        means = [
            {
                "figure": f"mean_{track}_rate", "value": u["means"].get(track),
                "formula": f"Σ {track} sheet rates / sheets had = ({' + '.join(str(Decimal(s['value']) / HUNDRED) for s in sheets)}) / {len(sheets)}",
                "children": sheets,
            }
            for track, sheets in sorted(tracks.items())
        ]  # fmt: skip
        if u["kind"] == "branch":
            formula = f"(key mean × {policy['branch_key_weight']} + routine mean × {policy['branch_routine_weight']}) × 100 + bonus"
            rule = "R-UNIT-1"
        else:
            formula = f"(half-year mean × {policy['department_half_weight']} + grassroots rate × {policy['department_grassroots_weight']}) × 100 + bonus"
            rule = "R-UNIT-2"
            means.append({"figure": "grassroots_rate", "value": u["grassroots_rate"], "recorded": next(iter(e for e in self.q.evaluations(year, code) if e["kind"] == "grassroots"), None)})
        vetoes = [v for v in self.q.vetoes(year) if v["unit"] == code]
        score = {
            "figure": "unit_annual_score", "value": u["score"], "exact": u["score_exact"],
            "formula": f"{formula} = {u['score_exact']} → {u['score']} (half-up, 2 places)", "rule": rule,
            "children": [*means, self._bonus(year, code, None, u["bonus"], policy)],
        }  # fmt: skip
        outcome = {
            "figure": "outcome", "value": u["outcome_zh"],
            "formula": f"score ≥ {policy['unit_standard_min']} and no veto: meets the standard; < {policy['unit_standard_min']} admonition; < {policy['unit_accountability_below']} accountability",
            "rule": "R-UNIT-3, R-VETO-2", "inputs": {"score": u["score"], "vetoed": u["vetoed"]},
            "children": [score, *({"figure": "veto", "counts": v["status"] == "active", **v} for v in vetoes)],
        }  # fmt: skip
        ranking = sorted(((x["unit"], x["score"]) for x in results["units"] if x["kind"] == u["kind"] and x["score"] is not None), key=lambda p: -Decimal(p[1]))
        rank = {"figure": "rank", "value": u["rank"], "rule": "R-UNIT-4", "formula": "competition ranking, equal scores share a rank (1, 2, 2, 4)", "inputs": {"scores": ranking}}
        return {"figure": "unit_annual", "unit": code, "year": year, "provisional": u["provisional"], "missing": u["missing"], "children": [outcome, rank]}
