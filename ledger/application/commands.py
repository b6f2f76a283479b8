"""Commands (指令): what an actor asks the ledger to do. One command, one transaction.

Each command names the roles allowed to issue it (R-ORG-4); finer rules (an assessor on the
period's panel, the head of the person's unit) are checked by the application's handler.
Points travel as decimal strings ("0.5"); a JSON float is refused rather than trusted.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ledger.domain.actors import Role
from ledger.domain.annual import Grade
from ledger.domain.bonus import EvidenceKind, Requirement
from ledger.domain.dispute import Decision as DisputeDecision
from ledger.domain.periods import Track
from ledger.domain.roster import CODE_PATTERN, Gender, Tier, UnitKind
from ledger.domain.veto import VetoKind

Text = Field(min_length=1, max_length=2000)
Code = Field(min_length=1, max_length=32, pattern=CODE_PATTERN)
CodeStr = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=CODE_PATTERN)]
# A reference to a file kept elsewhere (the file itself comes with the web UI), not its content.
AttachmentRef = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# A number in its written form ("0.5"); ledger.domain.numbers reads it strictly. 24 characters
# is more than any figure here needs, and keeps a megabyte of digits out of every parser.
NumberText = Annotated[str, StringConstraints(max_length=24)]

# Characters no basis, reason or name may hold: control characters (NUL, BEL, …; tab and line
# breaks are fine) and the bidirectional controls that make text display other than it reads
# (U+202A–U+202E, U+2066–U+2069, LRM/RLM/ALM).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _check_text(value: Any) -> Any:
    """Every string in a command, however deeply nested: no text made only of spaces, no
    control or bidirectional-override characters."""
    if isinstance(value, str):
        if value and not value.strip():
            raise ValueError("text must not be only spaces / 内容不能全为空白")
        for ch in value:
            if ch in _BIDI_CONTROLS or (unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS):
                raise ValueError(f"text holds a control character U+{ord(ch):04X} / 内容含有不可见控制字符 U+{ord(ch):04X}")
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    return value


class Strict(BaseModel):
    """A part of a command: unknown fields refused, every text checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_clean(cls, value: Any) -> Any:
        return _check_text(value)


def _decimal_text(value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("points must be a decimal string such as \"0.5\", not a binary float")
    if isinstance(value, int):
        return str(value)
    return value


class Command(Strict):
    roles: ClassVar[frozenset[Role]] = frozenset()


# -- roster (R-ORG-1/2) ----------------------------------------------------------------------


class RegisterUnit(Command):
    """Register a branch (基层分局) or department (机关科室)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    code: str = Code
    name: str = Field(min_length=1, max_length=100)
    kind: UnitKind
    registered_on: date


class AppointHead(Command):
    """Record the unit's head (主要负责人) from a date."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    unit: str = Code
    person: str = Code
    effective_from: date


class EnrolPerson(Command):
    """Put a person (工作人员) on the roster."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    code: str = Code
    name: str = Field(min_length=1, max_length=50)
    gender: Gender
    birth_date: date
    unit: str = Code
    tier: Tier = Tier.OTHER
    position_grade: str = Field(default="科员", max_length=50)
    joined_on: date
    in_authority: bool = True


class TransferPerson(Command):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    person: str = Code
    unit: str = Code
    effective_from: date


class ChangePosition(Command):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    person: str = Code
    tier: Tier
    position_grade: str = Field(min_length=1, max_length=50)


class SetAuthority(Command):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    person: str = Code
    in_authority: bool


class RecordDeparture(Command):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    person: str = Code
    left_on: date


# -- plan (R-PLAN-1/2, R-SHEET-2/5) ----------------------------------------------------------


class PlanYear(Command):
    """Create the year's plan with RULES.md's policy defaults."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    year: int = Field(ge=2000, le=2100)


class ChangePolicy(Command):
    """An approved plan adjustment to one policy number (R-PLAN-2)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    year: int = Field(ge=2000, le=2100)
    key: str = Field(min_length=1, max_length=64)
    value: str = Field(min_length=1, max_length=32)
    reason: str = Text
    decision_ref: str = Field(min_length=1, max_length=100)
    effective_from: date

    _value_text = field_validator("value", mode="before")(_decimal_text)


class Item(Strict):
    code: str = Code
    title: str = Field(min_length=1, max_length=200)
    points_max: NumberText

    _points_text = field_validator("points_max", mode="before")(_decimal_text)


class Panel(Strict):
    department: str = Code
    assessors: list[CodeStr] = Field(min_length=1, max_length=50)
    units: list[CodeStr] = Field(min_length=1, max_length=200)


class OpenPeriod(Command):
    """Open a period (quarter, half or month) and its sheets for every target."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    period: str = Field(min_length=7, max_length=7)
    items: dict[Track, Annotated[list[Item], Field(max_length=100)]] = Field(default_factory=dict)
    panels: list[Panel] = Field(default_factory=list, max_length=100)
    window_opens: date | None = None  # R-CAL-1 dates by default
    window_closes: date | None = None


class OpenSheet(Command):
    """Open one sheet in an open period (a unit created mid-year, a person who joined late)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    target: str = Code
    period: str = Field(min_length=7, max_length=7)
    track: Track


# -- sheets (R-SHEET-3) ----------------------------------------------------------------------


class SubmitSheet(Command):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ASSESSOR, Role.UNIT_HEAD, Role.OFFICE})
    sheet: str = Field(min_length=1, max_length=80)


class PublishSheet(Command):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE, Role.UNIT_HEAD})
    sheet: str = Field(min_length=1, max_length=80)


class ReopenSheet(Command):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    sheet: str = Field(min_length=1, max_length=80)
    reason: str = Text
    decision_ref: str = Field(min_length=1, max_length=100)


# -- entries (R-SHEET-4, R-SUP-1, R-CASCADE-1/2, R-FIX-1) -----------------------------------------


class Responsible(Strict):
    """A person answerable for a unit deduction (责任人), optionally with their own points."""

    person: str = Code
    points: NumberText | None = None

    _points_text = field_validator("points", mode="before")(_decimal_text)


class RecordDeduction(Command):
    """Record a deduction on a unit or a person.

    Exactly one of `unit` or `person`. The sheet is the one of the period containing
    `occurred_on`; for a branch, `track` says key work or routine work.
    """

    roles: ClassVar[frozenset[Role]] = frozenset({Role.ASSESSOR, Role.UNIT_HEAD, Role.SUPERVISION})
    unit: str | None = Field(default=None, min_length=1, max_length=32, pattern=CODE_PATTERN)
    person: str | None = Field(default=None, min_length=1, max_length=32, pattern=CODE_PATTERN)
    track: Track | None = None
    points: NumberText
    item: str | None = Field(default=None, max_length=32)
    basis: str = Text
    occurred_on: date
    form_no: str | None = Field(default=None, max_length=64)
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=20)
    responsible: list[Responsible] = Field(default_factory=list, max_length=50)

    _points_text = field_validator("points", mode="before")(_decimal_text)


class RecordMissedDeduction(Command):
    """应扣未扣: the office finds a person should have been deducted and was not (R-CASCADE-2)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    person: str = Code
    points: NumberText
    basis: str = Text
    occurred_on: date
    found_on: date

    _points_text = field_validator("points", mode="before")(_decimal_text)


class ReverseEntry(Command):
    """撤销: the entry stops counting (R-FIX-1)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    entry_id: str = Field(min_length=3, max_length=100)
    reason: str = Text
    decision_ref: str = Field(min_length=1, max_length=100)


class AmendEntry(Command):
    """更正: reverse the entry and record a linked replacement (R-FIX-1)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    entry_id: str = Field(min_length=3, max_length=100)
    points: NumberText
    basis: str | None = Field(default=None, max_length=2000)
    item: str | None = Field(default=None, max_length=32)
    responsible: list[Responsible] | None = Field(default=None, max_length=50)
    reason: str = Text
    decision_ref: str = Field(min_length=1, max_length=100)

    _points_text = field_validator("points", mode="before")(_decimal_text)


# -- bonuses, vetoes, evaluations (R-BONUS-*, R-VETO-*, R-STAFF-4/5, R-UNIT-2, R-BONUS-T-1) ----------


class DefineBonusItem(Command):
    """Add an item to the year's bonus item list (年度考核加分项目)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    year: int = Field(ge=2000, le=2100)
    code: str = Code
    title: str = Field(min_length=1, max_length=200)
    points: NumberText
    requirement: Requirement
    applies_to: str = Field(pattern="^(unit|person)$")

    _points_text = field_validator("points", mode="before")(_decimal_text)


class Evidence(Strict):
    kind: EvidenceKind
    ref: str = Field(min_length=1, max_length=200)  # document number, certificate id, file name


class FileBonusClaim(Command):
    """A unit (by its head or the office) or a person (themselves) claims a bonus with evidence."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE, Role.UNIT_HEAD, Role.STAFF})
    year: int = Field(ge=2000, le=2100)
    unit: str | None = Field(default=None, min_length=1, max_length=32, pattern=CODE_PATTERN)
    person: str | None = Field(default=None, min_length=1, max_length=32, pattern=CODE_PATTERN)
    item: str = Code
    basis: str = Text
    basis_ref: str = Field(min_length=1, max_length=100)  # e.g. the commendation document's number
    earned_on: date
    document_dated: date
    evidence: list[Evidence] = Field(min_length=1, max_length=20)


class ApproveBonusClaim(Command):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    target: str = Code
    basis_ref: str = Field(min_length=1, max_length=100)
    reason: str = Field(default="符合加分条件", max_length=2000)


class RejectBonusClaim(Command):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    target: str = Code
    basis_ref: str = Field(min_length=1, max_length=100)
    reason: str = Text


class ImposeVeto(Command):
    """一票否决 against a unit, naming its head and the persons responsible."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    code: str = Code
    year: int = Field(ge=2000, le=2100)
    unit: str = Code
    kind: VetoKind
    persons: list[CodeStr] = Field(default_factory=list, max_length=50)
    occurred_on: date
    reason: str = Text
    decision_ref: str = Field(min_length=1, max_length=100)


class LiftVeto(Command):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    code: str = Code
    reason: str = Text
    decision_ref: str = Field(min_length=1, max_length=100)


class RecordDemocraticRate(Command):
    """民主测评得分率 of a person, as a fraction (0.9650 = 96.50%)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    year: int = Field(ge=2000, le=2100)
    person: str = Code
    rate: NumberText

    _rate_text = field_validator("rate", mode="before")(_decimal_text)


class RecordGrassrootsRate(Command):
    """基层测评得分率 of a department, as a fraction."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    year: int = Field(ge=2000, le=2100)
    unit: str = Code
    rate: NumberText

    _rate_text = field_validator("rate", mode="before")(_decimal_text)


class RecordComprehensiveGrade(Command):
    """局党组综合评定: the Party group's grade of a senior person (R-STAFF-4) or of anyone exempt that year (R-STAFF-5)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.PARTY_GROUP})
    year: int = Field(ge=2000, le=2100)
    person: str = Code
    grade: Grade


class ApproveExemption(Command):
    """免于日常考核 on the person's application (R-STAFF-5)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.PARTY_GROUP})
    year: int = Field(ge=2000, le=2100)
    person: str = Code
    reason: str = Text
    application_ref: str = Field(min_length=1, max_length=100)


class SetTargetBonus(Command):
    """目标考评奖 bases per position grade and the money value of a point (R-BONUS-T-1), in yuan."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.PARTY_GROUP})
    year: int = Field(ge=2000, le=2100)
    bases: dict[Annotated[str, StringConstraints(min_length=1, max_length=50)], NumberText] = Field(min_length=1, max_length=50)
    point_value: NumberText

    _value_text = field_validator("point_value", mode="before")(_decimal_text)


# -- disputes (R-DISPUTE-1) ---------------------------------------------------------------------


class FileDispute(Command):
    """申诉: the affected person, or the head for a unit, disputes an entry."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.STAFF, Role.UNIT_HEAD, Role.ASSESSOR})
    entry_id: str = Field(min_length=3, max_length=100)  # also the dispute's reference: one per entry
    reason: str = Text


class ReviewDispute(Command):
    """The supervision office's review and recommendation (uphold / reverse / amend)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.SUPERVISION})
    entry_id: str = Field(min_length=3, max_length=100)
    recommendation: DisputeDecision
    findings: str = Text


class DecideDispute(Command):
    """The leading group's decision; reverse and amend are carried out at once (R-FIX-1)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    entry_id: str = Field(min_length=3, max_length=100)
    decision: DisputeDecision
    reason: str = Text
    decision_ref: str = Field(min_length=1, max_length=100)
    points: NumberText | None = None  # the amended points (amend only)
    basis: str | None = Field(default=None, max_length=2000)

    _points_text = field_validator("points", mode="before")(_decimal_text)


# -- calendar and deadlines (R-CAL-2/3) ---------------------------------------------------------


class CalendarDay(Strict):
    day: date
    working: bool
    note: str = Field(default="", max_length=200)


class DeclareCalendarDays(Command):
    """The office's local calendar: days that are (not) working days here, and, for a year the
    official calendar library does not know yet, the statement that the year is entered fully."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    days: list[CalendarDay] = Field(default_factory=list, max_length=400)
    complete_year: int | None = Field(default=None, ge=2000, le=2100)
    reason: str = Text


class FileRecordForms(Command):
    """A unit files its monthly record forms (月绩效考核备案表) for a quarter (R-CAL-3)."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.UNIT_HEAD, Role.OFFICE})
    unit: str = Code
    quarter: str = Field(min_length=7, max_length=7, pattern=r"^\d{4}-Q[1-4]$")


# -- oversight (R-AUDIT-1) ----------------------------------------------------------------------


class PublishBulletin(Command):
    """Publish a bulletin (工作绩效管理简报) for a period; it carries the log's digest."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    number: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z\-_]+$")
    period: str = Field(min_length=7, max_length=7)
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)


# -- public notice and confirmation (公示与确认) ----------------------------------------------------


class PublishNotice(Command):
    """Publish results for public notice (公示): a year's annual results (scope "2026") or a
    month's staff results (scope "2026-03"), from `starts_on` to `ends_on`."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.OFFICE})
    scope: str = Field(min_length=4, max_length=7, pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$")
    starts_on: date
    ends_on: date


class ConfirmResults(Command):
    """After the notice, the leading group confirms (确认) the results: they are final."""

    roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    scope: str = Field(min_length=4, max_length=7, pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$")


ALL_COMMANDS: tuple[type[Command], ...] = (
    RegisterUnit,
    AppointHead,
    EnrolPerson,
    TransferPerson,
    ChangePosition,
    SetAuthority,
    RecordDeparture,
    PlanYear,
    ChangePolicy,
    OpenPeriod,
    OpenSheet,
    SubmitSheet,
    PublishSheet,
    ReopenSheet,
    RecordDeduction,
    RecordMissedDeduction,
    ReverseEntry,
    AmendEntry,
    DefineBonusItem,
    FileBonusClaim,
    ApproveBonusClaim,
    RejectBonusClaim,
    ImposeVeto,
    LiftVeto,
    RecordDemocraticRate,
    RecordGrassrootsRate,
    RecordComprehensiveGrade,
    ApproveExemption,
    SetTargetBonus,
    PublishBulletin,
    DeclareCalendarDays,
    FileRecordForms,
    FileDispute,
    ReviewDispute,
    DecideDispute,
    PublishNotice,
    ConfirmResults,
)
