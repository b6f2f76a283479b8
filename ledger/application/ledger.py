"""The ledger application (绩效台账): one command, one transaction.

`Ledger.execute(actor, command)` is the only way in:

    execute ─► role check (R-ORG-4) ─► HANDLERS[type(command)](uow, actor, command)
            ─► Outcome(aggregates, result) ─► save: one transaction that inserts the events and
               runs the inline hooks on the same cursor — the hash-chain link (R-AUDIT-1), the
               idempotency key, and the read models (the projector the composition root passes in)

A refused command saves no event; the refusal is written to the refusal log (`refusals`).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Callable, Iterator, Protocol, Sequence, TypeVar

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError
from eventsourcing.sqlite import SQLiteCursor
from eventsourcing.utils import get_topic

from ledger.adapters import audit
from ledger.adapters.audit import ChainWriter
from ledger.adapters.audit_log import ACCEPTED, READ, REFUSED, AuditHook, AuditRecord, AuditWriter, verify_audit_log
from ledger.adapters.bookkeeping import IdempotencyKeys, log_refusal, seal_refusals, verify_refusals
from ledger.adapters.cache_follower import CacheFollower, evict
from ledger.adapters.seal import AnchorFile, ChainKey
from ledger.adapters.store import Database, DateAsISO, ProjectionCursor, WriteLock, _Cursor, register_moved_topics
from ledger.application import commands as c
from ledger.application.group_commit import GroupCommit, Pending
from ledger.application.handlers import HANDLERS
from ledger.application.unit_of_work import UnitOfWork
from ledger.clock import Clock
from ledger.domain.actors import Actor
from ledger.domain.bulletin import Bulletin
from ledger.domain.errors import BatchRefused, ConcurrentChange, DomainError, Forbidden, IdempotencyKeyReused, StoreBusy

log = logging.getLogger("jixiao.ledger")
CONFLICT_ATTEMPTS = 8  # a command that lost a race with another server process is run again from the store
T = TypeVar("T")


class ReadModels(Protocol):
    """What the composition root hands the ledger to keep its read models (projections.Projector):
    an inline hook, and a way to drop its cached rows after a failed command."""

    def __call__(self, cursor: ProjectionCursor, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None: ...
    def discard(self) -> None: ...


def _written() -> None:
    """The wait for a record already durable."""


class Durable:
    """The wait for a read's audit record, queued for a group commit, to be durable. Called, it
    blocks until then. Or `settle()`: the calling thread leads the group if no thread does, else
    leaves the record to the group being run and gets it back to await elsewhere (an event loop:
    `Pending.then`), so a request thread is not held waiting for another thread's commit."""

    __slots__ = ("group", "item")

    def __init__(self, group: GroupCommit, item: Pending) -> None:
        self.group, self.item = group, item

    def __call__(self) -> None:  # called without the writer lock held: a leader needs it
        self.group.wait(self.item)

    def settle(self) -> Pending | None:
        """None once the record is durable (led here, or committed already), else the record's
        place in the queue; raises the group's error."""
        if not self.group.settle(self.item):
            return self.item
        if self.item.error is not None:
            raise self.item.error
        return None


class Ledger(Application):
    """The bureau's ledger. Built by `api.service.LedgerService` with its database, clock and
    read models."""

    name = "jixiao"

    def __init__(
        self,
        database: Database,
        *,
        key: ChainKey,
        anchors: AnchorFile | None = None,
        clock: Clock | None = None,
        read_models: ReadModels | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        register_moved_topics()
        self.key = key
        self.anchors = anchors
        self.database = database
        super().__init__(env={**database.eventsourcing_env(), **(env or {})})
        self._lock = threading.RLock()
        self.clock = clock or Clock()
        self._context: dict[str, Any] = {}
        # In the command's one transaction, in this order: the chain link of each event, the
        # idempotency key, the read models.
        self.chain = ChainWriter(key)
        self.idempotency = IdempotencyKeys(lambda: self.clock.now_iso())
        self.audit = AuditWriter(key, anchors)
        self.read_models = read_models
        self.inline_hooks: tuple[Any, ...] = (self.chain, self.idempotency, AuditHook(self.audit)) + ((read_models,) if read_models is not None else ())
        self.recorder.hook = self._run_inline_hooks  # type: ignore[attr-defined]
        # SQLite: concurrent commands committed together (one fsync); PostgreSQL keeps one
        # transaction per command, each taking the events table's lock (several servers).
        self._group = GroupCommit(self._lock, self._run_group, self._execute_one) if database.dialect == "sqlite" else None
        # SQLite: other processes may write the file too (server workers, a `jixiao` command), one
        # at a time, taking turns (`WriteLock`). A command holds it from the look for other
        # processes' changes (`_follower`) to its commit, so it never loses a race.
        self._write_lock: AbstractContextManager[Any] = WriteLock(database.write_lock_path) if database.dialect == "sqlite" else nullcontext()
        if database.dialect == "sqlite":
            self.recorder.write_lock = self._write_lock  # type: ignore[attr-defined]
        # Other processes may write (server workers on either store, a `jixiao` command): before
        # each command, or each group, the cached aggregates they changed are brought forward
        # (one query for which changed, then one for each of those).
        self._follower = (
            CacheFollower(database.events_table, database.dialect, self.repository.cache, lambda aggregate_id, version: self.repository.event_store.get(originator_id=aggregate_id, gt=version))
            if self.repository.cache is not None else None
        )  # fmt: skip

    # -- the way in ------------------------------------------------------------------------

    def execute(
        self, actor: Actor, command: c.Command, idempotency: tuple[str, str, str] | None = None, client: str | None = None
    ) -> dict[str, Any]:
        """Run one command as `actor`. Returns the result, with `position`, the log position
        of the command's last event. `idempotency` is (key, user, request fingerprint); `client`
        the client's address, for the audit log. On SQLite, commands issued at the same time
        by several threads are committed together (`group_commit`); each still gets its own
        answer, exactly as if it had run alone."""
        if self._grouped():
            return self._group.submit(actor, command, idempotency, client)  # type: ignore[union-attr]
        return self._execute_one(Pending(actor, command, idempotency, client))

    def _grouped(self) -> bool:
        """Whether this thread's write joins the group commit: on SQLite, unless it already holds
        the writer lock (a write from inside another, which the group would wait for)."""
        return self._group is not None and not self._lock._is_owned()  # type: ignore[attr-defined]

    def _execute_one(self, item: Pending) -> dict[str, Any]:
        """One command in one transaction of its own."""
        actor, command, idempotency, client = item.actor, item.command, item.idempotency, item.client
        if isinstance(command, AuditRecord):  # an audit record queued on its own (`_audit_alone`)
            self._append_alone(command)
            return {}
        with self._lock, self._write_lock:  # SQLite: no other process writes from the first read to the commit
            if idempotency is not None:
                earlier = self._idempotent_result(idempotency)
                if earlier is not None:
                    return earlier
            for attempt in range(CONFLICT_ATTEMPTS):
                uow = self._unit_of_work()
                try:
                    self._check_role(actor, command)
                    outcome = HANDLERS[type(command)](uow, actor, command)
                    audit = self._audit_record(actor, client, command, ACCEPTED)
                    recordings = self.save(*outcome.aggregates, result=outcome.result, idempotency=idempotency, audit=audit)
                    self._audited(audit)
                    self._anchor_events()
                    self._wrote(recordings)
                    return {**outcome.result, "position": recordings[-1].notification.id if recordings else None}
                except DomainError as error:
                    self._forget(uow)
                    self.log_refusal(actor, type(command).__name__, error.code, error.detail_en, self._audit_record(actor, client, command, REFUSED, error.code))
                    raise
                except IntegrityError:
                    # Another process saved one of these aggregates first (PostgreSQL, several
                    # servers): start again from the store, after a short random pause so two
                    # processes racing for one sheet fall out of step.
                    self._forget(uow)
                    if attempt == CONFLICT_ATTEMPTS - 1:
                        raise ConcurrentChange() from None
                    time.sleep(random.randrange(2_000 * (attempt + 1)) / 1_000_000)  # up to 2 ms × attempt, in whole µs
                except BaseException:
                    self._forget(uow)
                    raise
            raise ConcurrentChange()

    def _run_group(self, items: Sequence[Pending]) -> list[dict[str, Any]] | None:
        """Several commands, each checked and saved as `_execute_one` would, in one SQLite
        transaction with one commit (ledger.application.group_commit). Returns their results,
        or None when any of them was refused or failed: then nothing of the group is stored,
        what it changed in memory is dropped, and the caller runs them one by one."""
        today = self.clock.today()
        touched: list[UnitOfWork] = []
        saved: list[Any] = []
        results: list[dict[str, Any]] = []
        written: list[tuple[int, int]] = []  # (first, last) position of each command's events
        try:
            with self.recorder.immediate() as raw:  # type: ignore[attr-defined]
                cursor = SQLiteCursor(raw)
                hooks = _Cursor(cursor, "sqlite")
                if self._follower is not None:  # under the write lock: nothing changes before the commit
                    self._follower.catch_up(hooks)
                for item in items:
                    if isinstance(item.command, AuditRecord):  # a read's audit record (`_audit_alone`)
                        self.audit.append(hooks, item.command)
                        results.append({})
                        continue
                    earlier = None if item.idempotency is None else self._idempotent_result(item.idempotency, hooks)
                    if earlier is not None:
                        results.append(earlier)
                        continue
                    uow = UnitOfWork(self.repository, today=today, chain_head=lambda: self.chain.head(hooks))
                    touched.append(uow)
                    self._check_role(item.actor, item.command)
                    outcome = HANDLERS[type(item.command)](uow, item.actor, item.command)
                    audit = self._audit_record(item.actor, item.client, item.command, ACCEPTED)
                    saved.extend(aggregate.id for aggregate in outcome.aggregates)
                    span = self._save_in(cursor, outcome.aggregates, result=outcome.result, idempotency=item.idempotency, audit=audit)
                    if span is None:
                        self.audit.append(hooks, audit)
                    else:
                        written.append(span)
                    results.append({**outcome.result, "position": None if span is None else span[1]})
        except StoreBusy:
            raise  # the lock was never had: each command run alone would wait as long again
        except BaseException:
            self.chain.discard()
            self.audit.discard()
            for uow in touched:
                self._forget(uow)
            self._evict(saved)
            return None
        self.audit.committed()
        self._anchor_events()
        if written and self._follower is not None:
            self._follower.wrote(written[0][0], written[-1][1])
        return results

    def _save_in(self, cursor: Any, aggregates: Sequence[Any], **kwargs: Any) -> tuple[int, int] | None:
        """`save` inside the group's open transaction: insert the aggregates' new events (the
        inline hooks run on the same cursor) and keep the aggregates for the next command of
        the group. Returns the positions of the first and the last event, or None when there
        was none."""
        events: list[Any] = []
        for aggregate in aggregates:
            events.extend(aggregate.collect_events())
        if not events:
            return None
        stored = [self.mapper.to_stored_event(e) for e in events]
        ids = self.recorder._insert_events(cursor, stored, **kwargs, new_events=events)  # type: ignore[attr-defined]
        cache = self.repository.cache
        if cache is not None:
            for aggregate in aggregates:
                cache.put(aggregate.id, aggregate)
        return int(ids[0]), int(ids[-1])

    def execute_batch(self, commands: Sequence[tuple[Actor, c.Command]], *, every_problem: bool = False) -> list[dict[str, Any]]:
        """Several commands in one transaction: a bulk load, all or nothing. Each command is
        checked as `execute` checks it, in order, against the state the ones before it left; a
        refusal refuses the whole batch (logged) and nothing is written. By default the first
        refusal is raised as it is; with `every_problem` every item is checked and one
        `BatchRefused` lists every refused item (the office's batches: fix them all at once)."""
        with self._lock, self._write_lock:
            uow = self._unit_of_work()
            results: list[dict[str, Any]] = []
            touched: dict[Any, Any] = {}
            current: c.Command | None = None
            audits: list[AuditRecord] = []
            problems: list[dict[str, Any]] = []
            refused: list[tuple[Actor, c.Command, DomainError]] = []
            try:
                for index, (actor, current) in enumerate(commands):
                    self._check_role(actor, current)  # a role refused is refused for the whole batch (403), not per item
                    try:
                        outcome = HANDLERS[type(current)](uow, actor, current)
                    except DomainError as error:
                        if not every_problem:
                            raise
                        refused.append((actor, current, error))
                        problems.append({"index": index, "command": type(current).__name__, "code": error.code, "detail": error.detail_en, "detail_zh": error.detail_zh, **{k: v for k, v in error.facts.items() if k not in ("index", "command", "code", "detail", "detail_zh")}})
                        continue
                    results.append(outcome.result)
                    audits.append(self._audit_record(actor, None, current, ACCEPTED))
                    touched.update((aggregate.id, aggregate) for aggregate in outcome.aggregates)
                    uow.keep(*outcome.aggregates)
                if refused:
                    actor, current, first = refused[0]
                    raise BatchRefused(
                        f"{len(problems)} of {len(commands)} items refused; first: {first.detail_en}",
                        f"共 {len(commands)} 项，其中 {len(problems)} 项不符合要求，全部未执行。第一项问题：{first.detail_zh}",
                        problems=problems,
                    )
                recordings = self.save(*touched.values(), result={}, idempotency=None, audits=audits)
                self.audit.committed()
                self._anchor_events()
                self._wrote(recordings)
            except DomainError as error:
                self._forget(uow)
                self.log_refusal(actor, type(current).__name__, error.code, error.detail_en, self._audit_record(actor, None, current, REFUSED, error.code))
                raise
            except BaseException:
                self._forget(uow)
                raise
            return results

    def _wrote(self, recordings: Sequence[Any]) -> None:
        """After a commit of this process's own: the follower need not look at these events."""
        if recordings and self._follower is not None:
            self._follower.wrote(recordings[0].notification.id, recordings[-1].notification.id)

    def writing(self) -> AbstractContextManager[Any]:
        """The store's write lock (SQLite; nothing on PostgreSQL), for a write that does not go
        through the ledger's own transactions: a session's last use, an attachment."""
        return self._write_lock

    def aggregates(self) -> UnitOfWork:
        """The aggregates as stored, for a reader that is not a command (the demo builder checks
        what it has built). Nothing read here is saved."""
        with self._lock:
            return self._unit_of_work()

    def _unit_of_work(self) -> UnitOfWork:
        """A command's unit of work, its aggregates read from a cache brought up to date with what
        other processes stored (current while the caller holds the write lock; `aggregates()`,
        which only reads, holds the in-process lock alone)."""
        if self._follower is not None:
            with self._cursor() as cursor:
                self._follower.catch_up(cursor)
        return UnitOfWork(self.repository, today=self.clock.today(), chain_head=self._chain_head)

    @staticmethod
    def _check_role(actor: Actor, command: c.Command) -> None:
        """R-ORG-4: each command names the roles that may issue it."""
        if actor.role not in type(command).roles:
            raise Forbidden(
                f"role {actor.role.value} may not {type(command).__name__}",
                f"角色“{actor.role.value}”无权执行“{type(command).__name__}”",
                role=actor.role.value,
                command=type(command).__name__,
            )

    def log_refusal(self, actor: Actor, command: str, code: str, message: str, audit: AuditRecord | None = None) -> None:
        """R-ORG-4: a refused command writes no domain event, and the refusal is logged (with its
        audit record, in one transaction)."""
        log.info("refused %s for %s (%s): %s %s", command, actor.user_id, actor.role.value, code, message)
        at = self.clock.now_iso()
        with self._lock:
            try:
                with self._cursor(commit=True) as cursor:
                    refusal, mac = log_refusal(cursor, self.key, at, actor.user_id, actor.role.value, command, code, message)
                    if audit is not None:
                        self.audit.append(cursor, audit)
            except BaseException:
                self.audit.discard()
                raise
            self.audit.committed()
        if self.anchors is not None:
            self.anchors.append("refusals", refusal, mac, at)

    # -- the audit log (安全审计日志) ---------------------------------------------------------

    def _audit_record(self, actor: Actor, client: str | None, command: c.Command, outcome: str, code: str | None = None) -> AuditRecord:
        return AuditRecord(
            at=self.clock.now_iso(), user_id=actor.user_id, role=actor.role.value, client=client,
            action=f"command:{type(command).__name__}", target=_target_of(command), outcome=outcome, code=code,
        )  # fmt: skip

    def _audited(self, audit: AuditRecord) -> None:
        """After an accepted command committed: its record was written in the same transaction,
        unless the command stored no event (then in a transaction of its own)."""
        if not self.audit.pending:
            with self._cursor(commit=True) as cursor:
                self.audit.append(cursor, audit)
        self.audit.committed()

    def audit_read(self, actor: Actor, client: str | None, action: str, target: str | None) -> Callable[[], None]:
        """A read of another person's or unit's records: its record is queued for a group commit
        (SQLite) or written at once in a transaction of its own. Returns the wait for it to be
        durable, which the reader calls before it answers: the read itself runs meanwhile, while
        the group commits."""
        record = AuditRecord(at=self.clock.now_iso(), user_id=actor.user_id, role=actor.role.value, client=client, action=action, target=target, outcome=READ)
        if self._grouped():
            return Durable(self._group, self._group.enqueue(None, record, None, None))  # type: ignore[union-attr]
        self._append_alone(record)
        return _written

    def audit_action(self, actor: Actor, client: str | None, action: str, target: str | None) -> None:
        """An accepted action that is not a command (an attachment uploaded), in a transaction of its own."""
        self._audit_alone(AuditRecord(at=self.clock.now_iso(), user_id=actor.user_id, role=actor.role.value, client=client, action=action, target=target, outcome=ACCEPTED))

    def audit_record(self, record: AuditRecord) -> None:
        """A record with no change under it (a refused sign-in or administrator action), in a
        transaction of its own."""
        self._audit_alone(record)

    def write_access(self, change: Callable[[ProjectionCursor], tuple[T, Sequence[AuditRecord]]]) -> T:
        """A change to access (an account, a session, an API token) and its audit records in one
        transaction: `change` writes through the cursor and returns its result and the records."""
        with self._lock:
            try:
                with self._cursor(commit=True) as cursor:
                    result, records = change(cursor)
                    for record in records:
                        self.audit.append(cursor, record)
            except BaseException:
                self.audit.discard()
                raise
            self.audit.committed()
        return result

    def _audit_alone(self, record: AuditRecord) -> None:
        """On SQLite, records arriving together (the reads of several requests) share a group's
        transaction with whatever commands are queued (`group_commit`): one fsync for all, each
        request answered after its record is durable."""
        if self._grouped():
            self._group.submit(None, record, None, None)  # type: ignore[union-attr]
            return
        self._append_alone(record)

    def _append_alone(self, record: AuditRecord) -> None:
        with self._lock:
            try:
                with self._cursor(commit=True) as cursor:
                    self.audit.append(cursor, record)
            except BaseException:
                self.audit.discard()
                raise
            self.audit.committed()

    def _anchor_events(self) -> None:
        """After a command committed: seal the head of the chain outside the database."""
        if self.anchors is None:
            return
        head, self.chain.last_written = self.chain.last_written, None
        if head is not None:
            self.anchors.append("events", head[0], head[1].hex(), head[3], mac=head[2])

    # -- saving: events and inline hooks in one transaction ----------------------------------

    def save(self, *aggregates: Any, **kwargs: Any) -> Any:
        """Save the aggregates' new events in one transaction; `kwargs` reach the inline hooks.

        Same as `Application.save` without its per-object `isinstance` checks against
        runtime-checkable protocols, which cost more than the rest of a command's Python work
        (measured with cProfile, see docs/architecture.md). Snapshotting is not used."""
        processing_event: ProcessingEvent[Any] = ProcessingEvent()
        for aggregate in aggregates:
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        processing_event.saved_kwargs.update(kwargs)
        # The hooks read the domain events themselves, not only their stored form.
        processing_event.saved_kwargs["new_events"] = processing_event.events
        recordings = self._record(processing_event)
        self._notify(recordings)
        return recordings

    def _run_inline_hooks(self, cursor: ProjectionCursor, notification_ids: Sequence[int], kwargs: dict[str, Any]) -> None:
        for hook in self.inline_hooks:
            hook(cursor, notification_ids, kwargs)

    def _forget(self, uow: UnitOfWork) -> None:
        """After a failed command: drop what it may have changed in memory, so the next
        command starts from what is stored (the aggregates and the projector's row cache)."""
        for hook in self.inline_hooks:
            getattr(hook, "discard", lambda: None)()
        self._evict(uow.touched)

    def _evict(self, aggregate_ids: Sequence[Any]) -> None:
        if self.repository.cache is not None:
            evict(self.repository.cache, aggregate_ids)

    def _idempotent_result(self, idempotency: tuple[str, str, str], cursor: Any = None) -> dict[str, Any] | None:
        """The stored result of a retried command (marked replayed), or None; read on `cursor`
        (a group's open transaction) or in a read of its own."""
        key, user, fingerprint = idempotency
        if cursor is None:
            with self._cursor() as own:
                found = IdempotencyKeys.find(own, key, user)
        else:
            found = IdempotencyKeys.find(cursor, key, user)
        if found is None:
            return None
        if found[0] != fingerprint:
            raise IdempotencyKeyReused(idem_key=key)
        return {**found[1], "replayed": True}

    # -- plumbing --------------------------------------------------------------------------

    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    @contextmanager
    def _cursor(self, commit: bool = False) -> Iterator[_Cursor]:
        """A transaction: read-only, or `commit`ted at the end (the caller holds the writer lock).
        On SQLite a writing one runs on the writer connection and begins `IMMEDIATE`, taking the
        database's write lock before its first read: a transaction that read first and wrote
        later fails at once ("database is locked") when another process committed in between."""
        if commit and self.database.dialect == "sqlite":
            with self.recorder.immediate() as raw:  # type: ignore[attr-defined]
                yield _Cursor(SQLiteCursor(raw), "sqlite")
            return
        with self.recorder.datastore.transaction(commit=commit) as raw:  # type: ignore[attr-defined]
            yield _Cursor(raw, self.database.dialect)

    def log_position(self) -> int:
        """The position of the last event stored (0 for an empty log)."""
        return self._chain_head()[0]

    def _chain_head(self) -> tuple[int, bytes]:
        with self._cursor() as cursor:
            return self.chain.head(cursor)

    def close(self) -> None:
        if self.anchors is not None:
            self.anchors.close()
        close_writer = getattr(self.recorder, "close_writer", None)
        if close_writer is not None:
            close_writer()
            self._write_lock.close()  # type: ignore[attr-defined]
        super().close()

    def rebuild_read_models(self, rebuild: Callable[..., int], progress: Callable[[int, int], None] | None = None) -> int:
        """Replay the whole log into the read models in one transaction, no command running.
        `rebuild(cursor, recorder, mapper, read models, progress)`; `progress(events replayed,
        events in the log)` is passed on when given."""
        with self._lock, self._cursor(commit=True) as cursor:
            if progress is None:
                return rebuild(cursor, self.recorder, self.mapper, self.read_models)
            return rebuild(cursor, self.recorder, self.mapper, self.read_models, progress)

    # -- tamper evidence (R-AUDIT-1) -------------------------------------------------------

    def chain_backfill(self) -> int:
        """Link events stored before the chain existed; returns how many. Run at start-up."""
        with self._lock, self._cursor(commit=True) as cursor:
            count = audit.backfill(self.recorder, self.mapper, cursor, self.key)
        self.chain.discard()
        return count

    def seal_existing(self) -> None:
        """Once, when the anchor file is created: seal the links and refusals stored before
        records were sealed, and anchor the heads as they stand."""
        with self._lock, self._cursor(commit=True) as cursor:
            audit.seal_links(cursor, self.key)
            refusals_head = seal_refusals(cursor, self.key)
            head = self.chain.head(cursor)
        if self.anchors is not None:
            at = self.clock.now_iso()
            if head[0]:
                self.anchors.append("events", head[0], head[1].hex(), at)
            if refusals_head is not None:
                self.anchors.append("refusals", refusals_head[0], refusals_head[1], at)

    def verify(self, expected: Sequence[tuple[int, str]] = (), progress: Callable[[int, int], None] | None = None) -> audit.Report:
        """Recompute the hash chain over the stored log and check it against the stored links,
        every published bulletin's digest, and any digests copied from printed bulletins.
        `progress(events checked, events in the log)` is called as the chain is recomputed."""
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
        report = audit.verify(self.recorder, self._cursor, anchors, key=self.key, anchor_file=self.anchors, progress=progress)
        with self._cursor() as cursor:
            for kind, detail in [*verify_refusals(cursor, self.key, self.anchors), *verify_audit_log(cursor, self.key, self.anchors)]:
                report.problems.append(audit.Problem(0, kind, detail))
        return report


def _target_of(command: c.Command) -> str | None:
    """What a command is about, as the audit log names it: the entry, sheet, person, unit or
    target it names first."""
    for name in ("entry_id", "sheet", "person", "unit", "target", "code", "number", "period"):
        value = getattr(command, name, None)
        if isinstance(value, str):
            return value
    year = getattr(command, "year", None)
    return None if year is None else str(year)
