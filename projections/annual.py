"""Annual results for a year (年度考核结果), read from the projected annual inputs.

The projector keeps running sums (monthly totals, rate totals, deducted points) and the review's
facts (evaluations, approved claims, vetoes, bases) up to date with every event; this module
applies the formulas of `ledger/annual.py` to them. Bureau-wide figures — ranks, the 15% quota,
directly-graded branch heads, bottom flags — depend on every target at once, so they are derived
here from the projected rows on each read (a few hundred rows; no event is replayed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Engine, select

from ledger.domain.annual import (
    CS_GRADE_ZH,
    GRADE_ZH,
    CivilServantGrade,
    Grade,
    allocate_quota,
    branch_annual,
    capped_bonus,
    cs_grade_from,
    department_annual,
    grade_for,
    mean_of,
    monthly_mean_rate,
    official,
    rank_with_ties,
    staff_annual_rate,
    target_bonus_payout,
    unit_outcome,
)
from ledger.domain.errors import PlanNotFound
from ledger.domain.numbers import ZERO, fmt
from ledger.domain.periods import annual_cutoff
from ledger.domain.roster import AgeClass, Gender, age_on
from projections.history import Tables

D = Decimal


def _s(value: Decimal | None) -> str | None:
    return None if value is None else fmt(value)


def _latest(history: list[tuple[str, str]], on: str) -> str | None:
    current = None
    for effective_from, value in sorted(history):
        if effective_from <= on:
            current = value
    return current


@dataclass
class YearInputs:
    year: int
    policy: dict[str, str]
    units: list[dict[str, Any]]
    heads: dict[str, list[tuple[str, str]]]
    persons: list[dict[str, Any]]
    assignments: dict[str, list[tuple[str, str]]]
    annual_persons: dict[str, dict[str, Any]]
    tracks: dict[tuple[str, str], dict[str, Any]]
    evaluations: dict[tuple[str, str], str]
    claims: list[dict[str, Any]]
    vetoes: list[dict[str, Any]]
    target_bonus: dict[str, Any] | None
    # R-DISPUTE-1: target -> entries under an open dispute; their figures are provisional.
    disputed: dict[str, list[str]] = field(default_factory=dict)


class AnnualResults:
    def __init__(self, engine: Engine, as_of: int | None = None) -> None:
        self.engine = engine
        self.as_of = as_of
        self.tb = Tables(as_of)

    def at(self, position: int | None) -> "AnnualResults":
        return self if position == self.as_of else AnnualResults(self.engine, position)

    def inputs(self, year: int) -> YearInputs:
        with self.engine.connect() as conn:
            plan = conn.execute(select(self.tb.plans.c.policy).where(self.tb.plans.c.year == year)).first()
            if plan is None:
                raise PlanNotFound(f"no plan for {year}", f"{year} 年度考核方案尚未建立", year=year)
            rows = lambda stmt: [dict(r._mapping) for r in conn.execute(stmt)]  # noqa: E731
            heads: dict[str, list[tuple[str, str]]] = {}
            for r in rows(select(self.tb.unit_heads)):
                heads.setdefault(r["unit"], []).append((r["effective_from"], r["person"]))
            assignments: dict[str, list[tuple[str, str]]] = {}
            for r in rows(select(self.tb.assignments)):
                assignments.setdefault(r["person"], []).append((r["effective_from"], r["unit"]))
            tb = conn.execute(select(self.tb.target_bonus).where(self.tb.target_bonus.c.year == year)).first()
            disputed: dict[str, list[str]] = {}
            for r in rows(select(self.tb.disputes.c.target, self.tb.disputes.c.entry_id).where(self.tb.disputes.c.year == year, self.tb.disputes.c.status != "decided")):
                disputed.setdefault(r["target"], []).append(r["entry_id"])
            return YearInputs(
                year=year,
                policy=orjson.loads(plan.policy),
                units=rows(select(self.tb.units).order_by(self.tb.units.c.code)),
                heads=heads,
                persons=rows(select(self.tb.persons).order_by(self.tb.persons.c.code)),
                assignments=assignments,
                annual_persons={r["person"]: r for r in rows(select(self.tb.annual_persons).where(self.tb.annual_persons.c.year == year))},
                tracks={(r["unit"], r["track"]): r for r in rows(select(self.tb.annual_unit_tracks).where(self.tb.annual_unit_tracks.c.year == year))},
                evaluations={(r["target"], r["kind"]): r["value"] for r in rows(select(self.tb.evaluations).where(self.tb.evaluations.c.year == year))},
                claims=rows(select(self.tb.bonus_claims).where(self.tb.bonus_claims.c.year == year, self.tb.bonus_claims.c.status == "approved")),
                vetoes=rows(select(self.tb.vetoes).where(self.tb.vetoes.c.year == year, self.tb.vetoes.c.status == "active")),
                target_bonus=None if tb is None else {"bases": orjson.loads(tb.bases), "point_value": tb.point_value},
                disputed=disputed,
            )

    def year(self, year: int) -> dict[str, Any]:
        """Every unit's and every person's annual result, and the bureau summary."""
        inputs = self.inputs(year)
        previous = None
        try:
            previous = compute(self.inputs(year - 1), None)
        except PlanNotFound:
            previous = None
        return compute(inputs, previous)


def compute(inp: YearInputs, previous: dict[str, Any] | None) -> dict[str, Any]:
    """Apply RULES.md §5 to one year's inputs. `previous` is the year before's result (for the
    two-year 不称职 run), or None."""
    policy = inp.policy
    cutoff = annual_cutoff(inp.year).isoformat()
    unit_bonus_raw: dict[str, Decimal] = {}
    person_bonus_raw: dict[str, Decimal] = {}
    for claim in inp.claims:
        bucket = unit_bonus_raw if claim["target_kind"] == "unit" else person_bonus_raw
        bucket[claim["target"]] = bucket.get(claim["target"], ZERO) + D(claim["points"])
    vetoed_units = {v["unit"] for v in inp.vetoes}
    vetoed_persons = {p for v in inp.vetoes for p in [v["head"], *orjson.loads(v["persons"])]}

    # -- units ---------------------------------------------------------------------------------
    units: dict[str, dict[str, Any]] = {}
    for u in inp.units:
        code, kind = u["code"], u["kind"]
        tracks = ("key", "routine") if kind == "branch" else ("half",)
        missing: list[str] = []
        means: dict[str, Decimal | None] = {}
        for track in tracks:
            row = inp.tracks.get((code, track))
            sheets = 0 if row is None else row["sheets"]
            means[track] = None if row is None else mean_of(D(row["rate_total"]), sheets)
            if sheets == 0:
                missing.append(f"no {track} sheets")
            elif row["sheets_published"] < sheets:
                missing.append(f"{sheets - row['sheets_published']} {track} sheet(s) not published")
        bonus = capped_bonus([unit_bonus_raw.get(code, ZERO)], policy)
        if kind == "branch":
            exact = branch_annual(means["key"], means["routine"], bonus, policy)
        else:
            grassroots = inp.evaluations.get((code, "grassroots"))
            if grassroots is None:
                missing.append("grassroots evaluation")
            exact = department_annual(means["half"], None if grassroots is None else D(grassroots), bonus, policy)
        score = official(exact)
        outcome = None if score is None else unit_outcome(score, code in vetoed_units, policy)
        units[code] = {
            "unit": code,
            "name": u["name"],
            "kind": kind,
            "head": _latest(inp.heads.get(code, []), cutoff),
            "means": {k: _s(v) for k, v in means.items()},
            "grassroots_rate": inp.evaluations.get((code, "grassroots")) if kind == "department" else None,
            "bonus": _s(bonus),
            "bonus_claimed": _s(unit_bonus_raw.get(code, ZERO)),
            "score_exact": _s(exact),
            "score": _s(score),
            "vetoed": code in vetoed_units,
            "meets_standard": None if outcome is None else outcome.meets_standard,
            "outcome_zh": None if outcome is None else ("达标" if outcome.meets_standard else "不达标"),
            "admonition": None if outcome is None else outcome.admonition,
            "accountability": None if outcome is None else outcome.accountability,
            "rank": None,
            "bottom": False,
            "provisional": bool(missing) or code in inp.disputed,
            "missing": missing,
            "disputed_entries": inp.disputed.get(code, []),
        }
    direct_excellent: set[str] = set()
    for kind in ("branch", "department"):
        scored = {c: D(u["score"]) for c, u in units.items() if u["kind"] == kind and u["score"] is not None}
        ranks = rank_with_ties(scored)
        worst = max(ranks.values(), default=None)
        for code, rank in ranks.items():
            units[code]["rank"] = rank
            units[code]["bottom"] = rank == worst and len(ranks) > 1
            # R-UNIT-4: heads of branches ranked 1-3 that meet the standard: excellent, outside the quota.
            if kind == "branch" and rank <= int(policy["direct_excellent_branch_ranks"]) and units[code]["meets_standard"] and units[code]["head"]:
                direct_excellent.add(units[code]["head"])
    failing_heads = {u["head"] for u in units.values() if u["meets_standard"] is False and u["head"]}

    # -- persons -------------------------------------------------------------------------------
    senior_age = {Gender.MALE: int(policy["senior_age_male"]), Gender.FEMALE: int(policy["senior_age_female"])}
    cutoff_date = date.fromisoformat(cutoff)
    persons: dict[str, dict[str, Any]] = {}
    for p in inp.persons:
        code = p["code"]
        sums = inp.annual_persons.get(code)
        exempt = (code, "exemption") in inp.evaluations
        if not p["in_authority"] or (sums is None and not exempt):
            continue  # not assessed this year
        unit = _latest(inp.assignments.get(code, []), min(cutoff, p["left_on"] or cutoff))
        senior = age_on(date.fromisoformat(p["birth_date"]), cutoff_date) >= senior_age[Gender(p["gender"])]
        months = 0 if sums is None or exempt else sums["months"]
        total = ZERO if sums is None else D(sums["monthly_total"])
        deducted = ZERO if sums is None else D(sums["deducted_total"])
        democratic = inp.evaluations.get((code, "democratic"))
        bonus = capped_bonus([unit_bonus_raw.get(unit or "", ZERO), person_bonus_raw.get(code, ZERO)], policy)
        missing: list[str] = []
        if not exempt:
            if months == 0:
                missing.append("no monthly sheets")
            elif sums["months_published"] < months:
                missing.append(f"{months - sums['months_published']} monthly sheet(s) not published")
            if democratic is None:
                missing.append("democratic evaluation")
        exact = None if exempt else staff_annual_rate(total, months, None if democratic is None else D(democratic), bonus, policy)
        rate = official(exact)
        computed = None if rate is None else grade_for(rate, policy)
        party_grade = inp.evaluations.get((code, "party_grade"))
        if exempt:
            grade = None
        elif senior:
            # R-STAFF-4: the senior person's grade is the Party group's, the figures beside it.
            grade = None if party_grade is None else Grade(party_grade)
            if party_grade is None:
                missing.append("Party group comprehensive grade")
        else:
            grade = computed
        barred = code in vetoed_persons
        effective = Grade.GOOD if grade is Grade.EXCELLENT and barred else grade  # R-VETO-2
        persons[code] = {
            "person": code,
            "name": p["name"],
            "unit": unit,
            "tier": p["tier"],
            "position_grade": p["position_grade"],
            "age_class": (AgeClass.SENIOR if senior else AgeClass.REGULAR).value,
            "exempt": exempt,
            "months": months,
            "monthly_total": _s(total) if not exempt else None,
            "monthly_mean_rate": _s(monthly_mean_rate(total, months)) if not exempt else None,
            "democratic_rate": democratic,
            "bonus": _s(bonus),
            "annual_rate_exact": _s(exact),
            "annual_rate": _s(rate),
            "computed_grade": None if computed is None else computed.value,
            "party_grade": party_grade,
            "grade": None if effective is None else effective.value,
            "grade_zh": None if effective is None else GRADE_ZH[effective],
            "excellent_barred": barred,
            "deducted_points": _s(deducted),
            "direct_excellent": code in direct_excellent,
            "cs_grade": None,
            "quota_place": False,
            "bottom": False,
            "provisional": bool(missing),
            "missing": missing,
            "_effective": effective,
        }

    # -- quota and civil-servant grades (R-CS-1/2) ---------------------------------------------
    evaluated = [r for r in persons.values() if not r["exempt"] and not r["direct_excellent"]]
    tiers = ("middle_head", "middle_deputy", "other")
    tier_sizes = {tier: sum(1 for r in evaluated if r["tier"] == tier) for tier in tiers}
    allocation = allocate_quota(tier_sizes, policy)
    used = {tier: 0 for tier in tiers}
    for tier in tiers:
        candidates = [
            r for r in evaluated
            if r["tier"] == tier and r["_effective"] is Grade.EXCELLENT and r["person"] not in failing_heads
        ]  # fmt: skip
        candidates.sort(key=lambda r: (-D(r["annual_rate"] or "0"), -D(r["democratic_rate"] or "0"), r["name"]))
        for r in candidates[: allocation[tier]]:
            r["quota_place"] = True
            used[tier] += 1
    prior = {} if previous is None else previous["persons_by_code"]
    former_grades = {p["code"]: p["former_position_grade"] for p in inp.persons}
    for r in persons.values():
        effective = r.pop("_effective")
        if r["direct_excellent"]:
            cs = CivilServantGrade.EXCELLENT
        elif effective is None:
            cs = None
        else:
            cs = cs_grade_from(effective, r["quota_place"])
        r["cs_grade"] = None if cs is None else cs.value
        r["cs_grade_zh"] = None if cs is None else CS_GRADE_ZH[cs]
        flags = []
        if cs is CivilServantGrade.BASICALLY_COMPETENT:
            flags.append("job_adjustment")  # 视情况进行岗位调整
        if cs is CivilServantGrade.INCOMPETENT:
            flags += ["criticism", "admonition", "off_duty_study", "demotion"]  # 通报批评、诫勉谈话、离岗学习、降职降级
            if prior.get(r["person"], {}).get("cs_grade") == CivilServantGrade.INCOMPETENT.value:
                flags.append("dismissal")  # 连续两年不称职，予以辞退
        r["flags"] = flags
        r["award_eligible"] = (
            not r["exempt"]
            and effective in (Grade.EXCELLENT, Grade.GOOD)
            and not r["excellent_barred"]
            and r["person"] not in failing_heads
        )
        r["head_of_failing_unit"] = r["person"] in failing_heads
        # R-BONUS-T-1..3: the target bonus.
        payout = None
        if inp.target_bonus is not None:
            bases = inp.target_bonus["bases"]
            base = bases.get(r["position_grade"])
            former = bases.get(former_grades.get(r["person"]) or r["position_grade"], base)
            if base is not None:
                payout = target_bonus_payout(
                    senior=r["age_class"] == AgeClass.SENIOR.value,
                    exempt=r["exempt"],
                    grade=effective,
                    base=D(base),
                    former_base=D(former),
                    deducted_points=D(r["deducted_points"]),
                    point_value=D(inp.target_bonus["point_value"]),
                )
            else:
                r["missing"].append(f"target-bonus base for {r['position_grade']}")
        elif not r["exempt"]:
            r["missing"].append("target-bonus bases")
        r["payout_yuan"] = _s(payout)
    regular_rates = {c: D(r["annual_rate"]) for c, r in persons.items() if r["annual_rate"] is not None and not r["exempt"]}
    if regular_rates:
        lowest = min(regular_rates.values())
        for c, rate in regular_rates.items():
            persons[c]["bottom"] = rate == lowest and len(regular_rates) > 1

    distribution: dict[str, int] = {}
    for r in persons.values():
        key = r["grade"] or "pending"
        distribution[key] = distribution.get(key, 0) + 1
    cs_distribution: dict[str, int] = {}
    for r in persons.values():
        key = r["cs_grade"] or "pending"
        cs_distribution[key] = cs_distribution.get(key, 0) + 1
    summary = {
        "year": inp.year,
        "persons_evaluated": len(evaluated),
        "direct_excellent_heads": sorted(direct_excellent),
        "quota_base": len(evaluated),
        "quota_rate": policy["excellent_quota_rate"],
        "quota": {tier: {"size": tier_sizes[tier], "places": allocation[tier], "used": used[tier]} for tier in tiers},
        "grade_distribution": distribution,
        "cs_grade_distribution": cs_distribution,
        "units_meeting_standard": sorted(c for c, u in units.items() if u["meets_standard"]),
        "units_not_meeting_standard": sorted(c for c, u in units.items() if u["meets_standard"] is False),
        "units_provisional": sorted(c for c, u in units.items() if u["provisional"]),
        "persons_provisional": sum(1 for r in persons.values() if r["provisional"] or r["missing"]),
        "policy": policy,
    }
    for code, r in persons.items():
        r["provisional"] = bool(r["missing"]) or code in inp.disputed
        r["disputed_entries"] = inp.disputed.get(code, [])
    return {"summary": summary, "units": list(units.values()), "persons": list(persons.values()), "persons_by_code": persons}
