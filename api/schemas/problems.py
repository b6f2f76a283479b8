"""The problem document (问题详情), RFC 9457: the body of every error this API sends, with media
type `application/problem+json` (made in one place, `api.errors.problem`)."""

from __future__ import annotations

from pydantic import MISSING, BaseModel, ConfigDict, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"


class InputError(BaseModel):
    """One thing wrong with a request (a 400 or 422 problem's `errors`)."""

    loc: list[str] = Field(description="Where: ['body', 'points'], ['query', 'year'], ...")
    type: str | None
    msg: str | None
    reason: str | MISSING = MISSING  # the parser's own words, for a body that is not JSON


class Problem(BaseModel):
    """An RFC 9457 problem: the six members below, and the facts of the refusal beside them
    (`errors`, `field`, `unit`, `sheet`, `points_max`, ... — each code has its own, hence open)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="https://jixiao.invalid/problems/<code in kebab case>")
    title: str
    status: int = Field(description="The HTTP status, repeated")
    code: str = Field(description="Stable and machine-readable: UNAUTHENTICATED, FORBIDDEN, SHEET_CLOSED, ...")
    detail: str = Field(description="English")
    detail_zh: str = Field(description="简体中文")
    errors: list[InputError] | MISSING = MISSING
