"""The read policy (R-ORG-4, R-Q-1): what every route reads, and who may read it, in one place.

Each route declares what it reads with one dependency, `Depends(reads(rule, ...))`:

    PUBLIC              no token: /health and the OpenAPI document and pages
    SIGNED_IN           any actor: the actor itself (/me)
    BUREAU              any member of the bureau: what the bureau publishes to all its members (not
                        the security auditor, who sees no business data)
    AUDITOR             the security auditor only: the audit log
    ADMIN               the system administrator only: users and API tokens
    COMMAND             any actor; the command's own roles decide in the ledger, which logs a refusal
    OVERSIGHT           the roles that read everything (office, oversight roles, viewer; not assessors)

A read of anyone's records but the reader's own, and of a whole-bureau (OVERSIGHT) list, is
written to the audit log (ledger/adapters/audit_log.py) before the route answers.
    Target(p)           a person or unit named by parameter p, with the unit it belongs to
    Person(p), Unit(p)  the same, where p names one kind
    Ledger(p)           a target's scoring ledger for a year, with the unit it belongs to
    Own(p)              a person's or unit's own records, read without their unit
    TargetIn(p, unit=u) a target's records within the unit named by parameter u
    Members(p)          the records of everyone in unit p at once
    UnitResults(p)      a unit's annual results (and their trace, history, vetoes): its head only
    Sheet(p), Entry(p), Dispute(p)   the record named by p, with its target and unit
    Attachment(p)       a file, as the entry or bonus claim resting on it

Rules given together are alternatives: the first whose parameter the request names decides, so
`reads(Members("unit"), OVERSIGHT)` reads one unit's list when `?unit=` is given and the whole
bureau's (oversight only) when it is not. A request no rule covers is refused.

`ledger.domain.access` decides a subject rule. What is read is looked up as of the view the request
reads (a record that did not exist then is not found); where the reader stands (their unit, the
units they head) as it is now. A path parameter names a record that must exist (its not-found
error, as the route would raise); a query parameter is a filter, and one naming nothing is read as
a target of no unit. The roles that read everything pass before any lookup.

The dependency keeps its rules (`read_rules`); `rules_of(route)` finds every route's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR
from typing import Any, Callable, NamedTuple

from fastapi import FastAPI, Request
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute

from api.deps import ActorDep, ServiceDep, ViewDep
from api.routing import before_route
from ledger.domain.access import may_read_target, may_read_unit_members, may_read_unit_results, reads_everything
from ledger.domain.actors import Role
from ledger.domain.actors import Actor
from ledger.domain.errors import Forbidden, NotFound, PersonNotFound, UnitNotFound
from ledger.domain.periods import annual_cutoff
from projections.queries import Queries

# -- the rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """A rule on the actor alone."""

    name: str
    token: bool = True  # False: no actor is needed
    oversight: bool = False  # True: only the roles that read everything
    roles: frozenset[Role] | None = None  # only these roles
    refused: frozenset[Role] = frozenset()  # every role but these

    def __repr__(self) -> str:
        return self.name


PUBLIC = Gate("PUBLIC", token=False)
SIGNED_IN = Gate("SIGNED_IN")  # any actor, the security auditor too: who am I
# The bureau's own members: the security auditor and the system administrator see no business data.
BUREAU = Gate("BUREAU", refused=frozenset({Role.SECURITY_AUDITOR, Role.SYSTEM_ADMIN}))
COMMAND = Gate("COMMAND")
OVERSIGHT = Gate("OVERSIGHT", oversight=True)
AUDITOR = Gate("AUDITOR", roles=frozenset({Role.SECURITY_AUDITOR}))  # the audit log: the security auditor only
ADMIN = Gate("ADMIN", roles=frozenset({Role.SYSTEM_ADMIN}))  # users and API tokens: the system administrator only


class Subject(NamedTuple):
    """What a request reads: a person's or unit's records and the unit they belong to (None: no
    unit); `target` None: the records of everyone in `unit`. `results`: the unit's annual results."""

    target: str | None
    unit: str | None
    results: bool = False


@dataclass(frozen=True)
class Asked:
    """One request as the subject rules see it: its parameters, and the view it reads."""

    request: Request
    queries: Queries

    def value(self, param: str) -> str | None:
        return self.request.path_params.get(param, self.request.query_params.get(param))

    def in_path(self, param: str) -> bool:
        return param in self.request.path_params

    def year(self, param: str) -> int:
        """The year the request names (the current year when it names none). The policy runs
        before the route validates its parameters: a year that is not one reads as the current
        year here, and the route then refuses it (422)."""
        try:
            year = int(self.value(param) or "")
        except ValueError:
            year = 0
        return year if MINYEAR <= year <= MAXYEAR else self.queries.clock.today().year


@dataclass(frozen=True)
class About:
    """A rule on a subject named by one request parameter."""

    param: str

    def subject(self, code: str, asked: Asked) -> Subject:
        raise NotImplementedError

    def find(self, code: str, asked: Asked) -> Subject:
        try:
            return self.subject(code, asked)
        except NotFound:
            if asked.in_path(self.param):
                raise
            return Subject(code, None)  # a filter naming nothing: only the roles that read everything


@dataclass(frozen=True)
class Target(About):
    """A person or a unit: a unit belongs to itself, a person to their unit now."""

    def subject(self, code: str, asked: Asked) -> Subject:
        return Subject(code, asked.queries.unit_of(code))


@dataclass(frozen=True)
class Person(About):
    """A person: with `year` (the parameter naming a year), in the unit they belong to on that
    year's cut-off (R-ORG-3: where the year's result places them); without, in their unit now.
    A path naming nobody is PERSON_NOT_FOUND."""

    year: str | None = None

    def subject(self, code: str, asked: Asked) -> Subject:
        on = None if self.year is None else annual_cutoff(asked.year(self.year))
        return Subject(code, asked.queries.unit_of_person(code, on))


@dataclass(frozen=True)
class Ledger(About):
    """A person's or unit's scoring ledger (评分登记表) for the year named by `year` (the current
    year when absent): it belongs to the unit of the target's first sheet that year, or for a
    year without sheets to the target's unit now."""

    year: str = "year"

    def subject(self, code: str, asked: Asked) -> Subject:
        unit = asked.queries.first_sheet_unit(code, asked.year(self.year))
        return Subject(code, unit if unit is not None else asked.queries.unit_of(code))


@dataclass(frozen=True)
class Unit(About):
    """A unit's own records; a path naming no unit is UNIT_NOT_FOUND."""

    def subject(self, code: str, asked: Asked) -> Subject:
        if not asked.queries.has_unit(code):
            raise UnitNotFound(f"unknown unit {code!r}", f"单位不存在：{code!r}", unit=code)
        return Subject(code, code)


@dataclass(frozen=True)
class Own(About):
    """A person's or unit's own records (bonus claims, evaluations), read without their unit: the
    person themselves, or a unit's staff and head; a head does not read a member's through the unit."""

    def subject(self, code: str, asked: Asked) -> Subject:
        return Subject(code, None)


@dataclass(frozen=True)
class TargetIn(About):
    """A target's records within the unit named by the parameter `unit` (no unit when it is absent):
    the unit's head reads them, as the rows returned are only that unit's."""

    unit: str = "unit"

    def subject(self, code: str, asked: Asked) -> Subject:
        return Subject(code, asked.value(self.unit))


@dataclass(frozen=True)
class Members(About):
    """The records of everyone in a unit at once (`ledger.domain.access.may_read_unit_members`)."""

    def subject(self, code: str, asked: Asked) -> Subject:
        return Subject(None, code)


@dataclass(frozen=True)
class UnitResults(About):
    """A unit's annual results (`ledger.domain.access.may_read_unit_results`); in a path, a unit
    that exists."""

    def subject(self, code: str, asked: Asked) -> Subject:
        if asked.in_path(self.param) and not asked.queries.has_unit(code):
            raise UnitNotFound(f"unknown unit {code!r}", f"单位不存在：{code!r}", unit=code)
        return Subject(None, code, results=True)


@dataclass(frozen=True)
class Sheet(About):
    """A sheet (考核表): its target, and the unit it belongs to."""

    def subject(self, code: str, asked: Asked) -> Subject:
        return Subject(**asked.queries.sheet_owner(code))


@dataclass(frozen=True)
class Entry(About):
    """An entry (扣分记录): its target, and the unit it belongs to."""

    def subject(self, code: str, asked: Asked) -> Subject:
        return Subject(**asked.queries.entry_owner(code))


@dataclass(frozen=True)
class Dispute(About):
    """A dispute (申诉) on an entry: the disputed target, and the entry's unit."""

    def subject(self, code: str, asked: Asked) -> Subject:
        return Subject(**asked.queries.dispute_owner(code))


@dataclass(frozen=True)
class Attachment(About):
    """An attachment (附件): whoever may read an entry or bonus claim resting on it; one nothing
    rests on yet, the roles that read everything (its uploader keeps their own copy)."""

    def subject(self, code: str, asked: Asked) -> Subject:
        owner = asked.queries.attachment_owner(code)
        if owner is None:
            return Subject(code, None)
        unit = owner["unit"] if owner["unit"] is not None else asked.queries.unit_of(owner["target"])
        return Subject(owner["target"], unit)


Rule = Gate | About

# -- deciding --------------------------------------------------------------------------------


def _standing(actor: Actor, queries: Queries) -> tuple[str | None, frozenset[str], frozenset[str]]:
    """Where the reader stands now: their unit, the units they head, the units on their panels."""
    if actor.person is None:
        return None, frozenset(), frozenset()
    try:
        unit = queries.unit_of_person(actor.person)
    except PersonNotFound:
        unit = None  # a user linked to no person on the roster reads only what its role allows
    assessed = queries.units_assessed_by(actor.person) if actor.role is Role.ASSESSOR else frozenset()
    return unit, queries.units_headed_by(actor.person), assessed


def _decide(rules: tuple[Rule, ...], actor: Actor, asked: Asked | None, live: Queries | None) -> tuple[bool, str | None]:
    """Refuses, or answers (whether the read is audited, the target it names): a read of anyone's
    records but the reader's own, or of a whole-bureau list, goes to the audit log."""
    for rule in rules:
        if isinstance(rule, Gate):
            if rule.oversight and not reads_everything(actor):
                raise Forbidden("this list is for the office and oversight roles", "该列表仅供考核办公室及监督角色查看")
            if (rule.roles is not None and actor.role not in rule.roles) or actor.role in rule.refused:
                raise Forbidden(f"{actor.role.value} may not read this", f"角色“{actor.role.value}”无权查看该内容", role=actor.role.value)
            return rule.oversight, None
        assert asked is not None and live is not None
        code = asked.value(rule.param)
        if code is None:
            continue  # an absent filter: the next rule decides
        audited = code != actor.person
        if reads_everything(actor):
            return audited, code
        subject = rule.find(code, asked)
        actor_unit, headed, assessed = _standing(actor, live)
        if subject.results:
            if not may_read_unit_results(actor, subject.unit or "", headed):
                raise Forbidden(
                    f"{actor.role.value} may not read the results of {subject.unit}", f"无权查看 {subject.unit} 的年度考核结果", unit=subject.unit
                )
        elif subject.target is None:
            if not may_read_unit_members(actor, subject.unit or "", headed):
                raise Forbidden(f"{actor.role.value} may not read every record of {subject.unit}", f"无权查看 {subject.unit} 全体人员的考核记录", unit=subject.unit)
        elif not may_read_target(actor, subject.target, subject.unit, actor_unit, headed, assessed):
            raise Forbidden(f"{actor.role.value} may not read {subject.target}", f"无权查看 {subject.target} 的考核记录", target=subject.target)
        return audited, code
    raise Forbidden("no read rule covers this request", "该请求没有适用的查看规则")


def _audit(request: Request, service: Any, actor: Actor, audited: bool, target: str | None) -> Callable[[], None] | None:
    """安全审计: a read of another person's or unit's records, or of a whole-bureau list. Returns
    the wait for its record to be durable, which comes before the answer (api/routing.py)."""
    if audited:
        route = request.scope.get("route")
        action = f"read:{route.path if route is not None else request.url.path}"
        return service.ledger.audit_read(actor, request.client.host if request.client else None, action, target)  # type: ignore[no-any-return]
    return None


def reads(*rules: Rule) -> Callable[..., Actor | None]:
    """The dependency through which a route declares what it reads; it refuses (401/403, or the
    subject's 404) before the route runs, and gives the route the actor (None for PUBLIC)."""
    tokenless = [rule for rule in rules if isinstance(rule, Gate) and not rule.token]
    if not rules or (tokenless and len(rules) > 1):
        raise ValueError(f"reads() takes one or more rules, and PUBLIC only alone: {rules}")
    dependency: Callable[..., Actor | None]
    if tokenless:

        async def read_public() -> None:
            return None

        dependency = read_public
    elif all(isinstance(rule, Gate) for rule in rules):

        async def read_as(request: Request, actor: ActorDep, service: ServiceDep) -> Actor:
            # a gate looks at the role only (here, on the event loop); an audited read's record is
            # written in the route's own thread hop, before its body (api/routing.py)
            audited, target = _decide(rules, actor, None, None)
            if audited:
                await before_route(request, lambda: _audit(request, service, actor, audited, target))
            return actor

        dependency = read_as
    else:

        async def read_subject(request: Request, actor: ActorDep, service: ServiceDep, view: ViewDep) -> Actor:
            # the subject is read from the store: in the route's own thread hop, before its body
            await before_route(request, lambda: _audit(request, service, actor, *_decide(rules, actor, Asked(request, view.queries), service.queries)))
            return actor

        dependency = read_subject
    dependency.read_rules = rules  # type: ignore[attr-defined]
    return dependency


# -- finding the rules -------------------------------------------------------------------------


def rules_of(route: BaseRoute) -> tuple[Rule, ...] | None:
    """The rules a route declares: on its `reads` dependency, or for FastAPI's own pages on the
    route itself; None when it declares none. Two declarations on one route are an error."""
    declared = getattr(route, "read_rules", None)
    dependant: Any = getattr(route, "dependant", None)
    found = [d.call.read_rules for d in (dependant.dependencies if dependant else []) if hasattr(d.call, "read_rules")]
    found += [declared] if declared is not None else []
    if len(found) > 1:
        raise ValueError(f"{getattr(route, 'path', route)} declares {len(found)} read rules")
    return found[0] if found else None


def route_rules(app: FastAPI) -> list[tuple[str, str, tuple[Rule, ...] | None]]:
    """(method, path, rules) for every method of every route of the app, included routers'
    routes too (FastAPI keeps those behind `_IncludedRouter` entries of `app.routes`)."""
    return [
        (method, str(context.path), rules_of(context))
        for context in iter_route_contexts(app.routes)
        for method in sorted(context.methods or ())
    ]


def declare_docs_public(app: FastAPI) -> None:
    """FastAPI's own pages (the OpenAPI document, /docs with its OAuth2 redirect, /redoc) are plain
    routes without dependencies. They describe the API and hold no record: PUBLIC."""
    pages = {app.openapi_url, app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url} - {None}
    for route in app.routes:
        if getattr(route, "path", None) in pages and not hasattr(route, "dependant"):
            route.read_rules = (PUBLIC,)  # type: ignore[attr-defined]
