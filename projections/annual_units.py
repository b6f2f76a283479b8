"""Units' annual results (单位年度考核结果) for the read side: gathers each unit's facts from the
year's inputs, asks `ledger.domain.annual_units` for the score, outcome, rank and flags, and shapes
the rows the API shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.domain.annual import barred_persons, in_force_on, vetoed_units
from ledger.domain.annual_units import (
    RankedUnit,
    TrackSums,
    UnitFacts,
    UnitScore,
    bottom_units,
    direct_excellent_heads,
    heads_of_failing_units,
    ranks_within_kind,
    score_unit,
)
from ledger.domain.numbers import ZERO
from projections.annual_inputs import YearInputs, decimal, text


@dataclass(frozen=True)
class UnitDecisions:
    """What the units decide about persons: the heads graded excellent directly (R-UNIT-4) and
    the heads of units that do not meet the standard (R-UNIT-3)."""

    direct_excellent: set[str]
    failing_heads: set[str]


def unit_facts(inp: YearInputs, unit: dict[str, Any], cutoff: str, claimed: dict[str, Decimal], vetoed: set[str]) -> UnitFacts:
    code = unit["code"]
    tracks = {
        track: TrackSums(row["sheets"], row["sheets_published"], Decimal(row["rate_total"]))
        for (owner, track), row in inp.tracks.items() if owner == code
    }  # fmt: skip
    grassroots = inp.evaluations.get((code, "grassroots")) if unit["kind"] == "department" else None
    return UnitFacts(
        code=code, kind=unit["kind"], head=in_force_on(inp.heads.get(code, []), cutoff), tracks=tracks,
        grassroots_rate=decimal(grassroots), bonus_claimed=claimed.get(code, ZERO), vetoed=code in vetoed,
    )  # fmt: skip


def unit_row(inp: YearInputs, name: str, facts: UnitFacts, s: UnitScore) -> dict[str, Any]:
    outcome = s.outcome
    return {
        "unit": facts.code,
        "name": name,
        "kind": facts.kind,
        "head": facts.head,
        "means": {track: text(value) for track, value in s.means.items()},
        "grassroots_rate": inp.evaluations.get((facts.code, "grassroots")) if facts.kind == "department" else None,
        "bonus": text(s.bonus),
        "bonus_claimed": text(facts.bonus_claimed),
        "score_exact": text(s.exact),
        "score": text(s.score),
        "vetoed": facts.vetoed,
        "meets_standard": None if outcome is None else outcome.meets_standard,
        "outcome_zh": None if outcome is None else ("达标" if outcome.meets_standard else "不达标"),
        "admonition": None if outcome is None else outcome.admonition,
        "accountability": None if outcome is None else outcome.accountability,
        "rank": None,
        "bottom": False,
        "provisional": bool(s.missing) or facts.code in inp.disputed,
        "missing": s.missing,
        "disputed_entries": inp.disputed.get(facts.code, []),
    }


def ranked(row: dict[str, Any]) -> RankedUnit:
    """A unit row as the bureau-wide rules of R-UNIT-3/4 see it (also used by the trace)."""
    return RankedUnit(row["unit"], row["kind"], row["head"], decimal(row["score"]), row["meets_standard"])


def unit_results(inp: YearInputs, cutoff: str) -> tuple[dict[str, dict[str, Any]], UnitDecisions]:
    """Every unit's row, ranked and flagged, and the decisions the units make about persons."""
    claimed = inp.claimed("unit")
    vetoed = vetoed_units(inp.veto_facts())
    units: dict[str, dict[str, Any]] = {}
    for u in inp.units:
        facts = unit_facts(inp, u, cutoff, claimed, vetoed)
        units[u["code"]] = unit_row(inp, u["name"], facts, score_unit(facts, inp.policy))
    standing = [ranked(row) for row in units.values()]
    for code, rank in ranks_within_kind(standing).items():
        units[code]["rank"] = rank
    for code in bottom_units(standing):
        units[code]["bottom"] = True
    barred = barred_persons(inp.veto_facts())
    decisions = UnitDecisions(direct_excellent_heads(standing, inp.policy, barred), heads_of_failing_units(standing))
    return units, decisions
