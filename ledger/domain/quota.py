"""The 优秀 quota (优秀等次名额), R-CS-2: at most 15% of the persons evaluated may be 优秀, shared
among the three position tiers by the largest-remainder method, and taken within a tier by the
eligible excellent persons in order of annual rate, democratic evaluation rate and name.

Pure functions on plain values: the projection hands in one `Entrant` per person graded in the
year and gets back the places; the trace calls the same functions to explain a place.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Iterable, Mapping, Sequence

from ledger.domain.annual import Grade
from ledger.domain.numbers import policy_number
from ledger.domain.roster import Tier

# R-CS-2: equal remainders go to the larger tier, then in this order.
TIER_ORDER: tuple[str, ...] = tuple(tier.value for tier in Tier)  # middle_head, middle_deputy, other


@dataclass(frozen=True)
class Entrant:
    """One person graded in the year, as the quota sees them."""

    code: str
    name: str
    tier: str
    exempt: bool  # R-STAFF-5: counted in the base, never a candidate
    direct_excellent: bool  # R-UNIT-4: outside the count altogether
    grade: Grade | None  # the grade after veto barring (R-VETO-2); None while provisional
    annual_rate: Decimal | None
    democratic_rate: Decimal | None
    head_of_failing_unit: bool = False  # R-UNIT-3: barred from the year-end individual awards


def in_quota_base(person: Entrant) -> bool:
    """R-CS-2: everyone graded that year is in the base — exempt persons included, final or
    provisional — except the directly-excellent branch heads (R-UNIT-4), who are outside it."""
    return not person.direct_excellent


def tier_sizes(persons: Iterable[Entrant]) -> dict[str, int]:
    """The size of each tier among the persons in the quota base, in tier order."""
    base = [p for p in persons if in_quota_base(p)]
    return {tier: sum(1 for p in base if p.tier == tier) for tier in TIER_ORDER}


def quota_places(persons_evaluated: int, policy: Mapping[str, str]) -> int:
    """R-CS-2: 15% of the persons evaluated, rounded down (a place is a whole person)."""
    return int((Decimal(persons_evaluated) * policy_number(policy, "excellent_quota_rate")).to_integral_value(rounding=ROUND_FLOOR))


def allocate_quota(sizes: Mapping[str, int], policy: Mapping[str, str]) -> dict[str, int]:
    """R-CS-2: the places shared among the tiers in proportion to their size, by the largest
    remainder: each tier first gets the whole part of places × size / total, and the places left
    go one each to the largest remainders; equal remainders go to the larger tier, then in tier
    order middle_head, middle_deputy, other.

    Shares and remainders are kept as integers (numerators over the total), so two remainders
    that are equal are compared as equal: a decimal division would cut 4/12 and 16/12 − 1 at
    different digits and could break a tie the rule decides otherwise."""
    unknown = set(sizes) - set(TIER_ORDER)
    if unknown:
        raise ValueError(f"unknown position tiers: {sorted(unknown)}")
    total = sum(sizes.values())
    places = quota_places(total, policy)
    if total == 0:
        return {tier: 0 for tier in sizes}
    allocation = {tier: places * size // total for tier, size in sizes.items()}
    remainder = {tier: places * size % total for tier, size in sizes.items()}
    left = places - sum(allocation.values())
    by_claim = sorted(sizes, key=lambda tier: (-remainder[tier], -sizes[tier], TIER_ORDER.index(tier)))
    for tier in by_claim[:left]:
        allocation[tier] += 1
    return allocation


def is_candidate(person: Entrant) -> bool:
    """R-CS-2 with R-CS-1, R-STAFF-5, R-UNIT-3/4: an excellent person in the base, not exempt,
    not the head of a unit that does not meet the standard."""
    return in_quota_base(person) and not person.exempt and person.grade is Grade.EXCELLENT and not person.head_of_failing_unit


def _descending(value: Decimal | None) -> tuple[bool, Decimal]:
    # A missing figure is never counted as zero: it sorts after every figure.
    return (value is None, -(value if value is not None else Decimal(0)))


def candidate_order(candidates: Iterable[Entrant]) -> list[Entrant]:
    """R-CS-2 within a tier: by annual rate, then democratic evaluation rate (both highest
    first), then name; the code settles two persons of the same name."""
    return sorted(candidates, key=lambda p: (_descending(p.annual_rate), _descending(p.democratic_rate), p.name, p.code))


@dataclass(frozen=True)
class QuotaResult:
    """The year's quota: who is in the base, the tiers' sizes and places, the candidates of each
    tier in order, and who got a place."""

    persons_evaluated: int
    places_total: int
    sizes: dict[str, int]
    allocation: dict[str, int]
    order: dict[str, list[str]]  # tier -> candidates' codes, best first
    placed: frozenset[str]

    def used(self, tier: str) -> int:
        return min(self.allocation[tier], len(self.order[tier]))


def assign_quota(persons: Sequence[Entrant], policy: Mapping[str, str]) -> QuotaResult:
    """R-CS-2: allocate the places among the tiers, then give each tier's places to its
    candidates in order."""
    sizes = tier_sizes(persons)
    allocation = allocate_quota(sizes, policy)
    order = {tier: [p.code for p in candidate_order(p for p in persons if p.tier == tier and is_candidate(p))] for tier in TIER_ORDER}
    placed = frozenset(code for tier in TIER_ORDER for code in order[tier][: allocation[tier]])
    evaluated = sum(sizes.values())
    return QuotaResult(evaluated, quota_places(evaluated, policy), sizes, allocation, order, placed)
