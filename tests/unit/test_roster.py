"""The Roster aggregate (人员名册) on its own, no I/O: R-ORG-1 units and heads, R-ORG-2 staff and
effective-dated transfers, R-ORG-3 age class.

Each test reads given (a roster whose events are already collected) → when (one command) → then
(the events named in the past tense and the answers the rules ask for: head_of, unit_of on a day),
or the refusal's stable code with no event emitted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.domain.actors import Actor, Role
from ledger.domain.errors import DomainError
from ledger.domain.roster import ROSTER_ID, AgeClass, Roster, UnitKind

OFFICE = Actor("office", Role.OFFICE).stamp()


def given_roster() -> Roster:
    """B01 城东分局 (branch) and D01 人教科 (department); P01 (man, born 15 June 1970) and
    P02 (woman, born 15 June 1975) in B01 from 1 January 2012, P03 in D01; no heads yet."""
    roster = Roster()
    roster.register_unit("B01", "城东分局", UnitKind.BRANCH, date(2010, 1, 1), OFFICE)
    roster.register_unit("D01", "人教科", UnitKind.DEPARTMENT, date(2010, 1, 1), OFFICE)
    enrol(roster, "P01", "张建国", "male", date(1970, 6, 15), "B01")
    enrol(roster, "P02", "李秀兰", "female", date(1975, 6, 15), "B01")
    enrol(roster, "P03", "周涛", "male", date(1986, 5, 5), "D01")
    roster.collect_events()
    return roster


def enrol(roster: Roster, code: str, name: str, gender: str, birth: date, unit: str, joined_on: date = date(2012, 1, 1), in_authority: bool = True) -> None:
    roster.enrol_person(code, name, gender, birth, unit, "other", "科员", joined_on, in_authority, OFFICE)  # type: ignore[arg-type]


def refused_with(code: str, roster: Roster, command: Any, *args: Any, **kwargs: Any) -> DomainError:
    """The command raises the domain error `code` and emits nothing."""
    roster.collect_events()
    version = roster.version
    with pytest.raises(DomainError) as error:
        command(*args, **kwargs)
    assert error.value.code == code
    assert roster.collect_events() == [] and roster.version == version
    return error.value


def names(events: list[Any]) -> list[str]:
    return [type(e).__name__ for e in events]


# -- units and heads (R-ORG-1) --------------------------------------------------------------------


def test_the_roster_is_created_once_per_store__R_ORG_1() -> None:
    roster = Roster()
    assert names(roster.collect_events()) == ["Created"]
    assert (roster.id, roster.units, roster.persons) == (ROSTER_ID, {}, {})


def test_registering_a_unit_records_unit_registered__R_ORG_1() -> None:
    roster = given_roster()
    roster.register_unit("B02", " 城西分局 ", UnitKind.BRANCH, date(2026, 5, 1), OFFICE)
    [event] = roster.collect_events()
    assert (type(event).__name__, event.code, event.name, event.kind, event.registered_on, event.actor) == ("UnitRegistered", "B02", "城西分局", "branch", date(2026, 5, 1), OFFICE)
    assert roster.unit("B02") == {"name": "城西分局", "kind": "branch", "registered_on": date(2026, 5, 1), "heads": []}


def test_a_duplicate_unit_code_is_refused__R_ORG_1() -> None:
    roster = given_roster()
    error = refused_with("ALREADY_EXISTS", roster, roster.register_unit, "B01", "另一个分局", UnitKind.BRANCH, date(2026, 1, 1), OFFICE)
    assert error.facts == {"unit": "B01"}
    assert roster.unit("B01")["name"] == "城东分局"


@pytest.mark.parametrize("bad", ["", "B:1", "B/1", "B 1", "B#1", "B?1", "X" * 33])
def test_a_unit_code_that_cannot_be_part_of_an_entry_id_is_refused__R_ORG_1(bad: str) -> None:
    """Codes become parts of sheet and entry ids (`B01:2026-Q1:key:3`), so ':' and friends are out."""
    roster = given_roster()
    refused_with("INVALID_INPUT", roster, roster.register_unit, bad, "某单位", UnitKind.BRANCH, date(2026, 1, 1), OFFICE)


def test_a_unit_needs_a_name__R_ORG_1() -> None:
    roster = given_roster()
    error = refused_with("INVALID_INPUT", roster, roster.register_unit, "B02", "   ", UnitKind.BRANCH, date(2026, 1, 1), OFFICE)
    assert error.facts == {"field": "name"}


def test_an_unknown_unit_is_not_found__R_ORG_1() -> None:
    roster = given_roster()
    with pytest.raises(DomainError) as error:
        roster.head_of("B99", date(2026, 1, 1))
    assert (error.value.code, error.value.facts) == ("UNIT_NOT_FOUND", {"unit": "B99"})


def test_the_head_changes_on_its_effective_date__R_ORG_1() -> None:
    """P01 heads B01 from 1 January 2015; P02 from 1 March 2026. The head on 28 February is P01,
    on 1 March (the effective date itself) P02; before 2015 B01 had no recorded head."""
    roster = given_roster()
    roster.appoint_head("B01", "P01", date(2015, 1, 1), OFFICE)
    roster.appoint_head("B01", "P02", date(2026, 3, 1), OFFICE)

    events = roster.collect_events()
    assert names(events) == ["HeadAppointed", "HeadAppointed"]
    assert [(e.unit, e.person, e.effective_from) for e in events] == [("B01", "P01", date(2015, 1, 1)), ("B01", "P02", date(2026, 3, 1))]
    assert roster.head_of("B01", date(2014, 12, 31)) is None
    assert roster.head_of("B01", date(2015, 1, 1)) == "P01"
    assert roster.head_of("B01", date(2026, 2, 28)) == "P01"
    assert roster.head_of("B01", date(2026, 3, 1)) == "P02"
    assert roster.head_of("D01", date(2026, 3, 1)) is None


def test_a_head_change_recorded_late_still_counts_from_its_own_date__R_ORG_1() -> None:
    """Recorded out of order (the 2026 change first, the 2015 appointment after), the history is
    still read by effective date."""
    roster = given_roster()
    roster.appoint_head("B01", "P02", date(2026, 3, 1), OFFICE)
    roster.appoint_head("B01", "P01", date(2015, 1, 1), OFFICE)
    assert [roster.head_of("B01", d) for d in (date(2020, 6, 1), date(2026, 3, 1))] == ["P01", "P02"]


def test_two_head_changes_on_one_day_are_refused__R_ORG_1() -> None:
    """One head at any time: a second change with the same effective date would make the head
    on that day ambiguous."""
    roster = given_roster()
    roster.appoint_head("B01", "P01", date(2015, 1, 1), OFFICE)
    error = refused_with("ALREADY_EXISTS", roster, roster.appoint_head, "B01", "P02", date(2015, 1, 1), OFFICE)
    assert error.facts == {"unit": "B01", "effective_from": "2015-01-01"}
    assert roster.head_of("B01", date(2015, 1, 1)) == "P01"


def test_a_head_must_be_a_known_person_of_a_known_unit__R_ORG_1() -> None:
    roster = given_roster()
    refused_with("PERSON_NOT_FOUND", roster, roster.appoint_head, "B01", "P99", date(2015, 1, 1), OFFICE)
    refused_with("UNIT_NOT_FOUND", roster, roster.appoint_head, "B99", "P01", date(2015, 1, 1), OFFICE)


# -- persons and transfers (R-ORG-2) ----------------------------------------------------------------


def test_enrolling_a_person_records_person_enrolled__R_ORG_2() -> None:
    roster = given_roster()
    enrol(roster, "P04", " 赵敏 ", "female", date(1992, 8, 8), "B01", joined_on=date(2026, 4, 1))
    [event] = roster.collect_events()
    assert (type(event).__name__, event.code, event.name, event.gender, event.unit, event.tier, event.joined_on, event.in_authority) == (
        "PersonEnrolled", "P04", "赵敏", "female", "B01", "other", date(2026, 4, 1), True,
    )  # fmt: skip
    assert roster.unit_of("P04", date(2026, 3, 31)) is None  # not on the roster before joining
    assert roster.unit_of("P04", date(2026, 4, 1)) == "B01"
    assert roster.is_assessed("P04", date(2026, 4, 1)) and not roster.is_assessed("P04", date(2026, 3, 31))


def test_a_duplicate_person_code_is_refused__R_ORG_2() -> None:
    roster = given_roster()
    error = refused_with("ALREADY_EXISTS", roster, enrol, roster, "P01", "重名", "male", date(1980, 1, 1), "D01")
    assert error.facts == {"person": "P01"}
    assert roster.unit_of("P01", date(2026, 1, 1)) == "B01"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("P05", "某人", "male", date(1980, 1, 1), "B99"), "UNIT_NOT_FOUND"),
        (("P05", "  ", "male", date(1980, 1, 1), "B01"), "INVALID_INPUT"),
        (("P:5", "某人", "male", date(1980, 1, 1), "B01"), "INVALID_INPUT"),
        (("P05", "某人", "male", date(2012, 1, 1), "B01"), "INVALID_INPUT"),  # born on the joining day
    ],
)
def test_an_invalid_enrolment_is_refused__R_ORG_2(args: tuple[Any, ...], code: str) -> None:
    roster = given_roster()
    refused_with(code, roster, enrol, roster, *args)
    assert "P05" not in roster.persons


def test_a_transfer_moves_the_person_from_its_effective_date__R_ORG_2() -> None:
    """P02 moves from B01 to D01 on 1 March 2026: in B01 on 28 February, in D01 from 1 March, and
    January's answer does not change afterwards."""
    roster = given_roster()
    roster.transfer_person("P02", "D01", date(2026, 3, 1), OFFICE)
    [event] = roster.collect_events()
    assert (type(event).__name__, event.person, event.unit, event.effective_from) == ("PersonTransferred", "P02", "D01", date(2026, 3, 1))
    assert [roster.unit_of("P02", d) for d in (date(2026, 1, 15), date(2026, 2, 28), date(2026, 3, 1))] == ["B01", "B01", "D01"]
    assert roster.members_of("B01", date(2026, 2, 28)) == ["P01", "P02"]
    assert roster.members_of("B01", date(2026, 3, 1)) == ["P01"]
    assert roster.members_of("D01", date(2026, 3, 1)) == ["P02", "P03"]


def test_a_transfer_before_joining_is_refused__R_ORG_2() -> None:
    roster = given_roster()
    error = refused_with("INVALID_INPUT", roster, roster.transfer_person, "P02", "D01", date(2011, 12, 31), OFFICE)
    assert error.facts == {"field": "effective_from"}


def test_a_transfer_on_or_after_leaving_is_refused__R_ORG_2() -> None:
    """A person who left on 2026-06-30 has no unit from that day: no transfer from it on."""
    roster = given_roster()
    roster.record_departure("P02", date(2026, 6, 30), OFFICE)
    roster.collect_events()
    error = refused_with("INVALID_INPUT", roster, roster.transfer_person, "P02", "D01", date(2026, 7, 1), OFFICE)
    assert error.facts == {"field": "effective_from"}
    roster.transfer_person("P02", "D01", date(2026, 6, 1), OFFICE)  # before leaving: recorded
    assert roster.unit_of("P02", date(2026, 6, 15)) == "D01"


def test_a_unit_is_a_branch_or_a_department__R_ORG_1() -> None:
    roster = given_roster()
    error = refused_with("INVALID_INPUT", roster, roster.register_unit, "B09", "新单位", "bureau", date(2026, 1, 1), OFFICE)
    assert error.facts == {"field": "kind"}


def test_a_transfer_into_the_unit_the_person_is_already_in_is_refused__R_ORG_2() -> None:
    roster = given_roster()
    error = refused_with("INVALID_INPUT", roster, roster.transfer_person, "P02", "B01", date(2026, 3, 1), OFFICE)
    assert error.facts == {"field": "unit"}


def test_a_transfer_of_an_unknown_person_or_to_an_unknown_unit_is_refused__R_ORG_2() -> None:
    roster = given_roster()
    refused_with("PERSON_NOT_FOUND", roster, roster.transfer_person, "P99", "D01", date(2026, 3, 1), OFFICE)
    refused_with("UNIT_NOT_FOUND", roster, roster.transfer_person, "P02", "D99", date(2026, 3, 1), OFFICE)


def test_a_person_who_left_has_no_unit_from_the_leaving_day__R_ORG_2() -> None:
    roster = given_roster()
    roster.record_departure("P02", date(2026, 7, 1), OFFICE)
    assert names(roster.collect_events()) == ["PersonLeft"]
    assert (roster.unit_of("P02", date(2026, 6, 30)), roster.unit_of("P02", date(2026, 7, 1))) == ("B01", None)
    assert not roster.is_assessed("P02", date(2026, 7, 1))
    refused_with("INVALID_INPUT", roster, roster.record_departure, "P02", date(2026, 8, 1), OFFICE)


def test_leaving_must_follow_joining__R_ORG_2() -> None:
    roster = given_roster()
    refused_with("INVALID_INPUT", roster, roster.record_departure, "P02", date(2012, 1, 1), OFFICE)


def test_a_person_outside_the_bureaus_authority_is_not_assessed__R_ORG_2() -> None:
    """原文七.3: only staff under the bureau's cadre-management authority are assessed."""
    roster = given_roster()
    roster.set_authority("P02", False, OFFICE)
    [event] = roster.collect_events()
    assert (type(event).__name__, event.in_authority) == ("AuthoritySet", False)
    assert roster.unit_of("P02", date(2026, 3, 1)) == "B01" and not roster.is_assessed("P02", date(2026, 3, 1))
    refused_with("INVALID_INPUT", roster, roster.set_authority, "P02", False, OFFICE)  # nothing to change


def test_a_position_change_records_the_new_tier_and_grade__R_ORG_2() -> None:
    roster = given_roster()
    roster.change_position("P02", "middle_deputy", "副科级", OFFICE)  # type: ignore[arg-type]
    [event] = roster.collect_events()
    assert (type(event).__name__, event.tier, event.position_grade) == ("PositionChanged", "middle_deputy", "副科级")
    assert (roster.person("P02")["tier"], roster.person("P02")["position_grade"]) == ("middle_deputy", "副科级")
    refused_with("PERSON_NOT_FOUND", roster, roster.change_position, "P99", "other", "科员", OFFICE)


# -- age class (R-ORG-3) ----------------------------------------------------------------------------


def test_a_man_turns_senior_on_his_56th_birthday_itself__R_ORG_3() -> None:
    """P01, born 15 June 1970: 55 on 14 June 2026, 56 on 15 June 2026 (周岁 turns on the birthday)."""
    roster = given_roster()
    assert roster.age_class_of("P01", date(2026, 6, 14)) is AgeClass.REGULAR
    assert roster.age_class_of("P01", date(2026, 6, 15)) is AgeClass.SENIOR


def test_a_woman_turns_senior_on_her_51st_birthday_itself__R_ORG_3() -> None:
    """P02, born 15 June 1975: 50 on 14 June 2026, 51 on 15 June 2026. At 51 a man is still regular."""
    roster = given_roster()
    assert roster.age_class_of("P02", date(2026, 6, 14)) is AgeClass.REGULAR
    assert roster.age_class_of("P02", date(2026, 6, 15)) is AgeClass.SENIOR
    enrol(roster, "P05", "男同事", "male", date(1975, 6, 15), "B01")
    assert roster.age_class_of("P05", date(2026, 6, 15)) is AgeClass.REGULAR


def test_a_leap_day_birthday_turns_on_1_march_in_a_common_year__R_ORG_3() -> None:
    """Born 29 February 1972: a woman turns 51 in 2023, a common year, on 1 March (on 28 February
    she is still 50), the usual reading of 周岁 when the anniversary date does not exist."""
    roster = given_roster()
    enrol(roster, "P06", "闰日生", "female", date(1972, 2, 29), "B01")
    assert roster.age_class_of("P06", date(2023, 2, 28)) is AgeClass.REGULAR
    assert roster.age_class_of("P06", date(2023, 3, 1)) is AgeClass.SENIOR
