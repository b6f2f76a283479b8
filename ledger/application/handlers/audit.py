"""Oversight commands (R-AUDIT-1): bulletins that carry the event log's digest."""

from __future__ import annotations

from ledger.application import commands as c
from ledger.domain.actors import Actor
from ledger.application.unit_of_work import Outcome, UnitOfWork
from ledger.domain.bulletin import Bulletin, bulletin_id
from ledger.domain.errors import AlreadyExists
from ledger.domain.periods import parse_period


def publish_bulletin(uow: UnitOfWork, actor: Actor, cmd: c.PublishBulletin) -> Outcome:
    period = parse_period(cmd.period)
    uow.plan(period.year).period(period.code)  # PLAN_NOT_FOUND / PERIOD_NOT_OPEN
    if uow.exists(Bulletin, bulletin_id(cmd.number)):
        raise AlreadyExists(f"bulletin {cmd.number} was already published", f"简报第 {cmd.number} 期已发布", bulletin=cmd.number)
    position, digest = uow.chain_head()
    bulletin = Bulletin(
        number=cmd.number, period=period.code, title=cmd.title, body=cmd.body, through_position=position, digest=digest.hex(), actor=actor.stamp()
    )
    return Outcome(bulletin, bulletin=cmd.number, through_position=position, digest=digest.hex())
