"""The bureau's summary of a year (年度汇总): grade distributions, the quota, the units meeting the
standard and what is still provisional. Counts only; every figure it counts is decided elsewhere."""

from __future__ import annotations

from typing import Any

from ledger.domain.quota import TIER_ORDER, QuotaResult


def distribution(rows: list[dict[str, Any]], key: str) -> dict[str, int]:
    """How many rows have each value of `key` ("pending" while provisional)."""
    counts: dict[str, int] = {}
    for r in rows:
        value = r[key] or "pending"
        counts[value] = counts.get(value, 0) + 1
    return counts


def summary(
    year: int, policy: dict[str, str], units: dict[str, dict[str, Any]], persons: dict[str, dict[str, Any]], direct_excellent: set[str], q: QuotaResult
) -> dict[str, Any]:
    rows = list(persons.values())
    return {
        "year": year,
        # R-CS-2: everyone graded, exempt persons included, the directly-excellent heads not.
        "persons_evaluated": q.persons_evaluated,
        "direct_excellent_heads": sorted(direct_excellent),
        "quota_base": q.persons_evaluated,
        "quota_rate": policy["excellent_quota_rate"],
        "quota": {tier: {"size": q.sizes[tier], "places": q.allocation[tier], "used": q.used(tier)} for tier in TIER_ORDER},
        "grade_distribution": distribution(rows, "grade"),
        "cs_grade_distribution": distribution(rows, "cs_grade"),
        "units_meeting_standard": sorted(c for c, u in units.items() if u["meets_standard"]),
        "units_not_meeting_standard": sorted(c for c, u in units.items() if u["meets_standard"] is False),
        "units_provisional": sorted(c for c, u in units.items() if u["provisional"]),
        "persons_provisional": sum(1 for r in rows if r["provisional"]),
        "policy": policy,
    }
