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
from typing import Any, Callable, Sequence

import orjson
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from ledger import commands as c
from ledger.actors import Actor, Role
from ledger.errors import (
    AlreadyExists,
    ConcurrentChange,
    DomainError,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    NotOnPanel,
    NotUnitHead,
    PlanNotFound,
    ResponsibleNotInUnit,
    ResponsibleRequired,
    FormNumberRequired,
    SheetNotFound,
)
from ledger.numbers import parse_points
from ledger.periods import PeriodKind, Track, TRACK_PERIOD_KIND, parse_period, period_of, sheet_code, split_entry_id
from ledger.plan import DEFAULT_POLICY, TRACK_UNIT_KIND, TRACKS_OF_KIND, YearPlan
from ledger.review import AnnualReview
from ledger.roster import Roster, UnitKind
from ledger.sheet import Sheet, SheetStatus, Source, sheet_id
from ledger.store import Database, DateAsISO, _Cursor

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
        self.inline_hooks: list[Callable[..., None]] = [self._write_idempotency]

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

    def get(self, cls: type[Any], aggregate_id: Any) -> Any:
        self._touched.append(aggregate_id)
        return self.repository.get(aggregate_id)

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


# == roster ===================================================================================


@handles(c.RegisterUnit)
def _register_unit(app: Ledger, actor: Actor, cmd: c.RegisterUnit) -> Outcome:
    roster = app.roster()
    roster.register_unit(cmd.code, cmd.name, cmd.kind, cmd.registered_on, actor.stamp())
    return Outcome(roster, unit=cmd.code)


@handles(c.AppointHead)
def _appoint_head(app: Ledger, actor: Actor, cmd: c.AppointHead) -> Outcome:
    roster = app.roster()
    roster.appoint_head(cmd.unit, cmd.person, cmd.effective_from, actor.stamp())
    return Outcome(roster, unit=cmd.unit, head=cmd.person)


@handles(c.EnrolPerson)
def _enrol_person(app: Ledger, actor: Actor, cmd: c.EnrolPerson) -> Outcome:
    roster = app.roster()
    roster.enrol_person(
        cmd.code, cmd.name, cmd.gender, cmd.birth_date, cmd.unit, cmd.tier, cmd.position_grade, cmd.joined_on, cmd.in_authority, actor.stamp()
    )
    return Outcome(roster, person=cmd.code)


@handles(c.TransferPerson)
def _transfer_person(app: Ledger, actor: Actor, cmd: c.TransferPerson) -> Outcome:
    roster = app.roster()
    roster.transfer_person(cmd.person, cmd.unit, cmd.effective_from, actor.stamp())
    return Outcome(roster, person=cmd.person, unit=cmd.unit)


@handles(c.ChangePosition)
def _change_position(app: Ledger, actor: Actor, cmd: c.ChangePosition) -> Outcome:
    roster = app.roster()
    roster.change_position(cmd.person, cmd.tier, cmd.position_grade, actor.stamp())
    return Outcome(roster, person=cmd.person)


@handles(c.SetAuthority)
def _set_authority(app: Ledger, actor: Actor, cmd: c.SetAuthority) -> Outcome:
    roster = app.roster()
    roster.set_authority(cmd.person, cmd.in_authority, actor.stamp())
    return Outcome(roster, person=cmd.person)


@handles(c.RecordDeparture)
def _record_departure(app: Ledger, actor: Actor, cmd: c.RecordDeparture) -> Outcome:
    roster = app.roster()
    roster.record_departure(cmd.person, cmd.left_on, actor.stamp())
    return Outcome(roster, person=cmd.person)


# == plan =====================================================================================


@handles(c.PlanYear)
def _plan_year(app: Ledger, actor: Actor, cmd: c.PlanYear) -> Outcome:
    try:
        app.plan(cmd.year)
    except PlanNotFound:
        return Outcome(YearPlan(year=cmd.year, policy=dict(DEFAULT_POLICY), actor=actor.stamp()), year=cmd.year)
    raise AlreadyExists(f"the {cmd.year} plan exists", f"{cmd.year} 年度考核方案已存在", year=cmd.year)


@handles(c.ChangePolicy)
def _change_policy(app: Ledger, actor: Actor, cmd: c.ChangePolicy) -> Outcome:
    plan = app.plan(cmd.year)
    plan.change_policy(cmd.key, cmd.value, cmd.reason, cmd.decision_ref, cmd.effective_from, actor.stamp())
    return Outcome(plan, year=cmd.year, key=cmd.key, value=plan.policy[cmd.key])


def _new_sheet(roster: Roster, plan: YearPlan, target: str, period_code: str, track: Track, actor: Actor) -> Sheet:
    period = parse_period(period_code)
    if track is Track.MONTHLY:
        unit = roster.unit_of(target, period.assessment_day) or roster.unit_of(target, period.end)
        if unit is None or not roster.person(target)["in_authority"]:
            raise InvalidInput(
                f"{target} is not assessed in {period_code}", f"{target} 在 {period_code} 不在考核范围内", target=target, period=period_code
            )
        kind = "person"
    else:
        if roster.unit(target)["kind"] != TRACK_UNIT_KIND[track].value:
            raise InvalidInput(f"{target} has no {track.value} sheets", f"{target} 不适用该类考核表", target=target, track=track.value)
        unit, kind = target, "unit"
    return Sheet(
        code=sheet_code(target, period_code, track),
        target_kind=kind,
        target=target,
        unit=unit,
        period=period_code,
        track=track.value,
        items=plan.items_for(period_code, track),
        actor=actor.stamp(),
    )


@handles(c.OpenPeriod)
def _open_period(app: Ledger, actor: Actor, cmd: c.OpenPeriod) -> Outcome:
    """R-PLAN-1, R-SHEET-1: open the period and a sheet for every target in it."""
    period = parse_period(cmd.period)
    plan = app.plan(period.year)
    roster = app.roster()
    items = {track.value: [i.model_dump() for i in lst] for track, lst in cmd.items.items()}
    plan.open_period(period, items, [p.model_dump() for p in cmd.panels], roster, actor.stamp())
    sheets: list[Sheet] = []
    for track in TRACKS_OF_KIND[period.kind]:
        if track is Track.MONTHLY:
            # R-STAFF-1: a sheet for each person on the roster on the month's assessment day;
            # R-STAFF-5: none for a person exempted from daily assessment.
            exempt = app.exempt_persons(period.year)
            targets = [p for p in roster.persons if roster.is_assessed(p, period.assessment_day) and p not in exempt]
        else:
            kind = TRACK_UNIT_KIND[track].value
            targets = [u for u, d in roster.units.items() if d["kind"] == kind and d["registered_on"] <= period.end]
        sheets.extend(_new_sheet(roster, plan, t, period.code, track, actor) for t in targets)
    return Outcome(plan, *sheets, period=period.code, sheets=len(sheets))


@handles(c.OpenSheet)
def _open_sheet(app: Ledger, actor: Actor, cmd: c.OpenSheet) -> Outcome:
    period = parse_period(cmd.period)
    if TRACK_PERIOD_KIND[cmd.track] is not period.kind:
        raise InvalidInput(f"{cmd.track.value} sheets are not kept per {period.kind.value}", "考核类别与考核期不符", field="track")
    plan = app.plan(period.year)
    plan.period(period.code)
    code = sheet_code(cmd.target, period.code, cmd.track)
    if cmd.track is Track.MONTHLY and cmd.target in app.exempt_persons(period.year):
        raise InvalidInput(f"{cmd.target} is exempt from daily assessment in {period.year}", f"{cmd.target} 已获批免于 {period.year} 年度日常考核", target=cmd.target)
    try:
        app.sheet(code)
    except SheetNotFound:
        return Outcome(_new_sheet(app.roster(), plan, cmd.target, period.code, cmd.track, actor), sheet=code)
    raise AlreadyExists(f"sheet {code} exists", f"考核表 {code} 已存在", sheet=code)


# == sheet lifecycle (R-SHEET-3) ==============================================================


def _check_sheet_actor(app: Ledger, actor: Actor, sheet: Sheet) -> None:
    """Who may submit or publish this sheet: the assessing department's panel member for a
    unit sheet, the head of the person's unit for a monthly sheet, the office for any."""
    if actor.role is Role.OFFICE:
        return
    if actor.role is Role.ASSESSOR:
        if sheet.target_kind != "unit" or not app.plan(parse_period(sheet.period).year).assessor_may_assess(sheet.period, actor.person, sheet.target):
            raise NotOnPanel(sheet=sheet.code, assessor=actor.person)
        return
    if actor.role is Role.UNIT_HEAD:
        if sheet.target_kind != "person":
            raise NotUnitHead(sheet=sheet.code)
        period = parse_period(sheet.period)
        roster = app.roster()
        if actor.person not in {roster.head_of(sheet.unit, period.start), roster.head_of(sheet.unit, period.assessment_day)}:
            raise NotUnitHead(sheet=sheet.code, unit=sheet.unit)


@handles(c.SubmitSheet)
def _submit_sheet(app: Ledger, actor: Actor, cmd: c.SubmitSheet) -> Outcome:
    sheet = app.sheet(cmd.sheet)
    _check_sheet_actor(app, actor, sheet)
    sheet.submit(actor.stamp())
    return Outcome(sheet, sheet=sheet.code, status=sheet.status)


@handles(c.PublishSheet)
def _publish_sheet(app: Ledger, actor: Actor, cmd: c.PublishSheet) -> Outcome:
    sheet = app.sheet(cmd.sheet)
    _check_sheet_actor(app, actor, sheet)
    sheet.publish(actor.stamp())
    return Outcome(sheet, sheet=sheet.code, status=sheet.status)


@handles(c.ReopenSheet)
def _reopen_sheet(app: Ledger, actor: Actor, cmd: c.ReopenSheet) -> Outcome:
    sheet = app.sheet(cmd.sheet)
    sheet.reopen(cmd.reason, cmd.decision_ref, actor.stamp())
    return Outcome(sheet, sheet=sheet.code, status=sheet.status)


# == deductions ===============================================================================


def _unit_track(kind: str, requested: Track | None) -> Track:
    if kind == UnitKind.DEPARTMENT.value:
        if requested not in (None, Track.HALF):
            raise InvalidInput("a department has only half-year sheets", "机关科室只有半年考核表", field="track")
        return Track.HALF
    if requested not in (Track.KEY, Track.ROUTINE):
        raise InvalidInput("for a branch, track is 'key' or 'routine'", "对分局扣分须指明 key（重点工作）或 routine（常规性工作）", field="track")
    return requested


def _cascade(
    app: Ledger,
    roster: Roster,
    unit: str,
    parent_id: str,
    points: Any,
    responsible: Sequence[c.Responsible],
    basis: str,
    occurred_on: Any,
    actor: Actor,
) -> tuple[list[Sheet], list[str]]:
    """R-CASCADE-1: each responsible person is deducted the same points (or the points stated
    for them) in their monthly sheet for the month the fact occurred, linked to the unit entry."""
    if not responsible:
        raise ResponsibleRequired(unit=unit)
    seen: set[str] = set()
    sheets: list[Sheet] = []
    ids: list[str] = []
    month = period_of(occurred_on, PeriodKind.MONTH).code
    for r in responsible:
        if r.person in seen:
            raise InvalidInput(f"{r.person} is named twice", f"责任人 {r.person} 重复", field="responsible")
        seen.add(r.person)
        roster.person(r.person)
        if roster.unit_of(r.person, occurred_on) != unit and roster.head_of(unit, occurred_on) != r.person:
            raise ResponsibleNotInUnit(person=r.person, unit=unit, occurred_on=str(occurred_on))
        person_points = parse_points(r.points, field="responsible.points") if r.points is not None else points
        sheet = app.sheet(sheet_code(r.person, month, Track.MONTHLY))
        ids.append(
            sheet.record_deduction(
                points=person_points,
                item=None,
                basis=basis,
                occurred_on=occurred_on,
                source=Source.CASCADE,
                form_no=None,
                attachments=[],
                cascaded_from=parent_id,
                cascaded_to=[],
                amends=None,
                actor=actor.stamp(),
            )
        )
        sheets.append(sheet)
    return sheets, ids


@handles(c.RecordDeduction)
def _record_deduction(app: Ledger, actor: Actor, cmd: c.RecordDeduction) -> Outcome:
    """R-SHEET-4 by an assessor (R-SHEET-5), a unit head, or the supervision office (R-SUP-1)."""
    points = parse_points(cmd.points)
    if (cmd.unit is None) == (cmd.person is None):
        raise InvalidInput("name exactly one of unit or person", "须且仅须指明一个被扣分单位或人员", field="unit")
    roster = app.roster()
    if actor.role is Role.SUPERVISION:
        if not (cmd.form_no or "").strip():
            raise FormNumberRequired()
        source = Source.SUPERVISION
    if cmd.unit is not None:
        unit = roster.unit(cmd.unit)
        track = _unit_track(unit["kind"], cmd.track)
        period = period_of(cmd.occurred_on, TRACK_PERIOD_KIND[track])
        if actor.role is Role.ASSESSOR:
            if not app.plan(period.year).assessor_may_assess(period.code, actor.person, cmd.unit):
                raise NotOnPanel(period=period.code, unit=cmd.unit, assessor=actor.person)
            source = Source.ASSESSMENT
        elif actor.role is not Role.SUPERVISION:
            raise Forbidden("only an assessor or the supervision office deducts a unit", "只有考核人员或监察室可以对单位扣分")
        sheet = app.sheet(sheet_code(cmd.unit, period.code, track))
        entry_id = sheet.next_entry_id()
        person_sheets, cascade_ids = _cascade(app, roster, cmd.unit, entry_id, points, cmd.responsible, cmd.basis, cmd.occurred_on, actor)
    else:
        if cmd.responsible:
            raise InvalidInput("responsible persons are named only for a unit deduction", "只有对单位扣分才需指明责任人", field="responsible")
        roster.person(cmd.person)
        period = period_of(cmd.occurred_on, PeriodKind.MONTH)
        sheet = app.sheet(sheet_code(cmd.person, period.code, Track.MONTHLY))
        if actor.role is Role.UNIT_HEAD:
            if actor.person not in {roster.head_of(sheet.unit, cmd.occurred_on), roster.head_of(sheet.unit, period.assessment_day)}:
                raise NotUnitHead(person=cmd.person, unit=sheet.unit)
            source = Source.UNIT_REVIEW
        elif actor.role is not Role.SUPERVISION:
            raise Forbidden("only the unit head or the supervision office deducts a person", "只有单位主要负责人或监察室可以对人员扣分")
        person_sheets, cascade_ids = [], []
    entry_id = sheet.record_deduction(
        points=points,
        item=cmd.item,
        basis=cmd.basis,
        occurred_on=cmd.occurred_on,
        source=source,
        form_no=(cmd.form_no or None),
        attachments=cmd.attachments,
        cascaded_from=None,
        cascaded_to=cascade_ids,
        amends=None,
        actor=actor.stamp(),
    )
    return Outcome(sheet, *person_sheets, entry_id=entry_id, cascaded=cascade_ids)


@handles(c.RecordMissedDeduction)
def _record_missed(app: Ledger, actor: Actor, cmd: c.RecordMissedDeduction) -> Outcome:
    """R-CASCADE-2: the person is deducted p; the head who failed to deduct, 2 × p."""
    points = parse_points(cmd.points)
    roster = app.roster()
    roster.person(cmd.person)
    unit = roster.unit_of(cmd.person, cmd.occurred_on)
    if unit is None:
        raise InvalidInput(f"{cmd.person} was not on the roster on {cmd.occurred_on}", f"{cmd.person} 当日不在册", field="occurred_on")
    head = roster.head_of(unit, cmd.occurred_on)
    if head is None:
        raise InvalidInput(f"unit {unit} had no head on {cmd.occurred_on}", f"单位 {unit} 当日无主要负责人", field="occurred_on")
    person_sheet = app.sheet(sheet_code(cmd.person, period_of(cmd.occurred_on, PeriodKind.MONTH).code, Track.MONTHLY))
    head_sheet = app.sheet(sheet_code(head, period_of(cmd.found_on, PeriodKind.MONTH).code, Track.MONTHLY))
    same = head_sheet is person_sheet
    finding_id = person_sheet.next_entry_id(1 if same else 0)
    double_id = head_sheet.record_deduction(
        points=points * 2,
        item=None,
        basis=f"应扣未扣加倍扣分：{cmd.basis}",
        occurred_on=cmd.found_on,
        source=Source.MISSED_DOUBLE,
        form_no=None,
        attachments=[],
        cascaded_from=finding_id,
        cascaded_to=[],
        amends=None,
        actor=actor.stamp(),
    )
    recorded = person_sheet.record_deduction(
        points=points,
        item=None,
        basis=cmd.basis,
        occurred_on=cmd.occurred_on,
        source=Source.MISSED_FINDING,
        form_no=None,
        attachments=[],
        cascaded_from=None,
        cascaded_to=[double_id],
        amends=None,
        actor=actor.stamp(),
    )
    assert recorded == finding_id, (recorded, finding_id)
    return Outcome(person_sheet, *([] if same else [head_sheet]), entry_id=finding_id, head=head, head_entry_id=double_id)


# == corrections (R-FIX-1) ====================================================================


def _reverse_with_followers(
    app: Ledger, entry_id: str, reason: str, decision_ref: str, amended_by: str | None, actor: Actor
) -> tuple[Sheet, dict[str, Any], list[Sheet], list[str]]:
    code, no = split_entry_id(entry_id)
    sheet = app.sheet(code)
    entry = dict(sheet.entry(no))
    sheet.reverse_entry(no, reason=reason, decision_ref=decision_ref, amended_by=amended_by, following=None, actor=actor.stamp())
    followers: list[Sheet] = []
    reversed_ids = [entry_id]
    for follower_id in entry["cascaded_to"]:
        f_code, f_no = split_entry_id(follower_id)
        f_sheet = sheet if f_code == code else app.sheet(f_code)
        if f_sheet.entry(f_no)["reversed"]:
            continue
        f_sheet.reverse_entry(f_no, reason=reason, decision_ref=decision_ref, amended_by=None, following=entry_id, actor=actor.stamp())
        if f_sheet is not sheet and f_sheet not in followers:
            followers.append(f_sheet)
        reversed_ids.append(follower_id)
    return sheet, entry, followers, reversed_ids


@handles(c.ReverseEntry)
def _reverse_entry(app: Ledger, actor: Actor, cmd: c.ReverseEntry) -> Outcome:
    """R-FIX-1 with R-CASCADE-1: the entry and everything cascaded from it stop counting, at once."""
    sheet, _, followers, reversed_ids = _reverse_with_followers(app, cmd.entry_id, cmd.reason, cmd.decision_ref, None, actor)
    return Outcome(sheet, *followers, reversed=reversed_ids)


@handles(c.AmendEntry)
def _amend_entry(app: Ledger, actor: Actor, cmd: c.AmendEntry) -> Outcome:
    """R-FIX-1: an amendment is a reversal plus a linked replacement; cascades follow."""
    points = parse_points(cmd.points)
    code, no = split_entry_id(cmd.entry_id)
    sheet = app.sheet(code)
    # A finding about a unit head is doubled on the head's own sheet: when that is this very
    # sheet, the replacement's number comes after the doubled entries recorded first.
    same_sheet = sum(1 for f in sheet.entry(no)["cascaded_to"] if split_entry_id(f)[0] == code)
    new_id = sheet.next_entry_id(same_sheet)
    sheet, old, followers, reversed_ids = _reverse_with_followers(app, cmd.entry_id, cmd.reason, cmd.decision_ref, new_id, actor)
    source = Source(old["source"])
    basis = cmd.basis or old["basis"]
    item = cmd.item if cmd.item is not None else old["item"]
    touched: list[Sheet] = list(followers)
    cascade_ids: list[str] = []
    if source in (Source.ASSESSMENT, Source.SUPERVISION) and sheet.target_kind == "unit":
        roster = app.roster()
        responsible = cmd.responsible
        if responsible is None:
            responsible = [c.Responsible(person=app.sheet(split_entry_id(i)[0]).target) for i in old["cascaded_to"]]
        person_sheets, cascade_ids = _cascade(app, roster, sheet.target, new_id, points, responsible, basis, old["occurred_on"], actor)
        touched.extend(s for s in person_sheets if s not in touched)
    elif source is Source.MISSED_FINDING:
        for follower_id in old["cascaded_to"]:
            f_sheet = app.sheet(split_entry_id(follower_id)[0])
            cascade_ids.append(
                f_sheet.record_deduction(
                    points=points * 2,
                    item=None,
                    basis=f"应扣未扣加倍扣分：{basis}",
                    occurred_on=f_sheet.entry(split_entry_id(follower_id)[1])["occurred_on"],
                    source=Source.MISSED_DOUBLE,
                    form_no=None,
                    attachments=[],
                    cascaded_from=new_id,
                    cascaded_to=[],
                    amends=follower_id,
                    actor=actor.stamp(),
                )
            )
            if f_sheet is not sheet and f_sheet not in touched:
                touched.append(f_sheet)
    elif cmd.responsible:
        raise InvalidInput("responsible persons are named only for a unit deduction", "只有对单位扣分才需指明责任人", field="responsible")
    elif source in (Source.CASCADE, Source.MISSED_DOUBLE):
        raise AssertionError("unreachable: a cascaded entry is refused by reverse_entry")
    recorded = sheet.record_deduction(
        points=points,
        item=item,
        basis=basis,
        occurred_on=old["occurred_on"],
        source=source,
        form_no=old["form_no"],
        attachments=[],
        cascaded_from=None,
        cascaded_to=cascade_ids,
        amends=cmd.entry_id,
        actor=actor.stamp(),
    )
    assert recorded == new_id, (recorded, new_id)
    return Outcome(sheet, *[s for s in touched if s is not sheet], entry_id=new_id, reversed=reversed_ids, cascaded=cascade_ids)


# The annual review's handlers register themselves with `handles` when imported.
from ledger import annual_handlers  # noqa: E402,F401
