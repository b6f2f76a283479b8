"""Every route declares what it reads (R-ORG-4), and every GET route answers every role as its rule
says (R-Q-1). The rules live in api/policy.py; `ROUTE_RULES` below is their table, and `CASES` what
each role gets from each route on the small bureau.

Small bureau (tests/conftest.py): B01 headed by P01 (`unit_head`) with staff P02 (`staff`), P03,
P04; B02 headed by P05 (`head_b02`) with P06, P07. `world` adds: a key-work entry on B01 cascading
to P03, a supervision entry on P05, two entries on P02 (the first disputed, the second reversed),
bulletin 2026-01, bonus item U1 with B01's claim, P02's democratic rate and a veto on B02.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, iter_route_contexts

from api.app import create_app
from api.policy import (
    ADMIN,
    Attachment,
    AUDITOR,
    BUREAU,
    SIGNED_IN,
    COMMAND,
    OVERSIGHT,
    PUBLIC,
    About,
    Dispute,
    Entry,
    Ledger,
    Members,
    Own,
    Person,
    Rule,
    Sheet,
    Target,
    TargetIn,
    Unit,
    UnitResults,
    route_rules,
    rules_of,
)
from api.routes.commands import ROUTES
from ledger.domain.errors import UnitNotFound
from test_commands import BODIES

OVERSIGHT_ROLES = ("office", "leading_group", "supervision", "party_group", "viewer")
HEAD, HEAD_B02, STAFF = "unit_head", "head_b02", "staff"  # P01 heads B01; P05 heads B02; P02 is B01's staff
A = "assessor"  # P09, on the panel that assesses B01 only: reads B01's records and their own
AUDITOR_ROLE = "security_auditor"  # the audit log and nothing else (三员分立)
ADMIN_ROLE = "system_admin"  # users and API tokens and nothing else (三员分立)
MEMBERS = (*OVERSIGHT_ROLES, A, HEAD, HEAD_B02, STAFF)  # the bureau's members: BUREAU routes
TOKENS = (*MEMBERS, AUDITOR_ROLE, ADMIN_ROLE)
EVERYONE = (*TOKENS, None)  # None: no token
O = OVERSIGHT_ROLES

ADMIN_POSTS = ("/users", *(f"/users/{{user_id}}/{action}" for action in ("lock", "unlock", "disable", "enable", "role", "password-reset")))

# -- the table: what each GET route reads ------------------------------------------------------

ROUTE_RULES: dict[str, tuple[Rule, ...]] = {
    # the service's own surface, and the web UI (api/web.py)
    "/": (PUBLIC,),
    "/health": (PUBLIC,),
    "/openapi.json": (PUBLIC,),
    "/docs": (PUBLIC,),
    "/docs/oauth2-redirect": (PUBLIC,),
    "/redoc": (PUBLIC,),
    "/me": (SIGNED_IN,),
    "/auth/session": (SIGNED_IN,),
    "/stats": (BUREAU,),
    "/refusals": (OVERSIGHT,),
    # roster and plan
    "/units": (BUREAU,),
    "/units/{code}": (Unit("code"),),
    "/persons": (Unit("unit"), OVERSIGHT),
    "/persons/{code}": (Person("code"),),
    "/plans/{year}": (BUREAU,),
    # sheets, entries, ledgers
    "/sheets": (TargetIn("target", unit="unit"), Members("unit"), OVERSIGHT),
    "/sheets/{code}": (Sheet("code"),),
    "/entries/{entry_id}": (Entry("entry_id"),),
    "/ledgers/{target}": (Ledger("target", year="year"),),
    # annual results and the annual review
    "/results/{year}": (OVERSIGHT,),
    "/results/{year}/summary": (OVERSIGHT,),
    "/results/{year}/units": (OVERSIGHT,),
    "/results/{year}/units/{code}": (UnitResults("code"),),
    "/results/{year}/persons": (Members("unit"), OVERSIGHT),
    "/results/{year}/persons/{code}": (Person("code", year="year"),),
    "/bonus-items/{year}": (BUREAU,),
    "/bonus-claims": (Own("target"), OVERSIGHT),
    "/vetoes": (UnitResults("unit"), OVERSIGHT),
    "/evaluations/{year}": (Own("target"), OVERSIGHT),
    # oversight
    "/bulletins": (BUREAU,),
    "/bulletins/{number}": (BUREAU,),
    "/deadlines/{year}": (OVERSIGHT,),
    "/calendar/working-days": (BUREAU,),
    "/notices": (BUREAU,),
    "/notices/{scope}": (BUREAU,),
    "/notices/{scope}/changes": (OVERSIGHT,),
    "/disputes": (Target("target"), OVERSIGHT),
    "/disputes/{entry_id}": (Dispute("entry_id"),),
    # trace (R-Q-2) and across years (R-Q-3)
    "/trace/sheets/{code}": (Sheet("code"),),
    "/trace/results/{year}/persons/{code}": (Person("code", year="year"),),
    "/trace/results/{year}/units/{code}": (UnitResults("code"),),
    "/history/persons/{code}": (Person("code"),),
    "/history/units/{code}": (UnitResults("code"),),
    "/history/incompetent-runs": (OVERSIGHT,),
    "/history/carried-bonuses": (OVERSIGHT,),
    "/history/corrections/{entry_id}": (Entry("entry_id"),),
    # the audit log (安全审计日志)
    "/audit": (AUDITOR,),
    "/audit.csv": (AUDITOR,),
    # access administration
    "/tokens": (ADMIN,),
    "/users": (ADMIN,),
    # documents (公文与报表): each as its JSON counterpart
    "/documents/ledgers/{target}": (Ledger("target", year="year"),),
    "/documents/record-forms/{unit}/{quarter}": (Members("unit"),),
    "/documents/notices/{period}": (OVERSIGHT,),
    "/documents/results/{year}": (OVERSIGHT,),
    "/documents/payouts/{year}": (OVERSIGHT,),
    "/documents/audit-log": (AUDITOR,),
    "/documents/feedback/{entry_id}": (Entry("entry_id"),),
    "/documents/bulletins/{number}": (BUREAU,),
    "/documents/public-notices/{scope}": (BUREAU,),
    "/roster/template.xlsx": (OVERSIGHT,),
    # files behind entries and claims
    "/attachments/{sha256}": (Attachment("sha256"),),
}


@dataclass(frozen=True)
class Case:
    """One request, and the roles it answers 200; every other role gets 403 and no token 401. A
    `missing` case names nothing that exists: 404 for every role with a token."""

    route: str
    url: str
    readers: tuple[str | None, ...] = ()
    missing: bool = False

    def expected(self, role: str | None) -> int:
        if role is None and None not in self.readers:
            return 401
        if self.missing:
            return 404
        return 200 if role in self.readers else 403


CASES = [
    Case("/", "/", EVERYONE),
    Case("/health", "/health", EVERYONE),
    Case("/openapi.json", "/openapi.json", EVERYONE),
    Case("/docs", "/docs", EVERYONE),
    Case("/docs/oauth2-redirect", "/docs/oauth2-redirect", EVERYONE),
    Case("/redoc", "/redoc", EVERYONE),
    Case("/me", "/me", TOKENS),  # the auditor too
    Case("/stats", "/stats", MEMBERS),
    Case("/refusals", "/refusals", O),
    Case("/units", "/units", MEMBERS),
    Case("/units/{code}", "/units/B01", (*O, A, HEAD, STAFF)),
    Case("/units/{code}", "/units/B02", (*O, HEAD_B02)),
    Case("/units/{code}", "/units/X99", missing=True),
    Case("/persons", "/persons", O),
    Case("/persons", "/persons?unit=B01", (*O, A, HEAD, STAFF)),
    Case("/persons/{code}", "/persons/P02", (*O, HEAD, STAFF)),
    Case("/persons/{code}", "/persons/P03", (*O, HEAD)),
    Case("/persons/{code}", "/persons/P99", missing=True),
    Case("/plans/{year}", "/plans/2026", MEMBERS),
    Case("/sheets", "/sheets", O),
    Case("/sheets", "/sheets?target=P02", (*O, STAFF)),
    Case("/sheets", "/sheets?target=B01", (*O, A, HEAD, STAFF)),
    Case("/sheets", "/sheets?target=B02", (*O, HEAD_B02)),  # not on the assessor's panel
    # A head lists a member's sheets within the unit (`unit=B01`), not by target alone: today's rule.
    Case("/sheets", "/sheets?target=P03", O),
    Case("/sheets", "/sheets?target=P03&unit=B01", (*O, HEAD)),
    Case("/sheets", "/sheets?unit=B01", (*O, HEAD)),
    Case("/sheets/{code}", "/sheets/P02:2026-01:monthly", (*O, HEAD, STAFF)),
    Case("/sheets/{code}", "/sheets/P03:2026-02:monthly", (*O, HEAD)),
    Case("/sheets/{code}", "/sheets/B02:2026-Q1:key", (*O, HEAD_B02)),
    Case("/sheets/{code}", "/sheets/B01:2026-Q1:key", (*O, A, HEAD, STAFF)),
    Case("/sheets/{code}", "/sheets/P02:2026-09:monthly", missing=True),
    Case("/sheets/{code}", "/sheets/P02:2026-01:monthly?as_of=1", missing=True),  # not yet opened then (R-Q-3)
    Case("/entries/{entry_id}", "/entries/B01:2026-Q1:key:1", (*O, A, HEAD, STAFF)),
    Case("/entries/{entry_id}", "/entries/P03:2026-02:monthly:1", (*O, HEAD)),
    Case("/entries/{entry_id}", "/entries/P05:2026-01:monthly:1", (*O, HEAD_B02)),
    Case("/entries/{entry_id}", "/entries/P05:2026-01:monthly:9", missing=True),
    Case("/ledgers/{target}", "/ledgers/P02?year=2026", (*O, HEAD, STAFF)),
    Case("/ledgers/{target}", "/ledgers/P03?year=2027", (*O, HEAD)),  # a year without sheets
    Case("/ledgers/{target}", "/ledgers/B01", (*O, A, HEAD, STAFF)),
    Case("/ledgers/{target}", "/ledgers/P09?year=2026", (*O, A)),  # the assessor's own
    Case("/ledgers/{target}", "/ledgers/X99", missing=True),
    Case("/results/{year}", "/results/2026", O),
    Case("/results/{year}/summary", "/results/2026/summary", O),
    Case("/results/{year}/units", "/results/2026/units", O),
    Case("/results/{year}/units/{code}", "/results/2026/units/B01", (*O, HEAD)),  # not its staff until 公示
    Case("/results/{year}/units/{code}", "/results/2026/units/X99", missing=True),
    Case("/results/{year}/persons", "/results/2026/persons", O),
    Case("/results/{year}/persons", "/results/2026/persons?unit=B02", (*O, HEAD_B02)),
    Case("/results/{year}/persons", "/results/2026/persons?unit=B01", (*O, HEAD)),  # not colleagues' rates
    Case("/results/{year}/persons/{code}", "/results/2026/persons/P02", (*O, HEAD, STAFF)),
    Case("/results/{year}/persons/{code}", "/results/2026/persons/P99", missing=True),
    Case("/bonus-items/{year}", "/bonus-items/2026", MEMBERS),
    Case("/bonus-claims", "/bonus-claims", O),
    Case("/bonus-claims", "/bonus-claims?target=B01", (*O, A, HEAD, STAFF)),
    Case("/bonus-claims", "/bonus-claims?target=P02", (*O, STAFF)),  # own records: not through the head
    Case("/vetoes", "/vetoes", O),
    Case("/vetoes", "/vetoes?unit=B02", (*O, HEAD_B02)),  # the unit concerned
    Case("/evaluations/{year}", "/evaluations/2026", O),
    Case("/evaluations/{year}", "/evaluations/2026?target=P02", (*O, STAFF)),  # own records: not through the head
    Case("/bulletins", "/bulletins", MEMBERS),
    Case("/bulletins/{number}", "/bulletins/2026-01", MEMBERS),
    Case("/deadlines/{year}", "/deadlines/2026", O),
    Case("/calendar/working-days", "/calendar/working-days?start=2026-01-05", MEMBERS),
    Case("/notices", "/notices", MEMBERS),
    Case("/notices/{scope}", "/notices/2026", MEMBERS),  # the published list: everyone in the bureau (公示)
    Case("/notices/{scope}/changes", "/notices/2026/changes", O),
    Case("/disputes", "/disputes", O),
    Case("/disputes", "/disputes?target=P02", (*O, HEAD, STAFF)),
    Case("/disputes/{entry_id}", "/disputes/P02:2026-01:monthly:1", (*O, HEAD, STAFF)),
    Case("/disputes/{entry_id}", "/disputes/P02:2026-01:monthly:2", missing=True),  # reversed, never disputed
    Case("/trace/sheets/{code}", "/trace/sheets/P02:2026-01:monthly", (*O, HEAD, STAFF)),
    Case("/trace/sheets/{code}", "/trace/sheets/P05:2026-01:monthly", (*O, HEAD_B02)),
    Case("/trace/results/{year}/persons/{code}", "/trace/results/2026/persons/P02", (*O, HEAD, STAFF)),
    Case("/trace/results/{year}/units/{code}", "/trace/results/2026/units/B01", (*O, HEAD)),
    Case("/history/persons/{code}", "/history/persons/P03", (*O, HEAD)),
    Case("/history/units/{code}", "/history/units/B02", (*O, HEAD_B02)),
    Case("/history/incompetent-runs", "/history/incompetent-runs", O),
    Case("/history/carried-bonuses", "/history/carried-bonuses", O),
    Case("/history/corrections/{entry_id}", "/history/corrections/P02:2026-01:monthly:2", (*O, HEAD, STAFF)),
    Case("/audit", "/audit", (AUDITOR_ROLE,)),
    Case("/audit", "/audit?outcome=refused&since=2026-01-01", (AUDITOR_ROLE,)),
    Case("/audit.csv", "/audit.csv", (AUDITOR_ROLE,)),
    Case("/tokens", "/tokens", (ADMIN_ROLE,)),
    Case("/users", "/users", (ADMIN_ROLE,)),
    Case("/attachments/{sha256}", f"/attachments/{'0' * 64}", missing=True),  # no such file: 404 (the roles that read everything look first)
    Case("/auth/session", "/auth/session", TOKENS),
    Case("/documents/ledgers/{target}", "/documents/ledgers/P02?year=2026", (*O, HEAD, STAFF)),
    Case("/documents/ledgers/{target}", "/documents/ledgers/P03?year=2027", (*O, HEAD)),
    Case("/documents/ledgers/{target}", "/documents/ledgers/B01", (*O, A, HEAD, STAFF)),  # A and STAFF without the staff grid
    Case("/documents/ledgers/{target}", "/documents/ledgers/P09?year=2026", (*O, A)),
    Case("/documents/ledgers/{target}", "/documents/ledgers/X99", missing=True),
    Case("/documents/record-forms/{unit}/{quarter}", "/documents/record-forms/B01/2026-Q1", (*O, HEAD)),
    Case("/documents/record-forms/{unit}/{quarter}", "/documents/record-forms/B02/2026-Q1", (*O, HEAD_B02)),
    Case("/documents/notices/{period}", "/documents/notices/2026-Q1", O),
    Case("/documents/notices/{period}", "/documents/notices/2026-01", O),
    Case("/documents/results/{year}", "/documents/results/2026", O),
    Case("/documents/payouts/{year}", "/documents/payouts/2026", O),
    Case("/documents/audit-log", "/documents/audit-log", (AUDITOR_ROLE,)),
    Case("/documents/audit-log", "/documents/audit-log?outcome=refused&since=2026-01-01", (AUDITOR_ROLE,)),
    Case("/documents/feedback/{entry_id}", "/documents/feedback/P05:2026-01:monthly:1", (*O, HEAD_B02)),  # a supervision entry
    Case("/documents/feedback/{entry_id}", "/documents/feedback/P05:2026-01:monthly:9", missing=True),
    Case("/documents/bulletins/{number}", "/documents/bulletins/2026-01", MEMBERS),
    Case("/documents/public-notices/{scope}", "/documents/public-notices/2026?format=xlsx", MEMBERS),
    Case("/roster/template.xlsx", "/roster/template.xlsx", O),
    Case("/roster/template.xlsx", "/roster/template.xlsx?filled=false", O),
]


@pytest.fixture(scope="module")
def world(module_api: Any) -> Any:
    api = module_api
    api.ok("assessor", "/deductions", {
        "unit": "B01", "track": "key", "points": "2", "item": "K1", "basis": "重点工作未按时序进度完成",
        "occurred_on": "2026-02-10", "responsible": [{"person": "P03"}],
    })  # fmt: skip
    api.ok("supervision", "/deductions", {"person": "P05", "points": "1", "basis": "会议无故缺席", "occurred_on": "2026-01-20", "form_no": "JC-1"})
    api.ok("unit_head", "/deductions", BODIES["/deductions"])  # P02:2026-01:monthly:1
    api.ok("unit_head", "/deductions", BODIES["/deductions"] | {"points": "1", "basis": "早退"})  # ...:2
    api.ok("unit_head", "/sheets/submissions", BODIES["/sheets/submissions"])
    api.ok("unit_head", "/sheets/publications", BODIES["/sheets/publications"])
    api.ok("staff", "/disputes", BODIES["/disputes"])
    api.ok("leading_group", "/reversals", BODIES["/reversals"] | {"entry_id": "P02:2026-01:monthly:2"})
    for path, role in (("/bulletins", "office"), ("/bonus-items", "office"), ("/bonus-claims", "unit_head"),
                       ("/evaluations/democratic", "office"), ("/vetoes", "leading_group")):  # fmt: skip
        api.ok(role, path, BODIES[path])
    today = api.service.clock.today()
    api.ok("office", "/notices", {"scope": "2026", "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=30)).isoformat()})
    return api


# -- (a) no route without a rule ---------------------------------------------------------------


def test_every_route_of_the_app_declares_one_read_rule__R_ORG_4() -> None:
    table = route_rules(create_app())
    assert {method for method, _, _ in table} == {"GET", "HEAD", "POST"}
    assert [(method, path) for method, path, rules in table if rules is None] == []
    # Commands: any actor may send one; the ledger checks the command's roles and logs a refusal.
    assert {path: rules for method, path, rules in table if method == "POST"} == {
        **{path: (COMMAND,) for path in ROUTES}, "/tokens": (ADMIN,), "/tokens/revocations": (ADMIN,),
        "/auth/login": (PUBLIC,), "/auth/logout": (SIGNED_IN,), "/auth/password": (SIGNED_IN,),
        **{path: (ADMIN,) for path in ADMIN_POSTS}, "/attachments": (BUREAU,),
        "/sheets/submissions/batch": (COMMAND,), "/sheets/publications/batch": (COMMAND,),
        "/bonus-claims/approvals/batch": (COMMAND,), "/record-forms/batch": (COMMAND,), "/roster/import": (COMMAND,),
    }  # fmt: skip
    assert {path: rules for method, path, rules in table if method in ("GET", "HEAD")} == ROUTE_RULES


def test_a_route_without_a_rule_is_found__R_ORG_4() -> None:
    """The check above can fail: a route added without `reads(...)` has no rule."""
    app = create_app()
    app.add_api_route("/undeclared", lambda: {"secret": 1})
    assert ("GET", "/undeclared", None) in route_rules(app)


def test_every_rule_names_parameters_its_route_has__R_ORG_4() -> None:
    """A rule reading `?targt=` would never apply: each parameter a rule names is the route's."""
    wrong = []
    for context in iter_route_contexts(create_app().routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        params = {p.alias for p in get_flat_params(route.dependant)}
        for rule in rules_of(context) or ():
            if isinstance(rule, About):
                named = {getattr(rule, f.name) for f in fields(rule)} - {None}
                wrong += [f"{route.path}: {rule!r} names {name}" for name in sorted(named - params)]
    assert wrong == []


# -- (b) every GET route × every role ------------------------------------------------------------


def test_the_table_has_a_case_for_every_get_route() -> None:
    assert {c.route for c in CASES} == set(ROUTE_RULES)


@pytest.mark.parametrize("case", CASES, ids=[c.url for c in CASES])
def test_every_role_reads_a_route_as_its_rule_says__R_Q_1_R_ORG_4(world: Any, case: Case) -> None:
    got = {}
    for role in EVERYONE:
        r = world.client.get(case.url, headers=world.headers(role))
        got[role] = r.status_code
        if r.status_code in (401, 403, 404):
            problem = r.json()
            assert r.headers["content-type"].startswith("application/problem+json"), r.text
            assert problem["code"] == {401: "UNAUTHENTICATED", 403: "FORBIDDEN"}.get(r.status_code, problem["code"]), problem
            assert r.status_code != 404 or problem["code"].endswith("NOT_FOUND"), problem
    assert got == {role: case.expected(role) for role in EVERYONE}


def test_a_refused_read_names_what_was_refused__R_Q_1(world: Any) -> None:
    target = world.problem(world.get(STAFF, "/sheets/P03:2026-02:monthly"), 403, "FORBIDDEN")
    assert (target["target"], target["detail_zh"]) == ("P03", "无权查看 P03 的考核记录")
    members = world.problem(world.get(STAFF, "/sheets", unit="B01"), 403, "FORBIDDEN")
    assert (members["unit"], members["detail_zh"]) == ("B01", "无权查看 B01 全体人员的考核记录")
    bureau = world.problem(world.get(HEAD, "/vetoes"), 403, "FORBIDDEN")
    assert bureau["detail_zh"] == "该列表仅供考核办公室及监督角色查看"


# -- where the policy finds a reader's and a record's unit ----------------------------------------


def test_roster_lookups_of_the_policy_answer_on_a_date__R_ORG_1_R_ORG_2(api: Any) -> None:
    """The narrow roster queries the policy uses instead of loading every unit per request."""
    api.ok("office", "/units/heads", BODIES["/units/heads"])  # P06 heads B02 from 2026-07-01
    api.ok("office", "/persons/transfers", BODIES["/persons/transfers"])  # P03 to B02 from 2026-04-01
    q = api.service.queries
    assert q.units_headed_by("P01") == {"B01"}
    assert (q.units_headed_by("P06"), q.units_headed_by("P05")) == ({"B02"}, set())  # the latest appointment
    assert (q.units_headed_by("P06", date(2026, 6, 30)), q.units_headed_by("P05", date(2026, 6, 30))) == (set(), {"B02"})
    assert q.units_headed_by("P01", date(2014, 12, 31)) == set()  # before any appointment
    assert (q.unit_of("P03"), q.unit_of("P03", date(2026, 3, 31)), q.unit_of("B01")) == ("B02", "B01", "B01")
    assert q.unit_of_person("P03", date(2011, 12, 31)) is None  # enrolled 2012
    with pytest.raises(UnitNotFound):
        q.unit_of("X99")
    assert (q.first_sheet_unit("P03", 2026), q.first_sheet_unit("P03", 2027)) == ("B01", None)


def test_after_a_transfer_each_record_belongs_to_its_own_unit__R_Q_1(api: Any) -> None:
    """P03 moves from B01 to B02 on 2026-04-01. February's sheet stays B01's; the 2026 ledger is
    the unit's of its first sheet (B01); the 2026 annual result places P03 in B02 (the cut-off)."""
    api.ok("office", "/persons/transfers", BODIES["/persons/transfers"])
    assert api.get(HEAD, "/sheets/P03:2026-02:monthly").status_code == 200
    api.problem(api.get(HEAD_B02, "/sheets/P03:2026-02:monthly"), 403, "FORBIDDEN")
    assert api.get(HEAD, "/ledgers/P03", year=2026).status_code == 200
    api.problem(api.get(HEAD_B02, "/ledgers/P03", year=2026), 403, "FORBIDDEN")
    assert api.read(HEAD_B02, "/persons/P03")["unit"] == "B02"
    assert api.read(HEAD_B02, "/results/2026/persons/P03")["unit"] == "B02"
    api.problem(api.get(HEAD, "/results/2026/persons/P03"), 403, "FORBIDDEN")


# -- (c) every POST route × the roles its rule refuses, and no token -------------------------------

ADMIN_BODIES: dict[str, dict[str, Any]] = {
    "/users": {"user_id": "x-new", "name": "新用户", "role": "office"},
    "/users/{user_id}/role": {"role": "viewer"},
    "/tokens": {"user_id": "u-staff-p02", "label": "报表"},
    "/tokens/revocations": {"token_id": "0" * 16},
    "/sheets/submissions/batch": {"sheets": ["P02:2026-01:monthly"]},
    "/sheets/publications/batch": {"sheets": ["P02:2026-01:monthly"]},
    "/bonus-claims/approvals/batch": {"claims": [{"target": "B01", "basis_ref": "市政府〔2026〕12号"}]},
    "/record-forms/batch": {"quarter": "2026-Q1", "units": ["B01", "B02"]},
    "/auth/password": {"current_password": "x", "new_password": "Kaohe#2026a"},
}


def test_every_post_route_refuses_the_roles_its_rule_refuses_and_writes_nothing__R_ORG_4(api: Any) -> None:
    """No token: 401 everywhere but sign-in. A command: never the security auditor or the system
    administrator (三员分立; the ledger's roles decide the rest, tests/api/test_commands.py). An
    access route: the system administrator only."""
    wrong = []
    for method, path, rules in route_rules(create_app()):
        if method != "POST" or rules == (PUBLIC,):
            continue
        url = path.replace("{user_id}", "u-staff-p02")
        body = BODIES.get(path) or ADMIN_BODIES.get(path) or {}
        refused = {None: 401} | (
            {AUDITOR_ROLE: 403, ADMIN_ROLE: 403} if rules == (COMMAND,) else {r: 403 for r in TOKENS if r != ADMIN_ROLE} if rules == (ADMIN,) else {}
        )  # fmt: skip
        for role, status in refused.items():
            before = api.events()
            r = api.post(role, url, body)
            if r.status_code != status or api.events() != before:
                wrong.append(f"POST {url} as {role}: {r.status_code} {r.text[:120]}")
    assert wrong == []
    assert [u["user_id"] for u in api.read("system_admin", "/users") if u["user_id"] == "x-new"] == []
