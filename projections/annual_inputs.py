"""The inputs of a year's annual results, read from the projected tables (年度考核输入): the plan's
policy, the roster, the running sums per person and per unit track, the review's facts
(evaluations, approved claims, active vetoes, target-bonus settings) and open disputes.

Only reading and gathering here; every decision is a function of `ledger.domain.annual*`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, select

from ledger.domain.annual import VetoFacts
from ledger.domain.errors import PlanNotFound
from ledger.domain.numbers import ZERO


def text(value: Decimal | None) -> str | None:
    """A figure as the projections show it ("95.50"); None stays None."""
    return None if value is None else format(value, "f")  # ledger.domain.numbers.fmt, inlined: called ~1,200 times a year


def decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


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

    def claimed(self, target_kind: str) -> dict[str, Decimal]:
        """Σ approved bonus points per target of a kind ("unit" or "person"), before the cap."""
        sums: dict[str, Decimal] = {}
        for claim in self.claims:
            if claim["target_kind"] == target_kind:
                sums[claim["target"]] = sums.get(claim["target"], ZERO) + Decimal(claim["points"])
        return sums

    def veto_facts(self) -> list[VetoFacts]:
        return [VetoFacts(v["unit"], v["head"], tuple(orjson.loads(v["persons"]))) for v in self.vetoes]


def _dicts(conn: Connection, stmt: Any) -> list[dict[str, Any]]:
    """Rows as dicts, the column names zipped once per result (a `Row._mapping` per row costs a
    third of reading a year's inputs; measured with cProfile, make bench)."""
    result = conn.execute(stmt)
    keys = tuple(result.keys())
    return [dict(zip(keys, row)) for row in result]


def read_inputs(conn: Connection, tb: Any, year: int) -> YearInputs:
    """One year's inputs from the tables `tb` (live, or as of a log position)."""
    plan = conn.execute(select(tb.plans.c.policy).where(tb.plans.c.year == year)).first()
    if plan is None:
        raise PlanNotFound(f"no plan for {year}", f"{year} 年度考核方案尚未建立", year=year)
    rows = lambda stmt: _dicts(conn, stmt)  # noqa: E731
    heads: dict[str, list[tuple[str, str]]] = {}
    for r in rows(select(tb.unit_heads)):
        heads.setdefault(r["unit"], []).append((r["effective_from"], r["person"]))
    assignments: dict[str, list[tuple[str, str]]] = {}
    for r in rows(select(tb.assignments)):
        assignments.setdefault(r["person"], []).append((r["effective_from"], r["unit"]))
    target_bonus = conn.execute(select(tb.target_bonus).where(tb.target_bonus.c.year == year)).first()
    disputed: dict[str, list[str]] = {}
    for r in rows(select(tb.disputes.c.target, tb.disputes.c.entry_id).where(tb.disputes.c.year == year, tb.disputes.c.status != "decided")):
        disputed.setdefault(r["target"], []).append(r["entry_id"])
    return YearInputs(
        year=year,
        policy=orjson.loads(plan.policy),
        units=rows(select(tb.units).order_by(tb.units.c.code)),
        heads=heads,
        persons=rows(select(tb.persons).order_by(tb.persons.c.code)),
        assignments=assignments,
        annual_persons={r["person"]: r for r in rows(select(tb.annual_persons).where(tb.annual_persons.c.year == year))},
        tracks={(r["unit"], r["track"]): r for r in rows(select(tb.annual_unit_tracks).where(tb.annual_unit_tracks.c.year == year))},
        evaluations={(r["target"], r["kind"]): r["value"] for r in rows(select(tb.evaluations).where(tb.evaluations.c.year == year))},
        claims=rows(select(tb.bonus_claims).where(tb.bonus_claims.c.year == year, tb.bonus_claims.c.status == "approved")),
        vetoes=rows(select(tb.vetoes).where(tb.vetoes.c.year == year, tb.vetoes.c.status == "active")),
        target_bonus=None if target_bonus is None else {"bases": orjson.loads(target_bonus.bases), "point_value": target_bonus.point_value},
        disputed=disputed,
    )
