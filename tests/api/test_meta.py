"""The service's own surface: health, OpenAPI, who am I, stats."""

from __future__ import annotations

from typing import Any

from api.routes.commands import ROUTES


def test_health_needs_no_token(api: Any) -> None:
    r = api.client.get("/health")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


def test_openapi_lists_every_command_path(api: Any) -> None:
    spec = api.client.get("/openapi.json").json()
    for path, (command, summary) in ROUTES.items():
        operation = spec["paths"][path]["post"]
        assert operation["summary"] == f"{summary} ({command.__name__})"
        assert "201" in operation["responses"]
    deduction = spec["components"]["schemas"]["RecordDeduction"]
    assert deduction["properties"]["points"]["type"] == "string"  # points travel as decimal text
    assert deduction["additionalProperties"] is False


def test_me_and_stats(api: Any) -> None:
    assert api.read("assessor", "/me") == {"user_id": "u-assessor-p09", "role": "assessor", "person": "P09", "bureau_name": "区工商局", "today": api.service.clock.today().isoformat()}
    stats = api.read("staff", "/stats")
    assert stats["events"] == api.events() == stats["position"]
    assert (stats["units"], stats["persons"]) == (4, 11)
    api.ok("unit_head", "/deductions", {"person": "P02", "points": "1", "item": "M1", "basis": "上班迟到", "occurred_on": "2026-01-12"})
    after = api.read("staff", "/stats")
    assert (after["events"], after["entries"]) == (stats["events"] + 1, stats["entries"] + 1)
