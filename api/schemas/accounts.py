"""Sign-in, sessions and accounts as the API shows them (passwords and hashes never leave)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ledger.domain.actors import Role


class SignIn(BaseModel):
    model_config = {"extra": "forbid"}
    login: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$", description="登录名")
    password: str = Field(min_length=1, max_length=128, description="密码")
    bearer: bool = Field(default=False, description="true: an API client; the session token is returned as a bearer and no cookie is set")


class ChangePassword(BaseModel):
    model_config = {"extra": "forbid"}
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128, description="至少8位，含大写字母、小写字母、数字、符号中的三类；不含登录名；不与最近5次相同")


class SessionInfo(BaseModel):
    """The signed-in user and their session (times in Beijing time)."""

    user_id: str
    name: str
    role: str
    role_zh: str
    person: str | None
    via: str = Field(description="cookie (browser session) | bearer (API client session) | api_token")
    must_change_password: bool = Field(description="an initial, reset or expired password: only POST /auth/password is allowed")
    password_expires_at: str | None = Field(description="Beijing time; null: no maximum age")
    password_warning: str | None = Field(description="a warning in Chinese when the password expires soon")
    session_ends_at: str | None = Field(description="Beijing time: the idle timeout or the absolute lifetime, whichever is sooner")
    idle_minutes: int
    csrf_token: str | None = Field(description="cookie sessions: send it as X-CSRF-Token with every write")
    bureau_name: str = Field(description="the bureau's name as printed on its forms (JIXIAO_BUREAU_NAME)")
    today: str = Field(description="the bureau's date (Beijing time, or JIXIAO_TODAY): the rules' today")


class SignedIn(SessionInfo):
    token: str | None = Field(default=None, description="bearer sessions only: Authorization: Bearer <token>; shown this once")


class SignedOut(BaseModel):
    signed_out: bool


class NewUser(BaseModel):
    model_config = {"extra": "forbid"}
    user_id: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$", description="登录名")
    name: str = Field(min_length=1, max_length=100, description="姓名或显示名")
    role: Role
    person: str | None = Field(default=None, min_length=1, max_length=32, description="名册人员编号（考核人员、单位主要负责人、工作人员必填）")


class RoleChange(BaseModel):
    model_config = {"extra": "forbid"}
    role: Role
    person: str | None = Field(default=None, min_length=1, max_length=32)


class UserRow(BaseModel):
    user_id: str
    name: str
    role: str
    role_zh: str
    person: str | None
    status: str = Field(description="active | locked | disabled")
    status_zh: str
    locked_until: str | None
    must_change_password: bool
    has_password: bool
    password_set_at: str | None
    failed_logins: int
    created_at: str


class UserWithPassword(UserRow):
    initial_password: str = Field(description="shown this once; the user must change it at first sign-in")
