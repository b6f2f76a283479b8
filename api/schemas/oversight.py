"""What the oversight routes return (监督): bulletins (R-AUDIT-1), disputes (R-DISPUTE-1), the
deadlines of R-CAL-3 (`projections.deadlines`) and the working-day calendar (R-CAL-2)."""

from __future__ import annotations

from pydantic import MISSING, BaseModel, Field

from api.schemas.sheets import EntryDetail


class Bulletin(BaseModel):
    """A bulletin (工作绩效管理简报) with the digest of the log up to `through_position`."""

    number: str
    period: str
    title: str
    body: str
    through_position: int
    digest: str = Field(description="SHA-256, hex")
    published_at: str
    published_by: str
    position: int


class Dispute(BaseModel):
    """A dispute (申诉) on an entry: filed, reviewed by supervision, decided by the leading group."""

    entry_id: str
    sheet: str
    target: str
    year: int
    status: str = Field(description="filed | reviewed | decided")
    reason: str
    filed_on: str
    window_closes: str
    filed_by: str
    filed_at: str
    recommendation: str | None
    findings: str | None
    reviewed_by: str | None
    reviewed_at: str | None
    decision: str | None
    decision_reason: str | None
    decision_ref: str | None
    replacement: str | None = Field(description="The amending entry")
    decided_by: str | None
    decided_at: str | None
    filed_position: int
    decided_position: int | None
    position: int


class DisputeDetail(Dispute):
    entry: EntryDetail


class DeadlineCounts(BaseModel):
    met: int
    late: int
    overdue: int
    pending: int


class DeadlineItem(BaseModel):
    """One deadline of R-CAL-3 judged on `today`. The facts after `calendar_warning` depend on the
    kind: `unit` (all but bonus_claims), `sheets` and `unpublished` (monthly_publication),
    `basis_ref` (bonus_claims)."""

    kind: str = Field(description="unit_sheet_report | monthly_publication | record_forms | bonus_claims")
    kind_zh: str
    subject: str
    period: str
    deadline: str
    done_on: str | None
    status: str = Field(description="met | late | overdue | pending")
    status_zh: str
    late_days: int
    late_working_days: int
    calendar_warning: bool = Field(description="The calendar of a year it reaches is not complete (R-CAL-2)")
    unit: str | MISSING = MISSING
    sheets: int | MISSING = MISSING
    unpublished: int | MISSING = MISSING
    basis_ref: str | MISSING = MISSING


class Deadlines(BaseModel):
    """Every deadline of a year (考核时限), judged on `today`."""

    year: int
    today: str
    counts: DeadlineCounts
    calendar_warning: bool
    items: list[DeadlineItem]


class WorkingDayDeadline(BaseModel):
    """`start` plus `working_days` working days (R-CAL-2)."""

    start: str
    working_days: int
    deadline: str
    calendar_warning: bool


class Notice(BaseModel):
    """A public notice (公示) of results: a year ("2026") or a month ("2026-03"), and its confirmation (确认)."""

    scope: str
    kind: str = Field(description="annual 年度 | monthly 月度")
    year: int
    starts_on: str
    ends_on: str
    working_days: int = Field(description="the plan's minimum length in working days when published")
    earliest_end: str
    late: bool = Field(description="a monthly notice started after the plan's publish-by day (R-CAL-3)")
    noticed_position: int = Field(description="the published list is the results as of this log position")
    noticed_at: str
    noticed_by: str
    objections: list[str] = Field(description="entries disputed during the notice (异议)")
    status: str = Field(description="noticed | confirmed")
    confirmed_on: str | None
    confirmed_position: int | None
    confirmed_by: str | None
    confirmed_at: str | None
    position: int
    stage: str = Field(description="scheduled 待公示 | open 公示中 | ended 公示期满待确认 | confirmed 已确认")
    stage_zh: str
    basis_position: int = Field(description="the position the list's figures stand at: the confirmation's, else the notice's")
    changed_after_zh: str = Field(description="确认后 or 公示后: how a later change is labelled")


class FigureChange(BaseModel):
    then: str | int | bool | None = Field(description="the figure when noticed or confirmed")
    now: str | int | bool | None = Field(description="the figure now")


class NoticedUnit(BaseModel):
    unit: str
    name: str
    kind: str
    score: str | None
    outcome_zh: str | None = Field(description="达标 / 未达标 …; none when the unit has no outcome yet")
    rank: int | None
    provisional: bool
    changed: dict[str, FigureChange] = Field(description="figures changed since (both values); empty when unchanged")


class NoticedPerson(BaseModel):
    person: str
    name: str
    unit: str
    unit_name: str
    grade_zh: str | None = MISSING  # annual notices
    cs_grade_zh: str | None = MISSING
    score: str | None = MISSING  # monthly notices
    provisional: bool
    changed: dict[str, FigureChange]


class NoticeBoard(Notice):
    """The published list (公示名单): units' scores and outcomes, persons' grades (monthly: scores) — never payouts."""

    units: list[NoticedUnit]
    persons: list[NoticedPerson]


class ChangedUnit(BaseModel):
    unit: str
    name: str
    changed: dict[str, FigureChange]


class ChangedPerson(BaseModel):
    person: str
    name: str
    unit: str
    changed: dict[str, FigureChange]


class NoticeChanges(Notice):
    """Every figure that differs now from the confirmed (or noticed) results, with both values."""

    units: list[ChangedUnit]
    persons: list[ChangedPerson]
