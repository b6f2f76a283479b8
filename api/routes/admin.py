"""Administration (系统管理) for the system administrator: API tokens for machine clients. The
administrator manages access and reads no scores and no audit log (三员分立); every issue and
revocation is written to the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from api.body import StrictJSONRoute
from api.deps import ServiceDep
from api.policy import ADMIN, reads
from api.schemas.tokens import IssuedToken, IssueToken, RevokedToken, RevokeToken, TokenRow
from api.tokens import issue_token, list_tokens, revoke_token
from ledger.domain.actors import Actor

router = APIRouter(tags=["admin 系统管理"], route_class=StrictJSONRoute)
AdminDep = Annotated[Actor, Depends(reads(ADMIN))]


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post("/tokens", summary="签发接口令牌（仅显示一次）", status_code=201, response_model=IssuedToken)
def issue(body: IssueToken, request: Request, admin: AdminDep, service: ServiceDep) -> dict[str, Any]:
    issued = issue_token(service.engine, service.key, service.clock, admin.user_id, body.user_id, body.label, body.valid_days)
    service.ledger.audit_action(admin, _client(request), "admin:IssueToken", f"{body.user_id}:{issued['token_id']}")
    return issued


@router.post("/tokens/revocations", summary="吊销接口令牌", status_code=201, response_model=RevokedToken)
def revoke(body: RevokeToken, request: Request, admin: AdminDep, service: ServiceDep) -> dict[str, Any]:
    revoked = revoke_token(service.engine, service.key, service.clock, admin.user_id, body.token_id)
    service.ledger.audit_action(admin, _client(request), "admin:RevokeToken", body.token_id)
    return revoked


@router.get("/tokens", summary="接口令牌列表（不含令牌本身）", response_model=list[TokenRow], dependencies=[Depends(reads(ADMIN))])
def tokens(service: ServiceDep, user: Annotated[str | None, Query(max_length=64)] = None) -> list[dict[str, Any]]:
    return list_tokens(service.engine, user)
