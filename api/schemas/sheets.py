"""What the sheet routes return (考核表、扣分记录、评分登记表): the rows of
`projections.sheet_queries`, field for field. Points, scores and rates are decimal strings."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.roster import PlanItem


class SheetRow(BaseModel):
    """A score sheet (考核表) with its live score (R-SHEET-1)."""

    code: str = Field(description="<target>:<period>:<track>")
    target_kind: str = Field(description="unit | person")
    target: str
    unit: str
    period: str
    year: int
    track: str = Field(description="key | routine | half | monthly")
    status: str
    items: list[PlanItem]
    deducted: str = Field(description="Σ active deductions")
    score: str = Field(description="max(0, 100 − deducted)")
    rate: str = Field(description="score / 100")
    entries_total: int
    entries_active: int
    submitted_on: str | None
    published_on: str | None
    position: int


class Entry(BaseModel):
    """An entry (扣分记录): a deduction with its source, cascade links, corrections and dispute."""

    entry_id: str = Field(description="<target>:<period>:<track>:<no>")
    sheet: str
    no: int
    target_kind: str
    target: str
    unit: str
    period: str
    year: int
    track: str
    points: str
    item: str | None
    basis: str
    occurred_on: str
    source: str
    form_no: str | None
    attachments: list[str]
    cascaded_from: str | None
    cascaded_to: list[str]
    amends: str | None
    amended_by: str | None
    dispute: str | None = Field(description="filed | reviewed | decided:<decision>; null when never disputed")
    late: bool
    status: str = Field(description="active | reversed | amended")
    recorded_at: str
    recorded_by: str
    recorded_role: str
    recorded_position: int
    reversed_at: str | None
    reversed_by: str | None
    reversal_reason: str | None
    reversal_ref: str | None
    reversal_following: str | None
    position: int
    disputed: bool = Field(description="Under an open dispute: it still counts (R-DISPUTE-1)")


class EntryDetail(Entry):
    """An entry with the entries it cascaded to (R-CASCADE-1)."""

    cascades: list[Entry]


class SheetDetail(SheetRow):
    """A sheet with every entry on it; provisional while one of them is disputed."""

    entries: list[Entry]
    provisional: bool


class LedgerSheet(SheetRow):
    provisional: bool


class ScoringLedger(BaseModel):
    """A target's scoring ledger (评分登记表) for a year: every sheet, and one page of its
    entries in the ledger's order (period, track, number): `entries_total` in all, this page from
    `offset`."""

    target: str
    year: int
    sheets: list[LedgerSheet]
    entries: list[Entry]
    entries_total: int
    offset: int
