"""What the trace (溯源, R-Q-2) and cross-year (R-Q-3) routes return.

A sheet's trace is a closed shape: the score and its entries (`EntryNode`), cascades underneath.
An annual trace is a tree of figures whose nodes differ by figure (a grade, a quota place, a sheet,
a bonus claim, a veto, ...): `TraceNode` declares what every node has and keeps the rest open."""

from __future__ import annotations

from typing import Any

from pydantic import MISSING, BaseModel, Field

from api.schemas.base import OpenModel


class Recorded(BaseModel):
    by: str
    role: str
    at: str
    position: int


class RemovedBy(BaseModel):
    """The reversal or amendment that took an entry out of its sheet's score."""

    kind: str = Field(description="reversed | amended")
    by: str | None
    at: str | None
    reason: str | None
    decision_ref: str | None
    replacement: str | None
    following: str | None = Field(description="The unit entry whose correction carried this one along")


class EntryNode(BaseModel):
    """An entry in a trace: its facts, whether it counts, and the cascades it caused."""

    figure: str = Field(description="entry")
    entry_id: str
    value: str = Field(description="The points")
    counts: bool
    status: str
    source: str
    source_zh: str
    basis: str
    item: str | None
    occurred_on: str
    form_no: str | None
    evidence: list[str]
    recorded: Recorded
    late: bool
    cascaded_from: str | None
    amends: str | None
    children: list[EntryNode]
    removed_by: RemovedBy | MISSING = MISSING
    dispute: str | MISSING = MISSING


class SheetTraceInputs(BaseModel):
    deducted: str
    active_entries: int
    entries_not_counting: int


class SheetTrace(BaseModel):
    """How a sheet's score is computed (R-SHEET-1), down to every entry."""

    figure: str = Field(description="sheet_score")
    sheet: str
    target: str
    period: str
    status: str
    value: str
    rate: str
    formula: str
    rule: str
    inputs: SheetTraceInputs
    provisional: bool
    position: int
    children: list[EntryNode]


class TraceNode(OpenModel):
    """A figure of an annual trace. Every node names its `figure`; most carry `value`, `formula`,
    `rule`, `inputs` and `children`; the rest depends on the figure (a sheet node is a
    `SheetTrace`, a bonus-claim node a claim's row, a veto node a veto's row): open."""

    figure: str
    value: str | int | bool | None | MISSING = MISSING
    exact: str | None | MISSING = MISSING
    formula: str | MISSING = MISSING
    rule: str | MISSING = MISSING
    inputs: dict[str, Any] | MISSING = MISSING
    counts: bool | MISSING = MISSING
    children: list[TraceNode] | MISSING = MISSING


class PersonTrace(BaseModel):
    """How a person's annual result is computed: the civil-servant grade and the payout, down to
    the monthly sheets, the evaluations and the bonus claims."""

    figure: str = Field(description="person_annual")
    person: str
    year: int
    provisional: bool
    missing: list[str]
    disputed_entries: list[str]
    children: list[TraceNode]


class UnitTrace(BaseModel):
    """How a unit's annual result is computed: the outcome and the rank, down to its sheets."""

    figure: str = Field(description="unit_annual")
    unit: str
    year: int
    provisional: bool
    missing: list[str]
    children: list[TraceNode]


# -- across years (R-Q-3) ------------------------------------------------------------------------


class PersonYear(BaseModel):
    """A person's result in one year; the figures only where `assessed`."""

    year: int
    assessed: bool
    unit: str | None | MISSING = MISSING
    tier: str | MISSING = MISSING
    annual_rate: str | None | MISSING = MISSING
    grade: str | None | MISSING = MISSING
    grade_zh: str | None | MISSING = MISSING
    cs_grade: str | None | MISSING = MISSING
    cs_grade_zh: str | None | MISSING = MISSING
    payout_yuan: str | None | MISSING = MISSING
    flags: list[str] | MISSING = MISSING
    provisional: bool | MISSING = MISSING


class PersonHistory(BaseModel):
    person: str
    years: list[PersonYear]
    incompetent_runs: list[list[int]] = Field(description="Runs of consecutive years graded 不称职")


class UnitYear(BaseModel):
    """A unit's result in one year; the figures only where `assessed`."""

    year: int
    assessed: bool
    score: str | None | MISSING = MISSING
    outcome_zh: str | None | MISSING = MISSING
    meets_standard: bool | None | MISSING = MISSING
    rank: int | None | MISSING = MISSING
    vetoed: bool | MISSING = MISSING
    provisional: bool | MISSING = MISSING


class UnitHistory(BaseModel):
    unit: str
    years: list[UnitYear]


class IncompetentRun(BaseModel):
    person: str
    years: list[int]


class PersonAnnualFigures(BaseModel):
    annual_rate: str | None
    grade: str | None
    cs_grade: str | None
    payout_yuan: str | None


class UnitAnnualFigures(BaseModel):
    score: str | None
    outcome_zh: str | None
    rank: int | None


class CorrectionFigures(BaseModel):
    """The figures at one log position; `annual` once the year has a plan."""

    position: int
    sheet_score: str
    entry_status: str
    annual: PersonAnnualFigures | UnitAnnualFigures | MISSING = MISSING


class Correction(BaseModel):
    """A figure just before and just after the correction (reversal or amendment) of an entry."""

    entry_id: str
    corrected_at_position: int
    correction: str = Field(description="reversed | amended")
    before: CorrectionFigures
    after: CorrectionFigures
