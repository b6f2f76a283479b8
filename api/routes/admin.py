"""Administration (系统管理) for the system administrator (系统管理员): accounts and API tokens.
The administrator manages access and reads no scores and no audit log (三员分立), and does not
lock, disable, re-role or reset their own account; every action and every refusal of one is
written to the audit log (ledger/accounts/accounts.py)."""

from __future__ import annotations

from typing import Annotated, Any, Callable

from fastapi import Depends, Path, Query, Request

from api.routing import routes
from api.auth import client_of
from api.body import StrictJSONRoute
from api.deps import ServiceDep
from api.policy import ADMIN, reads
from api.schemas.accounts import NewUser, RoleChange, UserRow, UserWithPassword
from api.schemas.tokens import IssuedToken, IssueToken, RevokedToken, RevokeToken, TokenRow
from ledger.accounts.tokens import list_tokens
from ledger.accounts.users import STATUS_ZH, Account, list_accounts
from ledger.domain.actors import ROLE_ZH, Actor

router = routes(["admin 系统管理"], route_class=StrictJSONRoute)
AdminDep = Annotated[Actor, Depends(reads(ADMIN))]
Login = Annotated[str, Path(min_length=2, max_length=64, description="登录名")]


def user_row(account: Account) -> dict[str, Any]:
    """An account as `UserRow` shows it (in its field order): never the hashes."""
    public = account.public()
    return {
        "user_id": account.user_id, "name": account.name, "role": account.role.value, "role_zh": ROLE_ZH[account.role],
        "person": account.person, "status": account.status, "status_zh": STATUS_ZH[account.status],
        **{k: public[k] for k in ("locked_until", "must_change_password", "has_password", "password_set_at", "failed_logins", "created_at")},
    }  # fmt: skip


@router.get("/users", summary="用户列表", response_model=list[UserRow], dependencies=[Depends(reads(ADMIN))])
def users(service: ServiceDep) -> list[dict[str, Any]]:
    return [user_row(a) for a in list_accounts(service.engine)]


@router.post("/users", summary="新建用户（初始密码仅显示一次，首次登录须修改）", status_code=201, response_model=UserWithPassword)
def create_user(body: NewUser, request: Request, admin: AdminDep, service: ServiceDep) -> dict[str, Any]:
    account, password = service.accounts.create_with_initial_password(admin, client_of(request), body.user_id, body.name, body.role, body.person)
    return {**user_row(account), "initial_password": password}


def _status_route(change: str) -> Callable[..., dict[str, Any]]:
    def route(user_id: Login, request: Request, admin: AdminDep, service: ServiceDep) -> dict[str, Any]:
        return user_row(service.accounts.change_status(admin, client_of(request), user_id, change))

    route.__name__ = f"{change}_user"
    return route


STATUS_SUMMARIES = {"lock": "锁定用户（立即结束其会话）", "unlock": "解锁用户", "disable": "停用用户（立即结束其会话）", "enable": "启用用户"}
for _change, _summary in STATUS_SUMMARIES.items():
    router.add_api_route(f"/users/{{user_id}}/{_change}", _status_route(_change), methods=["POST"], summary=_summary, status_code=201, response_model=UserRow)


@router.post("/users/{user_id}/role", summary="变更角色", status_code=201, response_model=UserRow)
def change_role(user_id: Login, body: RoleChange, request: Request, admin: AdminDep, service: ServiceDep) -> dict[str, Any]:
    return user_row(service.accounts.set_role(admin, client_of(request), user_id, body.role, body.person))


@router.post("/users/{user_id}/password-reset", summary="重置密码（新密码仅显示一次，须在下次登录时修改）", status_code=201, response_model=UserWithPassword)
def reset_password(user_id: Login, request: Request, admin: AdminDep, service: ServiceDep) -> dict[str, Any]:
    account, password = service.accounts.reset_password(admin, client_of(request), user_id)
    return {**user_row(account), "initial_password": password}


@router.post("/tokens", summary="签发接口令牌（仅显示一次）", status_code=201, response_model=IssuedToken)
def issue(body: IssueToken, request: Request, admin: AdminDep, service: ServiceDep) -> dict[str, Any]:
    return service.accounts.issue_token(admin, client_of(request), body.user_id, body.label, body.valid_days)


@router.post("/tokens/revocations", summary="吊销接口令牌", status_code=201, response_model=RevokedToken)
def revoke(body: RevokeToken, request: Request, admin: AdminDep, service: ServiceDep) -> dict[str, Any]:
    return service.accounts.revoke_token(admin, client_of(request), body.token_id)


@router.get("/tokens", summary="接口令牌列表（不含令牌本身）", response_model=list[TokenRow], dependencies=[Depends(reads(ADMIN))])
def tokens(service: ServiceDep, user: Annotated[str | None, Query(max_length=64)] = None) -> list[dict[str, Any]]:
    return list_tokens(service.engine, user)
