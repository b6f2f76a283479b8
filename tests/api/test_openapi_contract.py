"""The OpenAPI document tells the truth (接口文档即契约): what a schema-driven client or fuzzer
(tests/api/test_fuzz.py) reads there is what the API sends.

Three things are proved, on the small bureau with the world of test_route_policy (and more) and on
the demo year:

- every answer of every GET route, for every role, is documented: its status is listed for the
  operation, its media type too, and its body matches the schema listed — strictly: an object
  schema that does not say `additionalProperties` is closed, so a field the document does not
  declare fails (the document itself leaves such objects open, as JSON Schema does);
- the response models change nothing: what FastAPI sends through a route's `response_model` is
  byte for byte what the route returned (no field dropped, no null added, no number or date
  rewritten, no member moved);
- every operation lists its errors (401, 403, 404, 409, 413, 400, 422) as problem documents, a
  read lists 404 exactly when a path naming nothing gets one, and no success schema is an untyped
  object except where the shape is open on purpose.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

import fastapi.routing
import orjson
import pytest
from httpx import Response

from api.app import create_app
from api.policy import PUBLIC, SIGNED_IN
from api.responses import OrjsonResponse
from api.schemas.problems import PROBLEM_MEDIA_TYPE
from test_commands import BODIES
from test_demo import DemoApi, year_demo  # noqa: F401 - the demo year, a module fixture
from test_route_policy import CASES, EVERYONE, ROUTE_RULES, world  # noqa: F401 - world: a module fixture

DOCUMENT = create_app().openapi()
SCHEMAS = DOCUMENT["components"]["schemas"]
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# FastAPI's own pages: routes, not operations of the document.
PAGES = {"/", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
FILES = {
    "/audit.csv", "/attachments/{sha256}", "/roster/template.xlsx", "/documents/ledgers/{target}", "/documents/record-forms/{unit}/{quarter}",
    "/documents/notices/{period}", "/documents/results/{year}", "/documents/payouts/{year}", "/documents/audit-log",
    "/documents/feedback/{entry_id}", "/documents/bulletins/{number}", "/documents/public-notices/{scope}",
}  # answered with a file (xlsx, pdf, docx, csv), not a JSON body: checked by their own tests
LIVE_ONLY = {"/tokens", "/users", "/auth/session"}  # access administration reads the live table: it has no history to ask as of  # answered with a file (text/csv), not a JSON body: checked by tests/api/test_audit_log.py
# Success schemas open on purpose: /health's (api/app.py, `{"status": "ok"}`, not typed here), and
# the inputs of an annual trace's figure, which differ by figure (api/schemas/trace.py).
OPEN_ON_PURPOSE = {"GET /health", "TraceNode.inputs"}


# -- a strict validator for the JSON Schema subset the document uses -----------------------------

ANNOTATIONS = {"title", "description", "default"}
KEYWORDS = {"$ref", "anyOf", "enum", "type", "properties", "required", "additionalProperties", "items"}
TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def mismatches(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """How `value` fails `schema` (empty: it matches). An object schema without
    `additionalProperties` is closed. A keyword this validator does not know fails loudly."""
    unknown = set(schema) - KEYWORDS - ANNOTATIONS
    assert not unknown, f"{where}: the validator does not know {unknown}"
    if "$ref" in schema:
        return mismatches(value, SCHEMAS[schema["$ref"].rsplit("/", 1)[1]], where)
    if "anyOf" in schema:
        return [] if any(not mismatches(value, option, where) for option in schema["anyOf"]) else [f"{where}: {value!r:.80} matches no option"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r:.80} not in {schema['enum']}"]
    kind = schema.get("type")
    if kind is not None and not TYPES[kind](value):
        return [f"{where}: {kind} expected, got {value!r:.80}"]
    found: list[str] = []
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += mismatches(item, schema["items"], f"{where}[{i}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        found += [f"{where}: {name} missing" for name in schema.get("required", ()) if name not in value]
        extra = schema.get("additionalProperties", False)
        for name, item in value.items():
            if name in properties:
                found += mismatches(item, properties[name], f"{where}.{name}")
            elif extra is False:
                found.append(f"{where}: {name} is not in the document")
            elif isinstance(extra, dict):
                found += mismatches(item, extra, f"{where}.{name}")
    return found


def test_the_validator_finds_what_does_not_match() -> None:
    """The validator above can fail: a wrong type, a missing or an undeclared field, a null."""
    unit = {"$ref": "#/components/schemas/UnitRow"}
    row = {"code": "B01", "name": "城东分局", "kind": "branch", "registered_on": "2010-01-01", "head": None, "position": 1, "head_name": None, "members": 0}
    assert mismatches(row, unit) == []
    assert mismatches({**row, "members": "0"}, unit) == ["$.members: integer expected, got '0'"]
    assert mismatches({**row, "secret": 1}, unit) == ["$: secret is not in the document"]
    assert mismatches({k: v for k, v in row.items() if k != "kind"}, unit) == ["$: kind missing"]
    assert mismatches({**row, "name": None}, unit) == ["$.name: string expected, got None"]
    assert mismatches({**row, "position": True}, unit) == ["$.position: integer expected, got True"]


# -- the requests, each checked against the document --------------------------------------------


def operation_of(method: str, url: str) -> tuple[str, dict[str, Any]]:
    """The document's operation that answers `url`: (path template, operation)."""
    path = url.split("?", 1)[0]
    for template, operations in DOCUMENT["paths"].items():
        if method in operations and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return template, operations[method]
    raise AssertionError(f"no operation of the document answers {method.upper()} {url}")


def undocumented(method: str, url: str, r: Response) -> list[str]:
    """What of the answer `r` the document does not say: its status, its media type, its body."""
    _, operation = operation_of(method, url)
    response = operation["responses"].get(str(r.status_code))
    if response is None:
        return [f"{method.upper()} {url}: status {r.status_code} is not documented ({r.text[:200]})"]
    media_type = r.headers["content-type"].split(";")[0]
    if media_type not in response.get("content", {}):
        return [f"{method.upper()} {url}: {r.status_code} as {media_type} is not documented"]
    return [f"{method.upper()} {url} {r.status_code}: {m}" for m in mismatches(r.json(), response["content"][media_type]["schema"])]


Sent = list[tuple[bytes, bytes]]  # (what a route returned, what its response model sent), as JSON


def as_json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


@pytest.fixture(scope="module")
def sent() -> Iterator[Sent]:
    """Every (returned, sent) pair of a route with a response model, while the module runs."""
    original = fastapi.routing.serialize_response
    pairs: Sent = []

    async def spy(**kwargs: Any) -> Any:
        out = await original(**kwargs)
        if kwargs.get("field") is not None:
            pairs.append((as_json(kwargs["response_content"]), as_json(out)))
        return out

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastapi.routing, "serialize_response", spy)
        yield pairs


def changed(pairs: Sent) -> list[str]:
    """Where a response model changed the JSON of a route (a byte, the order of members too), then
    forgets."""
    found = [f"returned {returned.decode()[:300]}\n    sent {out.decode()[:300]}" for returned, out in pairs if returned != out]
    pairs.clear()
    return found


@pytest.fixture(scope="module")
def bureau(sent: Sent, world: Any) -> Any:
    """The world of test_route_policy, and what else shows a field: a policy change, target-bonus
    bases, an exemption, a grassroots rate, a local calendar day, record forms, a dispute reviewed
    and decided by amendment, an amended unit entry (with its cascade)."""
    api = world
    for path, role in (
        ("/plans/policy-changes", "leading_group"), ("/target-bonus", "party_group"), ("/exemptions", "party_group"),
        ("/evaluations/grassroots", "office"), ("/calendar/days", "office"), ("/record-forms", "unit_head"),
    ):  # fmt: skip
        api.ok(role, path, BODIES[path])
    api.ok("supervision", "/disputes/reviews", BODIES["/disputes/reviews"] | {"recommendation": "amend"})
    api.ok("leading_group", "/disputes/decisions", BODIES["/disputes/decisions"] | {"decision": "amend", "points": "0.5"})
    api.ok("leading_group", "/amendments", BODIES["/amendments"] | {"entry_id": "B01:2026-Q1:key:1"})
    assert changed(sent) == []  # the commands' results too
    return api


# More of every route than CASES asks: other figures, other statuses.
MORE_URLS = [
    "/deadlines/2026?today=2026-12-31",
    "/deadlines/2026?overdue=true&today=2027-02-01",
    "/history/corrections/B01:2026-Q1:key:1",  # amended, with a cascade
    "/entries/B01:2026-Q1:key:1",
    "/trace/sheets/B01:2026-Q1:key",
    "/trace/sheets/P03:2026-02:monthly",  # a cascaded entry, amended along with its unit entry
    "/trace/results/2026/units/D01",  # a department, with its grassroots rate
    "/trace/results/2026/persons/P10",  # exempt
    "/trace/results/2026/persons/P05",  # the head of B02, the unit vetoed
    "/results/2026/persons/P10",
    "/history/persons/P02",
    "/disputes/P02:2026-01:monthly:1",  # decided
    "/units/B01?as_of=3",
    "/plans/2026?as_of=2",
    "/results/2027",  # no plan: 404
    "/sheets?limit=0",  # 422
    "/results/1999",  # 422
    "/calendar/working-days?start=1999-12-31",  # 422
]


def test_every_get_route_answers_every_role_as_the_document_says(bureau: Any, sent: Sent) -> None:
    wrong: list[str] = []
    seen: set[tuple[str, int]] = set()
    for url in [case.url for case in CASES if case.route not in PAGES | FILES] + MORE_URLS:
        for role in EVERYONE:
            r = bureau.client.get(url, headers=bureau.headers(role))
            wrong += undocumented("get", url, r)
            seen.add((operation_of("get", url)[0], r.status_code))
            if r.status_code == 200 and not sent:
                wrong.append(f"GET {url}: the spy saw no response model")  # the check below would prove nothing
            wrong += [f"GET {url}: {c}" for c in changed(sent)]
    assert wrong == []
    # Each route was seen succeeding, and each error status was seen at least once.
    assert {route for route, status in seen if status == 200} == set(ROUTE_RULES) - PAGES - FILES
    assert {status for _, status in seen} >= {200, 401, 403, 404, 422}


def demo_urls(demo: DemoApi) -> list[str]:
    """One or more of every GET route on the demo year, with codes it has."""
    units = [u["code"] for u in demo.read("viewer", "/units")]
    persons = [p["person"] for p in demo.read("viewer", "/results/2026/persons")]
    sheets = [s["code"] for s in demo.read("viewer", "/sheets", year=2026, limit=500)]
    notes = demo.bureau.notes
    entries = [*notes["reversal"]["reversed"], notes["amendment"]["entry_id"], notes["missed_finding"]["entry_id"], notes["missed_finding"]["head_entry_id"]]
    disputes = [d["entry_id"] for d in demo.read("viewer", "/disputes")]
    bulletins = [b["number"] for b in demo.read("viewer", "/bulletins")]
    return [
        "/me", "/stats", "/refusals", "/units", "/persons?limit=500", "/plans/2026", "/sheets?limit=500", "/results/2026",
        "/results/2026/summary", "/results/2026/units", "/results/2026/persons", "/bonus-items/2026", "/bonus-claims", "/vetoes",
        "/evaluations/2026", "/bulletins", "/deadlines/2026", "/deadlines/2026?overdue=true&today=2027-03-01",
        "/calendar/working-days?start=2026-09-30&working_days=5", "/disputes", "/history/incompetent-runs", "/history/carried-bonuses",
        *(f"/units/{u}" for u in units), *(f"/results/2026/units/{u}" for u in units), *(f"/trace/results/2026/units/{u}" for u in units),
        *(f"/history/units/{u}" for u in units), *(f"/ledgers/{u}?year=2026" for u in units),
        *(f"/persons/{p}?year=2026" for p in persons[::7]), *(f"/results/2026/persons/{p}" for p in persons[::7]),
        *(f"/trace/results/2026/persons/{p}" for p in persons[::7]), *(f"/history/persons/{p}" for p in persons[::7]),
        *(f"/ledgers/{p}?year=2026" for p in persons[::15]),
        *(f"/sheets/{s}" for s in sheets[::25]), *(f"/trace/sheets/{s}" for s in sheets[::25]),
        *(f"/entries/{e}" for e in entries), *(f"/history/corrections/{e}" for e in entries[:2]),
        *(f"/disputes/{d}" for d in disputes), *(f"/bulletins/{b}" for b in bulletins),
    ]  # fmt: skip


def test_the_demo_year_answers_as_the_document_says(year_demo: DemoApi, sent: Sent) -> None:  # noqa: F811
    """A year of a whole bureau: every grade, tier, track and kind of unit."""
    urls = demo_urls(year_demo)
    changed(sent)  # forget the lists read to find the codes
    wrong: list[str] = []
    for url in urls:
        r = year_demo.get("viewer", url)
        assert r.status_code == 200, (url, r.text[:300])
        wrong += undocumented("get", url, r) + [f"GET {url}: {c}" for c in changed(sent)]
    assert wrong == []


def test_answers_are_still_rendered_by_the_orjson_response_class(bureau: Any, sent: Sent, monkeypatch: pytest.MonkeyPatch) -> None:
    """FastAPI writes a typed answer's JSON itself when a route names no response class; the app's
    default (`OrjsonResponse`) still renders every answer, typed or not."""
    rendered: list[Any] = []
    render = OrjsonResponse.render
    monkeypatch.setattr(OrjsonResponse, "render", lambda self, content: rendered.append(content) or render(self, content))
    answers = [bureau.client.get(url, headers=bureau.headers("office")) for url in ("/units/B01", "/trace/results/2026/units/B01", "/units/X99")]
    answers.append(bureau.post("office", "/units", BODIES["/units"] | {"code": "B04"}))
    assert [r.status_code for r in answers] == [200, 200, 404, 201]
    assert rendered == [r.json() for r in answers]
    assert changed(sent) == []


# -- errors ---------------------------------------------------------------------------------------


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in DOCUMENT["paths"].items() for method, op in ops.items()]


def test_every_error_of_every_operation_is_a_problem_document() -> None:
    wrong = []
    for method, path, op in operations():
        for status, response in op["responses"].items():
            if status.startswith("4") and response.get("content") != {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}:
                wrong.append(f"{method.upper()} {path} {status}: {response.get('content')}")
    assert wrong == []
    assert "HTTPValidationError" not in orjson.dumps(DOCUMENT).decode()  # FastAPI's 422, never sent


def test_every_operation_lists_the_errors_it_can_give() -> None:
    """401 wherever a token is read; 403 where the rule can refuse; every command's 400, 404, 409,
    413, 422 (sign-in: its own); a read's 422 where it takes a parameter."""
    wrong = []
    for method, path, op in operations():
        listed = {int(status) for status in op["responses"] if status.startswith("4")}
        assert listed <= {400, 401, 403, 404, 409, 413, 422, 429}, (method, path, listed)
        if (method, path) == ("post", "/auth/login"):
            expected = {400, 401, 403, 413, 422, 429}  # LOGIN_FAILED, ACCOUNT_LOCKED, TOO_MANY_ATTEMPTS; nothing to find
        elif method == "post":
            parameters = [p for p in op.get("parameters", ()) if p["in"] == "path"]
            body = "requestBody" in op
            expected = {401, 403, 404, 409} | ({400, 413, 422} if body else set()) | ({422} if parameters else set())
        elif path == "/health":
            expected = set()
        else:
            rules = ROUTE_RULES[path]
            parameters = [p for p in op.get("parameters", ()) if p["in"] in ("path", "query")]
            expected = {401} | ({403} if any(rule not in (PUBLIC, SIGNED_IN) for rule in rules) else set()) | ({422} if parameters else set())
        if not expected <= listed or (method == "get" and listed - expected - {404}):
            wrong.append(f"{method.upper()} {path}: lists {sorted(listed)}, expected {sorted(expected)}")
    assert wrong == []
    assert len([op for op in operations() if op[0] == "post"]) > 30


def test_every_operation_but_sign_in_and_health_declares_how_to_sign_in() -> None:
    """The document names the two ways to sign in (api/deps.py: SECURITY_SCHEMES) and requires one
    of them on every operation but sign-in and the health probe; sign-in itself is not a FastAPI
    dependency (api/schemas/openapi.py: declare_security writes this)."""
    assert set(DOCUMENT["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyCookie"}
    assert DOCUMENT["components"]["securitySchemes"]["APIKeyCookie"]["in"] == "cookie"
    open_ = sorted((method, path) for method, path, op in operations() if "security" not in op)
    assert open_ == [("get", "/health"), ("post", "/auth/login")]
    assert {str(op["security"]) for _, _, op in operations() if "security" in op} == {str([{"HTTPBearer": []}, {"APIKeyCookie": []}])}


def test_a_read_lists_404_exactly_when_a_path_naming_nothing_gets_one(bureau: Any, sent: Sent) -> None:
    """Each path parameter replaced by one naming nothing (X99, the year 2099): 404 where the
    operation lists it, an answer where it does not (a year filters `/bonus-items/{year}`)."""
    wrong = []
    for method, path, op in operations():
        names = {p["name"]: p["schema"] for p in op.get("parameters", ()) if p["in"] == "path"}
        if method != "get" or not names:
            continue
        url = re.sub(r"\{([^}]+)\}", lambda m: "2099" if names[m.group(1)].get("type") == "integer" else "X99", path)
        r = bureau.client.get(url, headers=bureau.headers("office"))
        if (r.status_code == 404) != ("404" in op["responses"]):
            wrong.append(f"GET {url}: {r.status_code}, lists {sorted(op['responses'])}")
        wrong += undocumented("get", url, r) + [f"GET {url}: {c}" for c in changed(sent)]
    assert wrong == []


def test_an_invalid_parameter_is_a_documented_422_on_every_read(bureau: Any) -> None:
    wrong = []
    for method, path, op in operations():
        if method != "get" or "422" not in op["responses"] or path in LIVE_ONLY:
            continue
        assert any(p["name"] == "as_of" for p in op.get("parameters", ())), path  # every read with parameters reads a view
        url = re.sub(r"\{[^}]+\}", "2026", path) + "?as_of=not-a-moment"
        r = bureau.client.get(url, headers=bureau.headers("security_auditor" if path.startswith(("/audit", "/documents/audit-log")) else "office"))
        if r.status_code != 422:
            wrong.append(f"GET {url}: {r.status_code}")
        wrong += undocumented("get", url, r)
    assert wrong == []


def test_each_refusal_of_a_command_is_a_documented_problem(bureau: Any, sent: Sent) -> None:
    api = bureau
    deduction = BODIES["/deductions"] | {"occurred_on": "2026-03-10", "item": "M2"}
    json_header = {"Content-Type": "application/json"}
    answers = {
        201: api.post("unit_head", "/deductions", deduction),
        400: api.client.post("/deductions", content=b'{"person": "P02",', headers=api.headers("unit_head") | json_header),
        401: api.post(None, "/deductions", deduction),
        403: api.post("viewer", "/deductions", deduction),
        404: api.post("leading_group", "/reversals", BODIES["/reversals"] | {"entry_id": "P02:2026-01:monthly:99"}),
        409: api.post("office", "/units", BODIES["/units"] | {"code": "B01"}),
        413: api.post("unit_head", "/deductions", deduction | {"attachments": ["x" * 200_000] * 6}),
        422: api.post("unit_head", "/deductions", deduction | {"points": "-1"}),
    }
    replay = [api.post("unit_head", "/deductions", deduction | {"points": "0.5"}, key="contract-1") for _ in range(2)]
    assert len(sent) == 3  # the spy saw the three results
    wrong = [f"{status}: got {r.status_code} {r.text[:200]}" for status, r in answers.items() if r.status_code != status]
    for r in [*answers.values(), *replay]:
        wrong += undocumented("post", str(r.request.url.path), r)
    assert wrong == []
    assert "replayed" not in replay[0].json() and replay[1].json() == replay[0].json() | {"replayed": True}
    assert changed(sent) == []


# -- success schemas -----------------------------------------------------------------------------


def open_objects(schema: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """Where a schema is an object that says nothing of its fields."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return [] if name in seen else open_objects(SCHEMAS[name], name, seen | {name})
    found = []
    if schema.get("type") == "object" and not schema.get("properties") and schema.get("additionalProperties", True) is True:
        found.append(where)
    for name, item in schema.get("properties", {}).items():
        found += open_objects(item, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += open_objects(schema[key], where, seen)
    for option in schema.get("anyOf", ()):
        found += open_objects(option, where, seen)
    return found


def test_no_success_is_an_untyped_object_but_where_the_shape_is_open_on_purpose() -> None:
    found: set[str] = set()
    for method, path, op in operations():
        for status, response in op["responses"].items():
            if status.startswith("2") and "application/json" in response["content"]:
                schema = response["content"]["application/json"]["schema"]
                found.update(open_objects(schema, f"{method.upper()} {path}", set()))
    assert found == OPEN_ON_PURPOSE
