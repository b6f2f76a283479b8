"""The roster (人员名册): assessed units, their heads, and staff, all effective-dated.

R-ORG-1 units and heads, R-ORG-2 staff and transfers, R-ORG-3 age class.
The whole roster of a bureau (tens of units, hundreds of people) is one small aggregate:
every rule that asks "who heads this unit on that day" or "which unit was this person in"
answers from it in memory.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from enum import Enum
from typing import Any, Mapping

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import AlreadyExists, InvalidInput, PersonNotFound, UnitNotFound

# A plausible age on joining the roster (a typing error such as 1800-01-01 is refused); the
# roster of a bureau going live enrols serving staff on that day, so the upper bound is wide.
WORKING_AGE_MIN = 16
WORKING_AGE_MAX = 70

NAMESPACE = uuid.UUID("5f0c3d53-7a4e-4f0e-9a57-3b1f6c2d9e10")


class UnitKind(str, Enum):
    BRANCH = "branch"  # 基层分局
    DEPARTMENT = "department"  # 机关科室队中心（含挂靠协会）


class Tier(str, Enum):
    """Position tier (职务层次), R-ORG-2; the 15% quota is split among these (R-CS-2)."""

    MIDDLE_HEAD = "middle_head"  # 中层正职
    MIDDLE_DEPUTY = "middle_deputy"  # 中层副职
    OTHER = "other"  # 其他人员


class Gender(str, Enum):
    MALE = "male"  # 男
    FEMALE = "female"  # 女


class AgeClass(str, Enum):
    REGULAR = "regular"  # 56周岁（女51周岁）以下
    SENIOR = "senior"  # 56周岁（女51周岁）以上（含本数）


SENIOR_AGE = {Gender.MALE: 56, Gender.FEMALE: 51}


def age_on(birth_date: date, on: date) -> int:
    """Completed years (周岁) on `on`; the birthday itself counts (R-ORG-3).

    A person born on 29 February turns a year older on 1 March in a common year,
    the usual reading of 周岁 (the anniversary date does not exist that year).
    """
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def age_class(gender: Gender | str, birth_date: date, on: date, senior_age: Mapping[Gender, int] | None = None) -> AgeClass:
    """R-ORG-3: a man of 56 or more, or a woman of 51 or more, on `on` is senior."""
    threshold = (senior_age or SENIOR_AGE)[Gender(gender)]
    return AgeClass.SENIOR if age_on(birth_date, on) >= threshold else AgeClass.REGULAR


def _latest_on(history: list[list[Any]], on: date) -> Any:
    """The value in force on `on` in an effective-dated history of [effective_from, value]."""
    current = None
    for effective_from, value in history:
        if effective_from <= on:
            current = value
        else:
            break
    return current


def _insert_dated(history: list[list[Any]], effective_from: date, value: Any) -> None:
    history.append([effective_from, value])
    history.sort(key=lambda pair: pair[0])


ROSTER_ID = uuid.uuid5(NAMESPACE, "roster")


class Roster(Aggregate):
    """The bureau's roster (名册). One per store."""

    @classmethod
    def create_id(cls) -> uuid.UUID:
        return ROSTER_ID

    @event("Created")
    def __init__(self) -> None:
        self.units: dict[str, dict[str, Any]] = {}
        self.persons: dict[str, dict[str, Any]] = {}

    # -- queries the rules use -------------------------------------------------------------

    def unit(self, code: str) -> dict[str, Any]:
        try:
            return self.units[code]
        except KeyError:
            raise UnitNotFound(f"unknown unit {code!r}", f"单位不存在：{code!r}", unit=code) from None

    def person(self, code: str) -> dict[str, Any]:
        try:
            return self.persons[code]
        except KeyError:
            raise PersonNotFound(f"unknown person {code!r}", f"人员不存在：{code!r}", person=code) from None

    def head_of(self, unit: str, on: date) -> str | None:
        """R-ORG-1: the unit's head (主要负责人) on a date."""
        return _latest_on(self.unit(unit)["heads"], on)

    def unit_of(self, person: str, on: date) -> str | None:
        """The person's unit on a date (None before they joined or after they left)."""
        p = self.person(person)
        if on < p["joined_on"] or (p["left_on"] is not None and on >= p["left_on"]):
            return None
        return _latest_on(p["assignments"], on)

    def is_assessed(self, person: str, on: date) -> bool:
        """On the roster on `on` and under the bureau's cadre-management authority (R-ORG-2)."""
        p = self.person(person)
        return p["in_authority"] and self.unit_of(person, on) is not None

    def members_of(self, unit: str, on: date) -> list[str]:
        return [code for code in self.persons if self.unit_of(code, on) == unit]

    def age_class_of(self, person: str, on: date, senior_age: Mapping[Gender, int] | None = None) -> AgeClass:
        """R-ORG-3 with the year plan's ages (`senior_age`), the rule's 56/51 by default."""
        p = self.person(person)
        return age_class(p["gender"], p["birth_date"], on, senior_age)

    # -- commands --------------------------------------------------------------------------

    def _require_unused(self, code: str) -> None:
        """Units and persons share one namespace of codes: a person is never mistaken for a
        unit (a read of `B02` is one or the other)."""
        if code in self.units:
            raise AlreadyExists(f"code {code!r} is a unit's", f"编码已被单位使用：{code!r}", unit=code)
        if code in self.persons:
            raise AlreadyExists(f"code {code!r} is a person's", f"编码已被人员使用：{code!r}", person=code)

    def register_unit(self, code: str, name: str, kind: UnitKind, registered_on: date, actor: dict[str, Any]) -> None:
        """R-ORG-1: register an assessed unit."""
        _require_code(code, "unit")
        self._require_unused(code)
        if kind not in {k.value for k in UnitKind}:
            raise InvalidInput(f"a unit is a branch or a department, not {kind!r}", "单位类别应为基层分局（branch）或机关科室（department）", field="kind")
        if not name.strip():
            raise InvalidInput("a unit needs a name", "单位名称不能为空", field="name")
        self._unit_registered(code=code, name=name.strip(), kind=UnitKind(kind).value, registered_on=registered_on, actor=actor)

    @event("UnitRegistered")
    def _unit_registered(self, code: str, name: str, kind: str, registered_on: date, actor: dict[str, Any]) -> None:
        self.units[code] = {"name": name, "kind": kind, "registered_on": registered_on, "heads": []}

    def appoint_head(self, unit: str, person: str, effective_from: date, actor: dict[str, Any]) -> None:
        """R-ORG-1: one head at any time; each change recorded with its effective date."""
        self.unit(unit)
        self.person(person)
        if any(d == effective_from for d, _ in self.units[unit]["heads"]):
            raise AlreadyExists(
                "a head change is already recorded for that date", "该日期已登记负责人变更", unit=unit, effective_from=str(effective_from)
            )
        self._head_appointed(unit=unit, person=person, effective_from=effective_from, actor=actor)

    @event("HeadAppointed")
    def _head_appointed(self, unit: str, person: str, effective_from: date, actor: dict[str, Any]) -> None:
        _insert_dated(self.units[unit]["heads"], effective_from, person)

    def enrol_person(
        self,
        code: str,
        name: str,
        gender: Gender,
        birth_date: date,
        unit: str,
        tier: Tier,
        position_grade: str,
        joined_on: date,
        in_authority: bool,
        actor: dict[str, Any],
    ) -> None:
        """R-ORG-2: put a person on the roster."""
        _require_code(code, "person")
        self._require_unused(code)
        self.unit(unit)
        if not name.strip():
            raise InvalidInput("a person needs a name", "姓名不能为空", field="name")
        if not WORKING_AGE_MIN <= age_on(birth_date, joined_on) <= WORKING_AGE_MAX:
            raise InvalidInput(
                f"born {birth_date}, the person would be {age_on(birth_date, joined_on)} on joining ({joined_on}):"
                f" a member of staff is {WORKING_AGE_MIN} to {WORKING_AGE_MAX}",
                f"出生日期 {birth_date} 不合理：入册时（{joined_on}）年龄应在 {WORKING_AGE_MIN} 至 {WORKING_AGE_MAX} 周岁之间",
                field="birth_date",
            )
        self._person_enrolled(
            code=code,
            name=name.strip(),
            gender=Gender(gender).value,
            birth_date=birth_date,
            unit=unit,
            tier=Tier(tier).value,
            position_grade=position_grade,
            joined_on=joined_on,
            in_authority=in_authority,
            actor=actor,
        )

    @event("PersonEnrolled")
    def _person_enrolled(
        self,
        code: str,
        name: str,
        gender: str,
        birth_date: date,
        unit: str,
        tier: str,
        position_grade: str,
        joined_on: date,
        in_authority: bool,
        actor: dict[str, Any],
    ) -> None:
        self.persons[code] = {
            "name": name,
            "gender": gender,
            "birth_date": birth_date,
            "tier": tier,
            "position_grade": position_grade,
            "joined_on": joined_on,
            "left_on": None,
            "in_authority": in_authority,
            "assignments": [[joined_on, unit]],
        }

    def transfer_person(self, person: str, unit: str, effective_from: date, actor: dict[str, Any]) -> None:
        """R-ORG-2: an effective-dated transfer to another unit."""
        p = self.person(person)
        self.unit(unit)
        if effective_from < p["joined_on"]:
            raise InvalidInput("a transfer cannot precede joining", "调动日期不能早于入职日期", field="effective_from")
        if p.get("left_on") is not None and effective_from >= p["left_on"]:
            raise InvalidInput("a transfer cannot follow leaving", "调动日期不能晚于离册日期", field="effective_from")
        if _latest_on(p["assignments"], effective_from) == unit:
            raise InvalidInput("the person is already in that unit on that date", "该人员当日已在该单位", field="unit")
        self._person_transferred(person=person, unit=unit, effective_from=effective_from, actor=actor)

    @event("PersonTransferred")
    def _person_transferred(self, person: str, unit: str, effective_from: date, actor: dict[str, Any]) -> None:
        _insert_dated(self.persons[person]["assignments"], effective_from, unit)

    def change_position(self, person: str, tier: Tier, position_grade: str, actor: dict[str, Any]) -> None:
        """R-ORG-2: a new position tier or grade."""
        self.person(person)
        self._position_changed(person=person, tier=Tier(tier).value, position_grade=position_grade, actor=actor)

    @event("PositionChanged")
    def _position_changed(self, person: str, tier: str, position_grade: str, actor: dict[str, Any]) -> None:
        self.persons[person]["tier"] = tier
        self.persons[person]["position_grade"] = position_grade

    def set_authority(self, person: str, in_authority: bool, actor: dict[str, Any]) -> None:
        """R-ORG-2 (原文七.3): only staff under the bureau's cadre-management authority are assessed."""
        if self.person(person)["in_authority"] == in_authority:
            raise InvalidInput("nothing to change", "无需变更", field="in_authority")
        self._authority_set(person=person, in_authority=in_authority, actor=actor)

    @event("AuthoritySet")
    def _authority_set(self, person: str, in_authority: bool, actor: dict[str, Any]) -> None:
        self.persons[person]["in_authority"] = in_authority

    def record_departure(self, person: str, left_on: date, actor: dict[str, Any]) -> None:
        """The person leaves the bureau's roster (retirement, transfer out)."""
        p = self.person(person)
        if p["left_on"] is not None:
            raise InvalidInput("the person has already left", "该人员已离开", field="person")
        if left_on <= p["joined_on"]:
            raise InvalidInput("leaving must follow joining", "离开日期必须晚于入职日期", field="left_on")
        self._person_left(person=person, left_on=left_on, actor=actor)

    @event("PersonLeft")
    def _person_left(self, person: str, left_on: date, actor: dict[str, Any]) -> None:
        self.persons[person]["left_on"] = left_on


# One pattern for every unit and person code (B01, P0007, dept-office): ASCII letters, digits,
# '-' and '_'. Codes are parts of sheet codes and entry ids (`B01:2026-Q1:key:3`) and of URLs, so
# ':', '/', spaces, '*' and other scripts are out; so is anything a read check could take for
# "any target".
CODE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
_CODE = re.compile(CODE_PATTERN, re.ASCII)


def is_code(value: str) -> bool:
    return _CODE.fullmatch(value) is not None


def _require_code(code: str, what: str) -> None:
    if not is_code(code):
        raise InvalidInput(
            f"a {what} code is 1-32 ASCII letters, digits, '-' or '_': {code[:40]!r}",
            f"编码应为1至32位半角字母、数字、“-”或“_”：{code[:40]!r}",
            field="code",
        )
