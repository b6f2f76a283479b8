"""What the roster and plan routes return (名册、考核方案): units, persons, a year's plan, and the
service's own figures. Each model is the row `projections.roster_queries`, `plan_queries` or
`log_queries` returns, field for field; dates are ISO strings, figures decimal strings."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UnitRow(BaseModel):
    """A unit (单位) in the list: its latest head and how many members it has now."""

    code: str
    name: str
    kind: str = Field(description="branch | department")
    registered_on: str
    head: str | None = Field(description="The latest appointed head (a person code)")
    position: int = Field(description="The log position of the event that last changed the row")
    head_name: str | None
    members: int


class UnitHead(BaseModel):
    """An appointment of a unit's head (主要负责人), in force from `effective_from`."""

    unit: str
    effective_from: str
    person: str
    position: int


class UnitMember(BaseModel):
    code: str
    name: str
    tier: str


class UnitDetail(BaseModel):
    """A unit with every appointment of its head and its members now."""

    code: str
    name: str
    kind: str
    registered_on: str
    head: str | None
    position: int
    heads: list[UnitHead]
    members: list[UnitMember]


class PersonRow(BaseModel):
    """A person on the roster (人员名册), with the age class that governs the year (R-ORG-3)."""

    code: str
    name: str
    gender: str
    birth_date: str
    tier: str = Field(description="middle_head | middle_deputy | other")
    position_grade: str
    former_position_grade: str | None
    joined_on: str
    left_on: str | None
    in_authority: bool
    unit: str = Field(description="The latest assignment")
    position: int
    age_class: str = Field(description="regular | senior, on `age_class_on`")
    age_class_on: str = Field(description="The year's annual cut-off date")


class Assignment(BaseModel):
    """A person's assignment to a unit (任职), in force from `effective_from`."""

    person: str
    effective_from: str
    unit: str
    position: int


class PersonDetail(PersonRow):
    assignments: list[Assignment]


class PlanItem(BaseModel):
    """An item of the assessment rules (考核细则项目) with its maximum points."""

    code: str
    title: str
    points_max: str


class AssessorPanel(BaseModel):
    """An assessor panel (考核组): a department's assessors and the units they assess (R-SHEET-5)."""

    department: str
    assessors: list[str]
    units: list[str]


class PolicyChange(BaseModel):
    """An approved change of a policy number (R-PLAN-2)."""

    position: int
    year: int
    key: str
    value: str
    reason: str
    decision_ref: str
    effective_from: str
    recorded_at: str
    recorded_by: str


class Period(BaseModel):
    """An assessment period (考核期) with its items per track and its panels (R-PLAN-1)."""

    code: str
    year: int
    kind: str = Field(description="month | quarter | half")
    items: dict[str, list[PlanItem]] = Field(description="track -> items")
    panels: list[AssessorPanel]
    window_opens: str
    window_closes: str
    position: int


class Plan(BaseModel):
    """A year's plan (年度考核方案)."""

    year: int
    policy: dict[str, str] = Field(description="policy key -> decimal string (ledger.domain.plan.DEFAULT_POLICY)")
    position: int
    policy_changes: list[PolicyChange]
    periods: list[Period]


class Me(BaseModel):
    """The authenticated user."""

    user_id: str
    role: str
    person: str | None
    bureau_name: str = Field(description="the bureau's name as printed on its forms (JIXIAO_BUREAU_NAME)")
    today: str = Field(description="the bureau's date (Beijing time, or JIXIAO_TODAY): the rules' today")


class Stats(BaseModel):
    """The ledger's size and the projection's position in the log."""

    units: int
    persons: int
    sheets: int
    entries: int
    events: int
    position: int


class Refusal(BaseModel):
    """A refused command (R-ORG-4), chained to the one before by `mac`."""

    id: int
    at: str
    user_id: str
    role: str
    command: str
    code: str
    message: str
    mac: str | None
