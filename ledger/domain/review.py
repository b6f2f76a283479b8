"""The year's annual review (年度考评): the bonus item list, evaluations, exemptions and the
target-bonus settings — the inputs of the annual results other than sheets, claims and vetoes.

R-BONUS-1 (the item list the office keeps), R-UNIT-2 (grassroots evaluation), R-STAFF-2
(democratic evaluation), R-STAFF-4/5 (the Party group's comprehensive grade of senior and of
exempt staff), R-STAFF-5 (exemption), R-BONUS-T-1 (bases per position grade and the value of a point).
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.domain.annual import Grade
from ledger.domain.annual_persons import graded_by_party_group
from ledger.domain.bonus import Requirement
from ledger.domain.errors import AlreadyExists, InvalidInput, NotFound
from ledger.domain.numbers import parse_points
from ledger.domain.periods import annual_cutoff
from ledger.domain.roster import NAMESPACE, AgeClass, Gender, Roster, UnitKind

RATE_PLACES = 4  # an evaluation rate is a fraction with at most 4 places: 0.9650 = 96.50%


class BonusItemNotFound(NotFound):
    code = "BONUS_ITEM_NOT_FOUND"
    message_zh = "年度考核加分项目中没有该项目"
    message_en = "No such item in the year's bonus item list"


def parse_rate(value: object, field: str = "rate") -> Decimal:
    """An evaluation rate: a decimal fraction from 0 to 1 with at most four places."""
    if isinstance(value, (bool, float)):
        raise InvalidInput(f"{field} must be a decimal string", f"{field} 须以小数字符串填写", field=field)
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{field} is not a decimal: {value!r}", f"{field} 不是数字：{value!r}", field=field) from None
    if not rate.is_finite() or rate < 0 or rate > 1 or rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise InvalidInput(
            f"{field} must be between 0 and 1 with at most {RATE_PLACES} places", f"{field} 须在0到1之间，最多{RATE_PLACES}位小数", field=field
        )
    return rate


def parse_money(value: object, field: str) -> Decimal:
    """Yuan, to the fen: a non-negative decimal with at most two places."""
    if isinstance(value, (bool, float)):
        raise InvalidInput(f"{field} must be a decimal string", f"{field} 须以小数字符串填写", field=field)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{field} is not a decimal: {value!r}", f"{field} 不是数字：{value!r}", field=field) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(f"{field} must be a non-negative amount in yuan, to the fen", f"{field} 须为非负金额（元，精确到分）", field=field)
    return amount.quantize(Decimal("0.01"))


class AnnualReview(Aggregate):
    """One year's review (年度考评)."""

    @classmethod
    def create_id(cls, year: int) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"review:{year}")

    @event("Started")
    def __init__(self, year: int, actor: dict[str, Any]) -> None:
        self.year = year
        self.bonus_items: dict[str, dict[str, Any]] = {}
        self.exempt: set[str] = set()

    # -- the bonus item list (R-BONUS-1) -----------------------------------------------------

    def bonus_item(self, code: str) -> dict[str, Any]:
        try:
            return self.bonus_items[code]
        except KeyError:
            raise BonusItemNotFound(f"no bonus item {code!r} in {self.year}", f"{self.year} 年度加分项目中没有 {code!r}", item=code) from None

    def define_bonus_item(self, code: str, title: str, points: object, requirement: Requirement, applies_to: str, actor: dict[str, Any]) -> None:
        if code in self.bonus_items:
            raise AlreadyExists(f"bonus item {code} exists", f"加分项目 {code} 已存在", item=code)
        if applies_to not in ("unit", "person"):
            raise InvalidInput("applies_to is 'unit' or 'person'", "适用对象须为单位或个人", field="applies_to")
        self._bonus_item_defined(
            year=self.year,
            code=code, title=title, points=parse_points(points), requirement=Requirement(requirement).value, applies_to=applies_to, actor=actor
        )

    @event("BonusItemDefined")
    def _bonus_item_defined(self, year: int, code: str, title: str, points: Decimal, requirement: str, applies_to: str, actor: dict[str, Any]) -> None:
        self.bonus_items[code] = {"title": title, "points": points, "requirement": requirement, "applies_to": applies_to}

    # -- evaluations -----------------------------------------------------------------------

    def record_democratic_rate(self, roster: Roster, person: str, rate: object, actor: dict[str, Any]) -> None:
        """R-STAFF-2: the person's democratic evaluation rate (民主测评得分率)."""
        roster.person(person)
        self._democratic_rate_recorded(year=self.year, person=person, rate=parse_rate(rate), actor=actor)

    @event("DemocraticRateRecorded")
    def _democratic_rate_recorded(self, year: int, person: str, rate: Decimal, actor: dict[str, Any]) -> None:
        pass

    def record_grassroots_rate(self, roster: Roster, unit: str, rate: object, actor: dict[str, Any]) -> None:
        """R-UNIT-2: a department's grassroots evaluation rate (基层测评得分率)."""
        if roster.unit(unit)["kind"] != UnitKind.DEPARTMENT.value:
            raise InvalidInput("only departments have a grassroots evaluation", "只有机关科室进行基层测评", field="unit")
        self._grassroots_rate_recorded(year=self.year, unit=unit, rate=parse_rate(rate), actor=actor)

    @event("GrassrootsRateRecorded")
    def _grassroots_rate_recorded(self, year: int, unit: str, rate: Decimal, actor: dict[str, Any]) -> None:
        pass

    def record_comprehensive_grade(
        self, roster: Roster, person: str, grade: Grade, actor: dict[str, Any], senior_age: dict[Gender, int] | None = None
    ) -> None:
        """R-STAFF-4: the Party group's comprehensive evaluation (局党组综合评定) of a senior person;
        R-STAFF-5: and of an exempt person, whatever their age (their grade is the one recorded).
        `senior_age`: the year plan's ages (R-PLAN-2), as the annual results use them."""
        self.check_graded_by_party_group(roster, person, senior_age)
        self._comprehensive_grade_recorded(year=self.year, person=person, grade=Grade(grade).value, actor=actor)

    def check_graded_by_party_group(self, roster: Roster, person: str, senior_age: dict[Gender, int] | None = None) -> None:
        """Only a senior person (on the year's cut-off date) or a person exempted this year is
        graded by the Party group; anyone else's grade is computed from their rate (R-STAFF-3)."""
        cutoff = annual_cutoff(self.year)
        if graded_by_party_group(senior=roster.age_class_of(person, cutoff, senior_age) is AgeClass.SENIOR, exempt=person in self.exempt):
            return
        raise InvalidInput(
            f"{person} is neither senior on {cutoff} nor exempt in {self.year}",
            f"{person} 在 {cutoff} 不属于56周岁（女51周岁）以上人员，也未获批免于 {self.year} 年度日常考核",
            field="person",
        )

    @event("ComprehensiveGradeRecorded")
    def _comprehensive_grade_recorded(self, year: int, person: str, grade: str, actor: dict[str, Any]) -> None:
        pass

    def approve_exemption(self, roster: Roster, person: str, reason: str, application_ref: str, actor: dict[str, Any]) -> None:
        """R-STAFF-5: on the person's application, with the Party group's approval."""
        roster.person(person)
        if person in self.exempt:
            raise AlreadyExists(f"{person} is already exempt in {self.year}", f"{person} 已获批 {self.year} 年度免于日常考核", person=person)
        if not reason.strip() or not application_ref.strip():
            raise InvalidInput("the reason and the application's reference are required", "须填写理由及申请编号", field="reason")
        self._exemption_approved(year=self.year, person=person, reason=reason, application_ref=application_ref, actor=actor)

    @event("ExemptionApproved")
    def _exemption_approved(self, year: int, person: str, reason: str, application_ref: str, actor: dict[str, Any]) -> None:
        self.exempt.add(person)

    # -- target bonus (R-BONUS-T-1) ----------------------------------------------------------

    def set_target_bonus(self, bases: dict[str, object], point_value: object, actor: dict[str, Any]) -> None:
        if not bases:
            raise InvalidInput("at least one position grade's base", "须至少设定一个职级的基数", field="bases")
        clean = {grade: parse_money(amount, f"bases.{grade}") for grade, amount in bases.items()}
        self._target_bonus_set(year=self.year, bases=clean, point_value=parse_money(point_value, "point_value"), actor=actor)

    @event("TargetBonusSet")
    def _target_bonus_set(self, year: int, bases: dict[str, Decimal], point_value: Decimal, actor: dict[str, Any]) -> None:
        pass
