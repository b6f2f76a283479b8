"""API tokens as the system administrator issues, lists and revokes them."""

from __future__ import annotations

from pydantic import BaseModel, Field



class IssueToken(BaseModel):
    model_config = {"extra": "forbid"}
    user_id: str = Field(min_length=1, max_length=64)
    label: str = Field(min_length=1, max_length=100, description="what the token is for, e.g. 报表系统")
    valid_days: int = Field(default=90, ge=1, le=366)


class RevokeToken(BaseModel):
    model_config = {"extra": "forbid"}
    token_id: str = Field(min_length=16, max_length=16, pattern="^[0-9a-f]{16}$")


class IssuedToken(BaseModel):
    token_id: str
    user_id: str
    label: str
    expires_on: str = Field(description="valid through this date (Beijing)")
    token: str = Field(description="shown this once; only its SHA-256 is kept")


class TokenRow(BaseModel):
    token_id: str
    user_id: str
    label: str
    created_at: str
    created_by: str
    expires_on: str
    revoked_at: str | None
    revoked_by: str | None


class RevokedToken(BaseModel):
    token_id: str
    revoked_at: str
