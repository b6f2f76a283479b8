"""The ledger application (绩效台账): one method per command, one transaction per command.

`Ledger.execute(actor, command)` is the only way in. It checks the actor's role (R-ORG-4),
runs the command's handler (which gets aggregates, calls their rule-checking commands and
returns what to save), and saves every aggregate the command touched in one atomic insert,
with the inline read models written in that same transaction. A refused command saves no
event; the refusal is written to the refusal log (`refusals`), which is not an event.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timezone
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

import orjson
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic
from eventsourcing.persistence import IntegrityError

from ledger.adapters import audit
from ledger.application import commands as c
from ledger.adapters.audit import ChainWriter
from ledger.domain.bulletin import Bulletin
from ledger.domain.calendar import WorkCalendar, WorkingDays, calendar_id
from ledger.domain.actors import Actor
from ledger.domain.errors import (
    ConcurrentChange,
    DomainError,
    Forbidden,
    IdempotencyKeyReused,
    PlanNotFound,
    SheetNotFound,
)
from ledger.domain.periods import parse_period
from ledger.domain.plan import YearPlan
from ledger.domain.review import AnnualReview
from ledger.domain.roster import Roster
from ledger.domain.sheet import Sheet, sheet_id
from ledger.adapters.store import Database, DateAsISO, _Cursor

log = logging.getLogger("jixiao.ledger")

Handler = Callable[["Ledger", Actor, Any], "Outcome"]
_HANDLERS: dict[type[c.Command], Handler] = {}


def handles(command_type: type[c.Command]) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[command_type] = fn
        return fn

    return register


class Outcome:
    """What a handler decided: the aggregates to save and the result to return."""

    def __init__(self, *aggregates: Aggregate, **result: Any) -> None:
        self.aggregates = aggregates
        self.result = result


class Ledger(Application):
    """The bureau's ledger. Construct with a `Database`; see `projections.service` for wiring."""

    name = "jixiao"

    def __init__(self, database: Database, env: dict[str, str] | None = None) -> None:
        self.database = database
        super().__init__(env={**database.eventsourcing_env(), **(env or {})})
        self._lock = threading.RLock()
        # Today's date, for rules that depend on when a command is issued (a late bonus claim).
        self.clock: Callable[[], date] = date.today
        self._touched: list[Any] = []
        self._context: dict[str, Any] = {}
        recorder = self.recorder
        recorder.hook = self._inline_hook  # type: ignore[attr-defined]
        # The chain link of each event first (R-AUDIT-1), then idempotency, then (added by
        # the service) the projector: all in the command's one transaction.
        self.chain = ChainWriter()
        self.inline_hooks: list[Callable[..., None]] = [self.chain, self._write_idempotency]

    # -- plumbing --------------------------------------------------------------------------

    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def _record(self, processing_event: Any) -> Any:
        # Hand the domain events (not only their stored form) to the inline hooks.
        processing_event.saved_kwargs["new_events"] = processing_event.events
        processing_event.saved_kwargs.update(self._context)
        return super()._record(processing_event)

    def _inline_hook(self, cursor: Any, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None:
        for hook in self.inline_hooks:
            hook(cursor, notification_ids, kwargs)

    def _write_idempotency(self, cursor: Any, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None:
        key = kwargs.get("idempotency")
        if key is None:
            return
        body = {**kwargs["result"], "position": notification_ids[-1] if notification_ids else None}
        cursor.execute(
            "INSERT INTO idempotency_keys (idem_key, user_id, fingerprint, body, position, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (key[0], key[1], key[2], orjson.dumps(body).decode(), body["position"], _now()),
        )

    def save(self, *aggregates: Any, **kwargs: Any) -> Any:
        """Save the aggregates' new events in one transaction.

        Same as `Application.save` without its per-object `isinstance` checks against
        runtime-checkable protocols, which cost more than the rest of a command's Python work
        (measured with cProfile, see docs/architecture.md). Snapshotting is not used."""
        processing_event: ProcessingEvent[Any] = ProcessingEvent()
        for aggregate in aggregates:
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._notify(recordings)
        return recordings

    def close(self) -> None:
        close_writer = getattr(self.recorder, "close_writer", None)
        if close_writer is not None:
            close_writer()
        super().close()

    def get(self, cls: type[Any], aggregate_id: Any) -> Any:
        self._touched.append(aggregate_id)
        return self.repository.get(aggregate_id)

    def exists(self, cls: type[Any], aggregate_id: Any) -> bool:
        """Whether an aggregate was ever created (a once-only identity: a bulletin number, the
        dispute of an entry, a unit's filing for a quarter)."""
        try:
            self.get(cls, aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def _forget_touched(self) -> None:
        """After a failed command: drop what it may have changed in memory, so the next
        command starts from what is stored (the aggregates and the projector's row cache)."""
        for hook in self.inline_hooks:
            getattr(hook, "discard", lambda: None)()
        cache = self.repository.cache
        if cache is None:
            return
        for aggregate_id in self._touched:
            try:
                cache.get(aggregate_id, evict=True)
            except KeyError:
                pass

    # -- the way in ------------------------------------------------------------------------

    def execute(self, actor: Actor, command: c.Command, idempotency: tuple[str, str, str] | None = None) -> dict[str, Any]:
        """Run one command as `actor`. Returns the result, with `position`, the log position
        of the command's last event. `idempotency` is (key, user, request fingerprint)."""
        with self._lock:
            if idempotency is not None:
                earlier = self._idempotent_result(idempotency)
                if earlier is not None:
                    return earlier
            for attempt in range(3):
                self._touched = []
                try:
                    if actor.role not in type(command).roles:
                        raise Forbidden(
                            f"role {actor.role.value} may not {type(command).__name__}",
                            f"角色“{actor.role.value}”无权执行“{type(command).__name__}”",
                            role=actor.role.value,
                            command=type(command).__name__,
                        )
                    outcome = _HANDLERS[type(command)](self, actor, command)
                    self._context = {"result": outcome.result, "idempotency": idempotency}
                    try:
                        recordings = self.save(*outcome.aggregates)
                    finally:
                        self._context = {}
                    return {**outcome.result, "position": recordings[-1].notification.id if recordings else None}
                except DomainError as error:
                    self._forget_touched()
                    self.log_refusal(actor, type(command).__name__, error.code, error.detail_en)
                    raise
                except IntegrityError:
                    # Another process saved one of these aggregates first (PostgreSQL, several
                    # servers): start again from the store.
                    self._forget_touched()
                    if attempt == 2:
                        raise ConcurrentChange() from None
                except BaseException:
                    self._forget_touched()
                    raise
            raise ConcurrentChange()

    def _idempotent_result(self, idempotency: tuple[str, str, str]) -> dict[str, Any] | None:
        key, user, fingerprint = idempotency
        with self.recorder.datastore.transaction(commit=False) as raw:  # type: ignore[attr-defined]
            cur = _Cursor(raw, self.database.dialect)
            cur.execute("SELECT fingerprint, body FROM idempotency_keys WHERE idem_key = ? AND user_id = ?", (key, user))
            row = cur.fetchone()
        if row is None:
            return None
        if row["fingerprint"] != fingerprint:
            raise IdempotencyKeyReused(idem_key=key)
        return {**orjson.loads(row["body"]), "replayed": True}

    def log_refusal(self, actor: Actor, command: str, code: str, message: str) -> None:
        """R-ORG-4: a refused command writes no domain event, and the refusal is logged."""
        log.info("refused %s for %s (%s): %s %s", command, actor.user_id, actor.role.value, code, message)
        with self.recorder.datastore.transaction(commit=True) as raw:  # type: ignore[attr-defined]
            _Cursor(raw, self.database.dialect).execute(
                "INSERT INTO refusals (at, user_id, role, command, code, message) VALUES (?, ?, ?, ?, ?, ?)",
                (_now(), actor.user_id, actor.role.value, command, code, message[:1000]),
            )

    # -- tamper evidence (R-AUDIT-1) -------------------------------------------------------

    def chain_backfill(self) -> int:
        """Link events stored before the chain existed; returns how many. Run at start-up."""
        with self._lock, self.recorder.datastore.transaction(commit=True) as raw:  # type: ignore[attr-defined]
            count = audit.backfill(self.recorder, self.mapper, _Cursor(raw, self.database.dialect))
        self.chain.discard()
        return count

    def verify(self, expected: Sequence[tuple[int, str]] = ()) -> audit.Report:
        """Recompute the hash chain over the stored log and check it against the stored links,
        every published bulletin's digest, and any digests copied from printed bulletins."""
        topic = get_topic(Bulletin.Published)
        anchors: list[tuple[int, str, str]] = [(p, d, f"expected digest at {p}") for p, d in expected]
        last = 0
        while True:
            batch = self.recorder.select_notifications(start=last + 1, limit=audit.VERIFY_BATCH, topics=[topic])
            if not batch:
                break
            for n in batch:
                e = self.mapper.to_domain_event(n)
                anchors.append((e.through_position, e.digest, f"简报 bulletin {e.number}"))
            last = batch[-1].id

        @contextmanager
        def cursor() -> Iterator[Any]:
            with self.recorder.datastore.transaction(commit=False) as raw:  # type: ignore[attr-defined]
                yield _Cursor(raw, self.database.dialect)

        return audit.verify(self.recorder, cursor, anchors)

    # -- aggregate access ------------------------------------------------------------------

    def roster(self) -> Roster:
        try:
            return self.get(Roster, Roster.create_id())
        except AggregateNotFoundError:
            return Roster()

    def plan(self, year: int) -> YearPlan:
        try:
            return self.get(YearPlan, YearPlan.create_id(year))
        except AggregateNotFoundError:
            raise PlanNotFound(f"no plan for {year}", f"{year} 年度考核方案尚未建立", year=year) from None

    def exempt_persons(self, year: int) -> set[str]:
        """R-STAFF-5: persons exempted from daily assessment in the year."""
        try:
            return set(self.get(AnnualReview, AnnualReview.create_id(year)).exempt)
        except AggregateNotFoundError:
            return set()

    def work_calendar(self) -> WorkCalendar:
        try:
            return self.get(WorkCalendar, calendar_id())
        except AggregateNotFoundError:
            return WorkCalendar()

    def working_days(self) -> WorkingDays:
        """R-CAL-2: the official calendar with the office's local exceptions."""
        return self.work_calendar().working_days()

    def sheet(self, code: str) -> Sheet:
        try:
            return self.get(Sheet, sheet_id(code))
        except AggregateNotFoundError:
            pass
        parts = code.split(":")
        if len(parts) == 3:
            period = parse_period(parts[1])
            self.plan(period.year).period(period.code)  # PERIOD_NOT_OPEN when the period itself is missing
        raise SheetNotFound(f"no sheet {code}", f"考核表不存在：{code}", sheet=code)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


# Every handler module registers itself with `handles` when imported.
import ledger.application.handlers  # noqa: E402,F401
