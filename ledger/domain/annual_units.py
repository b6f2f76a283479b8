"""A unit's annual result (单位年度考核结果), R-UNIT-1..4 with R-BONUS-4 and R-VETO-2: its score
from the year's sheet means, evaluation and bonus; whether it meets the standard; its rank
within its kind; the bottom flags; the branch heads graded excellent directly; the heads barred
from the year-end individual awards. Pure functions on plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import AbstractSet, Iterable, Mapping, Sequence

from ledger.domain.annual import (
    UnitOutcome,
    bottom_of,
    branch_annual,
    capped_bonus,
    department_annual,
    mean_of,
    official,
    rank_with_ties,
    unit_outcome,
)
from ledger.domain.numbers import ZERO

BRANCH = "branch"
DEPARTMENT = "department"
# The sheet tracks each kind of unit is scored on (R-SHEET-1).
UNIT_TRACKS: dict[str, tuple[str, ...]] = {BRANCH: ("key", "routine"), DEPARTMENT: ("half",)}


@dataclass(frozen=True)
class TrackSums:
    """A unit track's sheets in the year: how many it had, how many are published, Σ their rates."""

    sheets: int = 0
    published: int = 0
    rate_total: Decimal = ZERO


@dataclass(frozen=True)
class UnitFacts:
    """What the year's review knows of one unit (inputs only, nothing derived)."""

    code: str
    kind: str  # branch | department
    head: str | None  # the head on the annual cut-off date
    tracks: Mapping[str, TrackSums] = field(default_factory=dict)
    grassroots_rate: Decimal | None = None  # departments only (R-UNIT-2)
    bonus_claimed: Decimal = ZERO  # Σ approved bonus points, before the cap
    vetoed: bool = False  # an active veto in the year (R-VETO-2)


@dataclass(frozen=True)
class UnitScore:
    """R-UNIT-1..3: the unit's means, counted bonus, exact and official score, outcome and what
    is still missing (a missing input is never counted as zero: the score is then provisional)."""

    means: dict[str, Decimal | None]
    bonus: Decimal
    exact: Decimal | None
    score: Decimal | None
    outcome: UnitOutcome | None
    missing: list[str]


def track_missing(track: str, sums: TrackSums) -> list[str]:
    """RULES.md §5: a track with no sheet, or with sheets not yet published, is not final."""
    if sums.sheets == 0:
        return [f"no {track} sheets"]
    if sums.published < sums.sheets:
        return [f"{sums.sheets - sums.published} {track} sheet(s) not published"]
    return []


def score_unit(unit: UnitFacts, policy: Mapping[str, str]) -> UnitScore:
    """R-UNIT-1 (branch) or R-UNIT-2 (department), R-BONUS-4 (the cap), R-UNIT-3 and R-VETO-2
    (the outcome on the official score)."""
    missing: list[str] = []
    means: dict[str, Decimal | None] = {}
    for track in UNIT_TRACKS[unit.kind]:
        sums = unit.tracks.get(track, TrackSums())
        means[track] = mean_of(sums.rate_total, sums.sheets)
        missing += track_missing(track, sums)
    bonus = capped_bonus([unit.bonus_claimed], policy)
    if unit.kind == BRANCH:
        exact = branch_annual(means["key"], means["routine"], bonus, policy)
    else:
        if unit.grassroots_rate is None:
            missing.append("grassroots evaluation")
        exact = department_annual(means["half"], unit.grassroots_rate, bonus, policy)
    score = official(exact)
    outcome = None if score is None else unit_outcome(score, unit.vetoed, policy)
    return UnitScore(means, bonus, exact, score, outcome, missing)


@dataclass(frozen=True)
class RankedUnit:
    """A unit as the bureau-wide rules see it: its kind, head and official score."""

    code: str
    kind: str
    head: str | None
    score: Decimal | None  # None while the unit has no score: it is not ranked
    meets_standard: bool | None


def ranks_within_kind(units: Iterable[RankedUnit]) -> dict[str, int]:
    """R-UNIT-4: branches are ranked among branches and departments among departments, equal
    scores sharing a rank; a unit without a score is not ranked."""
    ranks: dict[str, int] = {}
    for kind in UNIT_TRACKS:
        ranks.update(rank_with_ties({u.code: u.score for u in units if u.kind == kind and u.score is not None}))
    return ranks


def bottom_units(units: Iterable[RankedUnit]) -> set[str]:
    """R-UNIT-4 末位管理: the last-ranked units within their kind (all tied at the lowest score);
    none in a kind with fewer than two scored units."""
    scored = [u for u in units if u.score is not None]
    flagged: set[str] = set()
    for kind in UNIT_TRACKS:
        flagged |= bottom_of({u.code: u.score for u in scored if u.kind == kind and u.score is not None})
    return flagged


def direct_excellent_heads(units: Sequence[RankedUnit], policy: Mapping[str, str], barred: AbstractSet[str] = frozenset()) -> set[str]:
    """R-UNIT-4: the head of each branch ranked 1–3 that meets the standard is graded excellent
    directly, outside the quota (不占分局名额). Ranks are shared on ties, so four branches tied
    first all qualify; departments' heads never do. A head barred by a veto on another unit
    (R-VETO-2: barred from the excellent grade) is not."""
    ranks = ranks_within_kind(units)
    best = int(policy["direct_excellent_branch_ranks"])
    return {
        u.head for u in units
        if u.kind == BRANCH and u.head and u.head not in barred and u.meets_standard and ranks.get(u.code, best + 1) <= best
    }  # fmt: skip


def heads_of_failing_units(units: Iterable[RankedUnit]) -> set[str]:
    """R-UNIT-3: the head of a unit that does not meet the standard is barred from the year-end
    individual awards. A unit still without a score decides nothing yet."""
    return {u.head for u in units if u.meets_standard is False and u.head}
