"""The 优秀 quota, R-CS-2 (ledger/domain/quota.py), with R-STAFF-5 (exempt persons in the base,
never candidates), R-UNIT-4 (directly-excellent heads outside it), R-UNIT-3 and R-VETO-2 (who
may take a place). No I/O: plain values in, values out."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ledger.domain.annual import Grade
from ledger.domain.plan import DEFAULT_POLICY as P
from ledger.domain.quota import (
    TIER_ORDER,
    Entrant,
    allocate_quota,
    assign_quota,
    candidate_order,
    in_quota_base,
    is_candidate,
    quota_places,
    tier_sizes,
)


def person(code: str, tier: str = "other", *, grade: Grade | None = Grade.EXCELLENT, rate: str | None = "96.00", democratic: str | None = "0.90",
           exempt: bool = False, direct: bool = False, failing_head: bool = False, name: str | None = None) -> Entrant:  # fmt: skip
    return Entrant(
        code=code, name=name or code, tier=tier, exempt=exempt, direct_excellent=direct, grade=grade,
        annual_rate=None if rate is None else D(rate), democratic_rate=None if democratic is None else D(democratic), head_of_failing_unit=failing_head,
    )  # fmt: skip


# -- the number of places ------------------------------------------------------------------------


@pytest.mark.parametrize(("evaluated", "places"), [(0, 0), (6, 0), (7, 1), (13, 1), (14, 2), (20, 3), (47, 7), (150, 22)])
def test_places_are_fifteen_percent_rounded_down__R_CS_2(evaluated: int, places: int) -> None:
    """6 × 0.15 = 0.9 → 0; 7 × 0.15 = 1.05 → 1; 14 × 0.15 = 2.1 → 2; 150 × 0.15 = 22.5 → 22."""
    assert quota_places(evaluated, P) == places


# -- sharing the places among the tiers ------------------------------------------------------------


def test_largest_remainder_worked_example__R_CS_2() -> None:
    """47 persons evaluated: 47 × 15% = 7.05 → 7 places. Tiers 5 / 12 / 30: exact shares
    7×5/47 = 0.745, 7×12/47 = 1.787, 7×30/47 = 4.468 → whole parts 0, 1, 4 (5 places); the 2 left
    go to the largest remainders 0.787 (middle_deputy) and 0.745 (middle_head) → 1, 2, 4."""
    assert allocate_quota({"middle_head": 5, "middle_deputy": 12, "other": 30}, P) == {"middle_head": 1, "middle_deputy": 2, "other": 4}


def test_equal_remainders_and_sizes_go_in_tier_order_middle_head_first__R_CS_2() -> None:
    """RULES.md R-CS-2: "equal remainders go to the larger tier, then in tier order middle_head,
    middle_deputy, other". 7 persons: 7 × 15% = 1.05 → 1 place. Tiers 3 / 3 / 1: shares
    3/7 = 0.43, 3/7 = 0.43, 1/7 = 0.14 → no whole place; the one place has two equal claims of
    3/7 from tiers of equal size → middle_head, the first tier. (Sorting by the tier's English
    name, as the code once did, would give it to middle_deputy.)"""
    assert allocate_quota({"middle_head": 3, "middle_deputy": 3, "other": 1}, P) == {"middle_head": 1, "middle_deputy": 0, "other": 0}
    # The same with 20 persons: 3 places, 10 / 10 / 0 → 1.5 and 1.5 → the third to middle_head.
    assert allocate_quota({"middle_head": 10, "middle_deputy": 10, "other": 0}, P) == {"middle_head": 2, "middle_deputy": 1, "other": 0}
    # And middle_deputy before other: 10 / 10 of 20 → 1.5 each → middle_deputy 2.
    assert allocate_quota({"middle_head": 0, "middle_deputy": 10, "other": 10}, P) == {"middle_head": 0, "middle_deputy": 2, "other": 1}


def test_equal_remainders_go_to_the_larger_tier_before_tier_order__R_CS_2() -> None:
    """40 persons: 40 × 15% = 6 places. Tiers 10 / 0 / 30: shares 6×10/40 = 1.5 and 6×30/40 = 4.5 →
    whole parts 1 + 4 = 5; the one left has two claims of 0.5: the larger tier (other, 30) takes it
    although middle_head comes first in tier order."""
    assert allocate_quota({"middle_head": 10, "middle_deputy": 0, "other": 30}, P) == {"middle_head": 1, "middle_deputy": 0, "other": 5}


def test_equal_remainders_are_compared_exactly__R_CS_2() -> None:
    """18 persons: 18 × 15% = 2.7 → 2 places. Tiers 1 / 4 / 13: shares 2/18 = 0.111…, 8/18 = 0.444…,
    26/18 = 1.444… → whole parts 0, 0, 1; one place left. The remainders of middle_deputy (8/18)
    and other (26/18 − 1 = 8/18) are equal, so the larger tier, other, takes it → 0, 0, 2.
    A 28-digit decimal division makes 26/18 − 1 = 0.444…4 (27 digits) look smaller than
    8/18 = 0.444…4 (28 digits) and gave the place to middle_deputy."""
    assert allocate_quota({"middle_head": 1, "middle_deputy": 4, "other": 13}, P) == {"middle_head": 0, "middle_deputy": 0, "other": 2}


def test_allocation_uses_every_place_and_no_more__R_CS_2() -> None:
    for sizes in ({"middle_head": 17, "middle_deputy": 17, "other": 116}, {"middle_head": 2, "middle_deputy": 1, "other": 6}, {"middle_head": 0, "middle_deputy": 0, "other": 0}):
        allocation = allocate_quota(sizes, P)
        assert sum(allocation.values()) == quota_places(sum(sizes.values()), P)
        assert all(allocation[t] <= sizes[t] for t in sizes)


def test_an_unknown_tier_is_refused__R_CS_2() -> None:
    with pytest.raises(ValueError):
        allocate_quota({"leader": 5, "other": 30}, P)


def test_tier_order_is_the_rulebooks__R_CS_2() -> None:
    assert TIER_ORDER == ("middle_head", "middle_deputy", "other")


# -- who is in the base, who is a candidate --------------------------------------------------------


def test_exempt_persons_count_in_the_base_and_tier_sizes__R_CS_2_R_STAFF_5() -> None:
    """RULES.md R-CS-2: "the persons evaluated (everyone in authority to be graded that year,
    exempt persons included, whether their figures are final or still provisional)". Six 'other'
    persons, one of them exempt and one provisional (no grade yet), and a directly-excellent
    branch head: base = 6 (the head is outside it), 'other' has 6."""
    persons = [person(f"P{i}") for i in range(4)] + [person("EX", exempt=True, grade=Grade.GOOD), person("PR", grade=None, rate=None), person("HEAD", "middle_head", direct=True)]
    assert [p.code for p in persons if in_quota_base(p)] == ["P0", "P1", "P2", "P3", "EX", "PR"]
    assert tier_sizes(persons) == {"middle_head": 0, "middle_deputy": 0, "other": 6}


def test_directly_excellent_heads_are_neither_in_the_base_nor_candidates__R_CS_2_R_UNIT_4() -> None:
    head = person("HEAD", "middle_head", direct=True)
    assert not in_quota_base(head) and not is_candidate(head)


@pytest.mark.parametrize(
    ("entrant", "candidate"),
    [
        (person("A"), True),
        (person("B", grade=Grade.GOOD), False),  # only excellent persons
        (person("C", exempt=True), False),  # R-STAFF-5: not a candidate for a 优秀 place
        (person("D", failing_head=True), False),  # R-UNIT-3: head of a unit below the standard
        (person("E", grade=None), False),  # provisional: no grade yet
        (person("F", direct=True), False),  # R-UNIT-4: outside the count
    ],
)
def test_who_may_take_a_place__R_CS_2_R_STAFF_5_R_UNIT_3(entrant: Entrant, candidate: bool) -> None:
    assert is_candidate(entrant) is candidate


def test_candidates_are_taken_by_rate_then_democratic_rate_then_name__R_CS_2() -> None:
    """A 97.00; B and C 96.50 with democratic 0.95 and 0.93; D and E 96.50 / 0.93 named 王伟 and
    李娜 (name order: 李 U+674E before 王 U+738B, and 'C' sorts first of all); F without a rate
    comes last (a missing figure is never counted as zero)."""
    entrants = [
        person("F", rate=None),
        person("E", rate="96.50", democratic="0.93", name="王伟"),
        person("D", rate="96.50", democratic="0.93", name="李娜"),
        person("C", rate="96.50", democratic="0.93", name="C"),
        person("B", rate="96.50", democratic="0.95"),
        person("A", rate="97.00"),
    ]
    assert [p.code for p in candidate_order(entrants)] == ["A", "B", "C", "D", "E", "F"]


# -- the whole quota ---------------------------------------------------------------------------------


def test_assign_quota_counts_the_exempt_and_gives_their_place_to_others__R_CS_2_R_STAFF_5() -> None:
    """13 'other' persons and 1 exempt 'other' (Party grade excellent) → base 14 → 14 × 15% = 2.1 →
    2 places, both in 'other'. Without the exempt person the base would be 13 → 1 place. The
    exempt person is excellent but no candidate: the places go to X1 (97.00) and X2 (96.00)."""
    persons = [person("X1", rate="97.00"), person("X2", rate="96.00"), person("X3", rate="95.50")]
    persons += [person(f"G{i}", grade=Grade.GOOD, rate="90.00") for i in range(10)]
    persons.append(person("EX", exempt=True, grade=Grade.EXCELLENT, rate=None, democratic=None))
    result = assign_quota(persons, P)
    assert (result.persons_evaluated, result.places_total, result.allocation["other"]) == (14, 2, 2)
    assert result.order["other"] == ["X1", "X2", "X3"]
    assert result.placed == {"X1", "X2"} and result.used("other") == 2
    assert assign_quota(persons[:-1], P).places_total == 1


def test_places_left_unused_when_a_tier_has_too_few_candidates__R_CS_2() -> None:
    """20 persons (3 places): middle_head 10, other 10 → 2 and 1. Only one excellent middle_head:
    that tier uses 1 of its 2 places; its spare place does not pass to another tier."""
    persons = [person("H1", "middle_head")] + [person(f"H{i}", "middle_head", grade=Grade.GOOD) for i in range(2, 11)]
    persons += [person("O1"), person("O2", rate="95.10")] + [person(f"O{i}", grade=Grade.GOOD) for i in range(3, 11)]
    result = assign_quota(persons, P)
    assert result.allocation == {"middle_head": 2, "middle_deputy": 0, "other": 1}
    assert (result.used("middle_head"), result.used("other")) == (1, 1)
    assert result.placed == {"H1", "O1"}
