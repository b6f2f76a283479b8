"""Oversight commands (R-AUDIT-1): bulletins that carry the event log's digest."""

from __future__ import annotations

from ledger.application import commands as c
from ledger.domain.actors import Actor
from ledger.application.ledger import Ledger, Outcome, handles
from ledger.domain.bulletin import Bulletin, bulletin_id
from ledger.domain.errors import AlreadyExists
from ledger.domain.periods import parse_period
from ledger.adapters.store import _Cursor


@handles(c.PublishBulletin)
def _publish_bulletin(app: Ledger, actor: Actor, cmd: c.PublishBulletin) -> Outcome:
    period = parse_period(cmd.period)
    app.plan(period.year).period(period.code)  # PLAN_NOT_FOUND / PERIOD_NOT_OPEN
    if app.exists(Bulletin, bulletin_id(cmd.number)):
        raise AlreadyExists(f"bulletin {cmd.number} was already published", f"简报第 {cmd.number} 期已发布", bulletin=cmd.number)
    with app.recorder.datastore.transaction(commit=False) as raw:  # type: ignore[attr-defined]
        position, digest = app.chain.head(_Cursor(raw, app.database.dialect))
    bulletin = Bulletin(
        number=cmd.number, period=period.code, title=cmd.title, body=cmd.body, through_position=position, digest=digest.hex(), actor=actor.stamp()
    )
    return Outcome(bulletin, bulletin=cmd.number, through_position=position, digest=digest.hex())
