"""What the annual routes return (年度考核结果): the rows `projections.annual` computes (units,
persons, the bureau's summary) and the annual review's records of `projections.review_queries`
(bonus items and claims, vetoes, evaluations). A figure not computed yet is null, never zero."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TierQuota(BaseModel):
    size: int
    places: int
    used: int


class YearSummary(BaseModel):
    """The bureau's summary of a year (年度汇总)."""

    year: int
    persons_evaluated: int
    direct_excellent_heads: list[str]
    quota_base: int
    quota_rate: str
    quota: dict[str, TierQuota] = Field(description="tier -> the excellent places of R-CS-2")
    grade_distribution: dict[str, int] = Field(description="grade ('pending' while provisional) -> persons")
    cs_grade_distribution: dict[str, int] = Field(description="civil-servant grade ('pending' while provisional) -> persons")
    units_meeting_standard: list[str]
    units_not_meeting_standard: list[str]
    units_provisional: list[str]
    persons_provisional: int
    policy: dict[str, str]


class UnitResult(BaseModel):
    """A unit's annual result (单位年度考核结果), R-UNIT-1..4."""

    unit: str
    name: str
    kind: str
    head: str | None
    means: dict[str, str | None] = Field(description="track -> the mean of its sheet rates")
    grassroots_rate: str | None
    bonus: str
    bonus_claimed: str
    score_exact: str | None
    score: str | None
    vetoed: bool
    meets_standard: bool | None
    outcome_zh: str | None
    admonition: bool | None
    accountability: bool | None
    rank: int | None
    bottom: bool
    provisional: bool
    missing: list[str]
    disputed_entries: list[str]


class PersonResult(BaseModel):
    """A person's annual result (个人年度考核结果): rate, grade, civil-servant grade, payout."""

    person: str
    name: str
    unit: str | None
    tier: str
    position_grade: str
    age_class: str
    exempt: bool
    months: int
    monthly_total: str | None
    monthly_mean_rate: str | None
    democratic_rate: str | None
    bonus: str
    annual_rate_exact: str | None
    annual_rate: str | None
    computed_grade: str | None
    party_grade: str | None
    grade: str | None
    grade_zh: str | None
    excellent_barred: bool
    deducted_points: str
    direct_excellent: bool
    cs_grade: str | None
    quota_place: bool
    bottom: bool
    provisional: bool
    missing: list[str]
    cs_grade_zh: str | None
    flags: list[str]
    award_eligible: bool
    head_of_failing_unit: bool
    payout_yuan: str | None
    payout_base_yuan: str | None = Field(description="目标考评奖基数 the payout starts from (R-BONUS-T-2); none while not known")
    payout_deduction_yuan: str | None = Field(description="扣减金额: deducted points × the point value, where the case deducts (R-BONUS-T-3)")
    disputed_entries: list[str]


class YearResults(BaseModel):
    """Every unit's and every person's annual result, and the bureau's summary."""

    summary: YearSummary
    units: list[UnitResult]
    persons: list[PersonResult]


class BonusItem(BaseModel):
    """An annual bonus item (年度考核加分项目)."""

    year: int
    code: str
    title: str
    points: str
    requirement: str
    applies_to: str
    position: int


class ClaimEvidence(BaseModel):
    """A piece of evidence a claim was filed with (证明材料)."""

    kind: str
    ref: str


class BonusClaim(BaseModel):
    """A bonus claim (加分申报) and its decision (R-BONUS-1..3)."""

    target: str
    basis_ref: str
    year: int
    target_kind: str
    item: str
    points: str
    basis: str
    earned_on: str
    document_dated: str
    evidence: list[ClaimEvidence]
    filed_on: str
    late: bool
    carried_over: bool
    status: str = Field(description="filed | approved | rejected")
    filed_by: str
    decided_by: str | None
    decided_at: str | None
    decision_reason: str | None
    position: int


class Veto(BaseModel):
    """A veto (一票否决事项), R-VETO-1/2."""

    code: str
    year: int
    unit: str
    kind: str
    head: str
    persons: list[str]
    occurred_on: str
    reason: str
    decision_ref: str
    status: str = Field(description="active | lifted")
    imposed_by: str
    lifted_by: str | None
    lift_reason: str | None
    lift_ref: str | None
    position: int


class Evaluation(BaseModel):
    """An evaluation (测评、评定、免考): a rate, the Party group's grade or an exemption."""

    year: int
    target: str
    kind: str = Field(description="democratic | grassroots | party_grade | exemption")
    value: str
    recorded_at: str
    recorded_by: str
    position: int
