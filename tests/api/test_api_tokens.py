"""API tokens for machine clients (接口令牌): issued by the system administrator to a user, shown
once, stored hashed, valid through an expiry date unless revoked; sealed like users. The system
administrator manages access and reads no scores and no audit log (三员分立)."""

from __future__ import annotations

from datetime import date, timedelta

from ledger.clock import Clock
from tests.api.conftest import Api
from tests.conftest import tamper


def _issue(api: Api, user_id: str = "u-staff-p02", valid_days: int = 30) -> dict:
    r = api.post("system_admin", "/tokens", {"user_id": user_id, "label": "报表系统", "valid_days": valid_days})
    assert r.status_code == 201, r.text
    return r.json()


def _as(api: Api, token: str, path: str) -> int:
    return api.client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code


def test_an_issued_token_acts_as_its_user_and_is_stored_only_hashed(api: Api) -> None:
    issued = _issue(api)
    assert issued["token"].startswith("jx_") and issued["expires_on"] == (api.service.clock.today() + timedelta(days=30)).isoformat()
    assert _as(api, issued["token"], "/ledgers/P02?year=2026") == 200  # P02's own ledger
    assert _as(api, issued["token"], "/ledgers/P05?year=2026") == 403  # not more than P02 may
    listed = api.read("system_admin", "/tokens", user="u-staff-p02")
    assert [t["token_id"] for t in listed if t["label"] == "报表系统"] == [issued["token_id"]]
    assert all("token" not in t and "token_sha256" not in t for t in listed)
    with tamper(api.service) as db:
        stored = db.execute("SELECT token_sha256 FROM api_tokens WHERE token_id = ?", (issued["token_id"],)).fetchone()[0]
    assert issued["token"] not in stored and len(stored) == 64


def test_a_token_expires_after_its_date(api: Api) -> None:
    issued = _issue(api, valid_days=1)
    last_day = date.fromisoformat(issued["expires_on"])
    api.service.clock = api.service.ledger.clock = Clock(last_day)
    assert _as(api, issued["token"], "/me") == 200  # valid through its date
    api.service.clock = api.service.ledger.clock = Clock(last_day + timedelta(days=1))
    assert _as(api, issued["token"], "/me") == 401


def test_a_revoked_token_stops_at_once_and_twice_is_a_conflict(api: Api) -> None:
    issued = _issue(api)
    assert _as(api, issued["token"], "/me") == 200
    assert api.ok("system_admin", "/tokens/revocations", {"token_id": issued["token_id"]})["token_id"] == issued["token_id"]
    assert _as(api, issued["token"], "/me") == 401
    api.problem(api.post("system_admin", "/tokens/revocations", {"token_id": issued["token_id"]}), 409, "ALREADY_EXISTS")
    api.problem(api.post("system_admin", "/tokens/revocations", {"token_id": "0" * 16}), 404, "TOKEN_NOT_FOUND")
    api.problem(api.post("system_admin", "/tokens", {"user_id": "nobody", "label": "x"}), 404, "USER_NOT_FOUND")


def test_only_the_system_administrator_issues_tokens_and_reads_nothing_else(api: Api) -> None:
    for role in ("office", "leading_group", "security_auditor", "staff", "viewer"):
        api.problem(api.post(role, "/tokens", {"user_id": "u-staff-p02", "label": "x"}), 403, "FORBIDDEN")
        api.problem(api.get(role, "/tokens"), 403, "FORBIDDEN")
    for path in ("/ledgers/P02?year=2026", "/units", "/results/2026", "/audit", "/bulletins"):
        api.problem(api.client.get(path, headers=api.headers("system_admin")), 403, "FORBIDDEN")
    api.problem(api.post("system_admin", "/deductions", {"person": "P02", "points": "1", "basis": "x", "occurred_on": "2026-01-20"}), 403, "FORBIDDEN")


def test_issuing_and_revoking_are_in_the_audit_log(api: Api) -> None:
    issued = _issue(api)
    api.ok("system_admin", "/tokens/revocations", {"token_id": issued["token_id"]})
    records = api.read("security_auditor", "/audit", action="admin:", user="u-admin", limit=10)
    assert [(r["user_id"], r["action"], r["outcome"]) for r in records] == [
        ("u-admin", "admin:RevokeToken", "accepted"), ("u-admin", "admin:IssueToken", "accepted"),
    ]  # fmt: skip


def test_a_token_edited_in_the_database_stops_working_and_fails_verify(api: Api) -> None:
    """Un-revoking a token (or moving it to another user) in the database breaks its seal."""
    issued = _issue(api)
    api.ok("system_admin", "/tokens/revocations", {"token_id": issued["token_id"]})
    with tamper(api.service) as db:
        assert db.execute("UPDATE api_tokens SET revoked_at = NULL, revoked_by = NULL WHERE token_id = ?", (issued["token_id"],)).rowcount == 1
    assert _as(api, issued["token"], "/me") == 401
    assert [p.kind for p in api.service.verify().problems] == ["token_modified"]
