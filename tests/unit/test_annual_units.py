"""A unit's annual result (ledger/domain/annual_units.py): R-UNIT-1..4 with R-BONUS-4 and
R-VETO-2 — the score from the year's sheets, the outcome, ranks within a kind, bottom flags, the
branch heads graded excellent directly and the heads barred by a failing unit. No I/O."""

from __future__ import annotations

from decimal import Decimal as D

from ledger.domain.annual import VetoFacts, bottom_of, in_force_on, vetoed_units
from ledger.domain.annual_units import (
    RankedUnit,
    TrackSums,
    UnitFacts,
    bottom_units,
    direct_excellent_heads,
    heads_of_failing_units,
    ranks_within_kind,
    score_unit,
    track_missing,
)
from ledger.domain.plan import DEFAULT_POLICY as P


def branch(code: str, score: str | None, head: str | None = None, meets: bool | None = True) -> RankedUnit:
    return RankedUnit(code, "branch", head or f"head-{code}", None if score is None else D(score), meets if score is not None else None)


def department(code: str, score: str | None, meets: bool | None = True) -> RankedUnit:
    return RankedUnit(code, "department", f"head-{code}", None if score is None else D(score), meets if score is not None else None)


# -- the score (R-UNIT-1/2/3, R-BONUS-4) ---------------------------------------------------------------


def test_branch_score_from_its_tracks__R_UNIT_1() -> None:
    """Key-work rates 0.96 + 0.98 + 0.97 + 0.99 = 3.90 over 4 quarters → 0.975; routine 0.94 + 0.92
    = 1.86 over 2 halves → 0.93. (0.975 × 50% + 0.93 × 50%) × 100 + 2 = 48.75 + 46.5 + 2 = 97.25."""
    facts = UnitFacts("B01", "branch", "P01", {"key": TrackSums(4, 4, D("3.90")), "routine": TrackSums(2, 2, D("1.86"))}, bonus_claimed=D(2))
    s = score_unit(facts, P)
    assert (s.means, s.bonus, s.exact, s.score, s.missing) == ({"key": D("0.975"), "routine": D("0.93")}, D("2.00"), D("97.25"), D("97.25"), [])
    assert s.outcome is not None and s.outcome.meets_standard


def test_department_score_and_its_missing_grassroots_rate__R_UNIT_2() -> None:
    """Half-year rates 0.97 + 0.95 = 1.92 over 2 → 0.96; grassroots 0.88:
    (0.96 × 70% + 0.88 × 30%) × 100 = 67.2 + 26.4 = 93.60. Without the grassroots rate there is
    no score (never counted as zero) and the result names what is missing."""
    tracks = {"half": TrackSums(2, 2, D("1.92"))}
    assert score_unit(UnitFacts("D01", "department", "P08", tracks, grassroots_rate=D("0.88")), P).score == D("93.60")
    waiting = score_unit(UnitFacts("D01", "department", "P08", tracks), P)
    assert (waiting.score, waiting.outcome, waiting.missing) == (None, None, ["grassroots evaluation"])


def test_a_unit_bonus_is_capped_at_ten__R_BONUS_4() -> None:
    """Claimed 6 + 4 + 2 = 12, counted 10: (1 × 50% + 1 × 50%) × 100 + 10 = 110.00."""
    s = score_unit(UnitFacts("B03", "branch", None, {"key": TrackSums(1, 1, D(1)), "routine": TrackSums(1, 1, D(1))}, bonus_claimed=D(12)), P)
    assert (s.bonus, s.score) == (D("10.00"), D("110.00"))


def test_unpublished_and_missing_tracks_are_named__R_UNIT_1() -> None:
    assert track_missing("key", TrackSums()) == ["no key sheets"]
    assert track_missing("key", TrackSums(4, 3, D("3.9"))) == ["1 key sheet(s) not published"]
    assert track_missing("key", TrackSums(4, 4, D("3.9"))) == []
    s = score_unit(UnitFacts("B09", "branch", None, {"key": TrackSums(1, 0, D("0.9"))}), P)
    assert (s.score, s.missing) == (None, ["1 key sheet(s) not published", "no routine sheets"])


def test_a_vetoed_unit_does_not_meet_the_standard_whatever_its_score__R_VETO_2_R_UNIT_3() -> None:
    """RULES.md R-VETO-2: "A vetoed unit does not meet the standard whatever its score"."""
    perfect = {"key": TrackSums(1, 1, D(1)), "routine": TrackSums(1, 1, D(1))}
    s = score_unit(UnitFacts("B02", "branch", "P05", perfect, vetoed=True), P)
    assert s.score == D("100.00") and s.outcome is not None and s.outcome.meets_standard is False
    assert vetoed_units([VetoFacts("B02", "P05", ("P06",))]) == {"B02"}


# -- ranks and bottom flags (R-UNIT-4) -----------------------------------------------------------------


def test_ranks_are_within_the_kind_and_shared_on_ties__R_UNIT_4() -> None:
    """Branches 96.50, 95.00, 95.00, 94.00 → 1, 2, 2, 4; departments ranked separately; a unit
    without a score is not ranked."""
    units = [branch("B1", "96.50"), branch("B2", "95.00"), branch("B3", "95.00"), branch("B4", "94.00"), branch("B5", None), department("D1", "90.00"), department("D2", "97.00")]
    assert ranks_within_kind(units) == {"B1": 1, "B2": 2, "B3": 2, "B4": 4, "D2": 1, "D1": 2}


def test_the_last_ranked_units_are_flagged_within_their_kind__R_UNIT_4() -> None:
    """The lowest branch (94.00) and the lowest department (90.00) are flagged; the 94.00 branch
    is not compared with the 90.00 department; everyone tied at the lowest is flagged."""
    units = [branch("B1", "96.50"), branch("B2", "94.00"), branch("B3", "94.00"), department("D1", "90.00"), department("D2", "97.00")]
    assert bottom_units(units) == {"B2", "B3", "D1"}


def test_nobody_is_flagged_last_in_a_group_of_fewer_than_two__R_UNIT_4() -> None:
    """RULES.md R-UNIT-4: "nobody is flagged in a group of fewer than two". One branch and one
    department (each alone in its kind), and a second branch without a score (not in the group):
    no flag at all. With a second scored branch, the lower one is flagged."""
    alone = [branch("B1", "80.00"), branch("B2", None), department("D1", "70.00")]
    assert bottom_units(alone) == set()
    assert bottom_units([*alone, branch("B3", "90.00")]) == {"B1"}


def test_bottom_of_a_group__R_UNIT_4() -> None:
    assert bottom_of({}) == set()
    assert bottom_of({"A": D("50")}) == set()
    assert bottom_of({"A": D("50"), "B": D("50")}) == {"A", "B"}  # all tied at the lowest
    assert bottom_of({"A": D("50"), "B": D("50.01")}) == {"A"}


# -- heads (R-UNIT-3/4) ---------------------------------------------------------------------------------


def test_heads_of_top_three_branches_meeting_the_standard_are_excellent_directly__R_UNIT_4() -> None:
    """Ranks 1, 2, 2, 4, 5: the heads of the branches ranked 1–3 (here 1, 2, 2) are excellent
    outside the quota; the 4th is not; nor is a top branch that misses the standard (vetoed: 99.00
    but not 达标); nor a department's head, whatever its rank."""
    units = [
        branch("B1", "99.50"), branch("B2", "99.00", meets=False), branch("B3", "99.00"), branch("B4", "98.00"), branch("B5", "97.00"),
        department("D1", "100.00"),
    ]  # fmt: skip
    assert direct_excellent_heads(units, P) == {"head-B1", "head-B3"}


def test_four_branches_tied_first_all_get_their_head_graded_directly__R_UNIT_4() -> None:
    """Equal scores share a rank: four branches at 100.00 all rank 1 (≤ 3)."""
    units = [branch(f"B{i}", "100.00") for i in range(1, 5)] + [branch("B5", "99.00")]
    assert direct_excellent_heads(units, P) == {"head-B1", "head-B2", "head-B3", "head-B4"}


def test_a_head_named_in_a_veto_on_another_unit_is_not_excellent_directly__R_VETO_2_R_UNIT_4() -> None:
    """R-VETO-2: "the unit, its head and the named persons are barred from every year-end award and
    from the excellent grade" — also from the excellent grade R-UNIT-4 would give directly."""
    units = [branch("B1", "99.50"), branch("B2", "99.00"), branch("B3", "98.00")]
    assert direct_excellent_heads(units, P, barred={"head-B2"}) == {"head-B1", "head-B3"}


def test_a_branch_without_a_head_or_a_score_names_nobody__R_UNIT_4() -> None:
    units = [RankedUnit("B1", "branch", None, D("100.00"), True), branch("B2", None)]
    assert direct_excellent_heads(units, P) == set()


def test_heads_of_units_not_meeting_the_standard_are_barred_from_awards__R_UNIT_3() -> None:
    """A unit below 85 or vetoed (meets_standard False) bars its head; a unit without a score
    yet (None) decides nothing."""
    units = [branch("B1", "84.99", meets=False), branch("B2", "90.00"), branch("B3", None), department("D1", "99.00", meets=False)]
    assert heads_of_failing_units(units) == {"head-B1", "head-D1"}


def test_the_head_on_the_cut_off_date__R_ORG_1() -> None:
    """A head change effective 1 July: the head on 30 November is the new one."""
    history = [("2026-07-01", "P02"), ("2015-01-01", "P01")]
    assert in_force_on(history, "2026-11-30") == "P02"
    assert in_force_on(history, "2026-06-30") == "P01"
    assert in_force_on(history, "2014-12-31") is None
