"""Injected dependencies: the running service and the authenticated actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from api.errors import Unauthorized
from api.users import actor_for_token
from ledger.access import may_read_target
from ledger.actors import Actor
from ledger.errors import Forbidden
from projections.service import LedgerService


def get_service(request: Request) -> LedgerService:
    return request.app.state.service


ServiceDep = Annotated[LedgerService, Depends(get_service)]


def get_actor(service: ServiceDep, authorization: Annotated[str | None, Header()] = None) -> Actor:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("Send 'Authorization: Bearer <token>'")
    actor = actor_for_token(service.engine, authorization[7:].strip())
    if actor is None:
        raise Unauthorized("Unknown token")
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def check_read(service: LedgerService, actor: Actor, target: str, target_unit: str | None) -> None:
    """Apply the read rule of R-Q-1 to one target."""
    q = service.queries
    actor_unit = None
    headed: set[str] = set()
    if actor.person:
        try:
            actor_unit = q.person(actor.person)["unit"]
        except Exception:  # noqa: BLE001 - a user linked to no person reads only what its role allows
            actor_unit = None
        headed = {u["code"] for u in q.units() if u["head"] == actor.person}
    if not may_read_target(actor, target, target_unit, actor_unit, headed):
        raise Forbidden(
            f"{actor.role.value} may not read {target}", f"无权查看 {target} 的考核记录", target=target
        )
