"""The audit log's records (安全审计日志) as the security auditor reads them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AuditEntry(BaseModel):
    id: int
    at: str = Field(description="UTC, ISO 8601")
    user_id: str
    role: str
    client: str | None = Field(description="the client's address, as the server saw it")
    action: str = Field(description="command:<Name> or read:<route>")
    target: str | None
    outcome: str = Field(description="accepted | refused | read")
    code: str | None = Field(description="a refusal's code")
    position: int | None = Field(description="the log position of an accepted command's last event")
    at_beijing: str = Field(description="北京时间 YYYY-MM-DD HH:MM:SS")
