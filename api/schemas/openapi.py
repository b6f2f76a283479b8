"""The OpenAPI document as the API behaves (接口文档): every error a problem document.

FastAPI documents each operation's success, and a 422 of its own (`HTTPValidationError`) that
this API never sends. `install(app)` makes the document list, for every operation, the errors it
can answer with, each `application/problem+json` with the `Problem` schema, and drops FastAPI's
validation schemas. Which errors an operation gives is read off the route, here and nowhere else:

    400  the body is not JSON, or names a key twice (api/body.py)    routes with a body
    401  not signed in: no session or API token, or an expired one    every rule but PUBLIC
    403  the read policy refuses the actor; a command's roles do;     every rule but PUBLIC, SIGNED_IN;
         a cookie write without its CSRF token; a password to change  every POST but PUBLIC
    404  what the request names does not exist                        POST but PUBLIC; reads declaring NOT_FOUND
    409  the command conflicts with the ledger's state                POST but PUBLIC
    413  the body is over JIXIAO_MAX_BODY_BYTES (api/body.py)         routes with a body
    422  a parameter or the body is invalid                           routes with either

A read declares its 404 (`responses=NOT_FOUND`) because only the route knows whether its path
names a record (`/plans/{year}`: the plan must exist) or filters (`/bonus-items/{year}`: a year
without items is an empty list). The rules come from `api.policy`, so a new route is documented
as it is guarded.
"""

from __future__ import annotations

from typing import Any, Callable

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute, iter_route_contexts

from api.policy import PUBLIC, SIGNED_IN, Rule, rules_of
from api.schemas.problems import PROBLEM_MEDIA_TYPE, Problem

REF = "#/components/schemas/{model}"

DESCRIPTIONS = {
    400: "The body is not JSON, or names a key twice (MALFORMED_JSON, DUPLICATE_KEY)",
    401: "Not signed in: no session or API token, or an expired or revoked one (UNAUTHENTICATED)",
    403: "The read policy, or the command's roles, refuse this actor (FORBIDDEN); a cookie write without its X-CSRF-Token"
    " (CSRF_TOKEN_INVALID); a password that must be changed first (PASSWORD_CHANGE_REQUIRED)",
    404: "What the request names does not exist (UNIT_NOT_FOUND, SHEET_NOT_FOUND, PLAN_NOT_FOUND, ...)",
    409: "The command conflicts with the ledger's state (ALREADY_EXISTS, SHEET_CLOSED, IDEMPOTENCY_KEY_REUSED, ...)",
    413: "The body is over the size limit (PAYLOAD_TOO_LARGE)",
    422: "A parameter or the body is invalid (INVALID_INPUT, INVALID_POINTS, ...)",
    429: "Too many attempts (TOO_MANY_ATTEMPTS)",
}

# A read whose path names a record that must exist: `responses=NOT_FOUND` on its route.
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": DESCRIPTIONS[404]}}

# FastAPI's own 422 body, which this API never sends.
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def problem_statuses(rules: tuple[Rule, ...], method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer with (the table above), besides the ones its
    route declares itself: from its read rules and what FastAPI documented of its input."""
    body = "requestBody" in operation
    # The Authorization header takes any text; a header with a constraint (Idempotency-Key) can fail.
    parameters = [p for p in operation.get("parameters", ()) if p["in"] in ("path", "query") or p["name"].lower() != "authorization"]
    statuses = set()
    if any(rule is not PUBLIC for rule in rules):
        statuses.add(401)
    if any(rule not in (PUBLIC, SIGNED_IN) for rule in rules):
        statuses.add(403)
    if method == "POST" and any(rule is not PUBLIC for rule in rules):
        statuses |= {403, 404, 409}
    if body:
        statuses |= {400, 413}
    if body or parameters:
        statuses.add(422)
    return statuses


def problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}}}


def describe_problems(document: dict[str, Any], app: FastAPI) -> None:
    """Write every operation's errors into `document` (FastAPI's, for `app`), in place."""
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute) or not context.include_in_schema:
            continue
        for method in sorted(context.methods or ()):
            operation = document["paths"][context.path_format][method.lower()]
            responses = operation["responses"]
            responses.pop("422", None)  # FastAPI's HTTPValidationError; ours is a problem
            declared = {int(status) for status in responses if status.startswith("4")}
            for status in sorted(declared | problem_statuses(rules_of(context) or (), method, operation)):
                description = responses.get(str(status), {}).get("description") or DESCRIPTIONS[status]
                responses[str(status)] = problem_response(description)
            operation["responses"] = dict(sorted(responses.items()))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    problem = Problem.model_json_schema(ref_template=REF, mode="serialization")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    document["components"]["schemas"] = dict(sorted(schemas.items()))


def declare_security(document: dict[str, Any], app: FastAPI) -> None:
    """The security schemes (api/deps.py: SECURITY_SCHEMES), and on every operation whose route
    depends on `get_principal` the requirement "one of them", as FastAPI writes it for a security
    dependency."""
    from api.deps import SECURITY_SCHEMES, get_principal

    def signed_in(dependant: Any) -> bool:
        return any(d.call is get_principal or signed_in(d) for d in dependant.dependencies)

    names = [scheme.scheme_name for scheme in SECURITY_SCHEMES]
    document.setdefault("components", {})["securitySchemes"] = {
        scheme.scheme_name: jsonable_encoder(scheme.model, by_alias=True, exclude_none=True) for scheme in SECURITY_SCHEMES
    }
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema and signed_in(route.dependant):
            for method in route.methods:
                operation = document["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    operation["security"] = [{name: []} for name in names]


def install(app: FastAPI) -> None:
    """Make `app.openapi()` (and /openapi.json) describe the problems (built once, then cached)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()  # FastAPI's document, cached on the app
            try:
                describe_problems(document, app)
                declare_security(document, app)
            except BaseException:
                app.openapi_schema = None  # never serve half a document
                raise
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
