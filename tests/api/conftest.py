"""HTTP fixtures: the small bureau (tests/conftest.py) behind a `TestClient`, one API token per role.

`api` wraps the client so a test reads as "who does what": `api.post("office", "/units", {...})`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from ledger.domain.actors import Actor, Role
from api.service import LedgerService

# role name used in tests -> (user id, name, role, person)
USERS: dict[str, tuple[str, str, Role, str | None]] = {
    "office": ("u-office", "考核办公室", Role.OFFICE, None),
    "leading_group": ("u-leading", "绩效管理领导小组", Role.LEADING_GROUP, None),
    "supervision": ("u-supervision", "监察室", Role.SUPERVISION, None),
    "assessor": ("u-assessor-p09", "周涛", Role.ASSESSOR, "P09"),  # on the panel for B01 only
    "unit_head": ("u-head-p01", "张建国", Role.UNIT_HEAD, "P01"),  # head of B01
    "head_b02": ("u-head-p05", "陈志强", Role.UNIT_HEAD, "P05"),  # head of B02
    "staff": ("u-staff-p02", "李秀兰", Role.STAFF, "P02"),  # staff of B01
    "party_group": ("u-party", "局党组", Role.PARTY_GROUP, None),
    "viewer": ("u-viewer", "审计查看", Role.VIEWER, None),
    "security_auditor": ("u-auditor", "安全审计员", Role.SECURITY_AUDITOR, None),  # reads the audit log only
    "system_admin": ("u-admin", "系统管理员", Role.SYSTEM_ADMIN, None),  # manages users and API tokens only
}


def token_of(role: str) -> str:
    return f"{USERS[role][0]}-token"


@dataclass
class Api:
    """The HTTP client with a token per role, and the service behind it (to count events)."""

    client: TestClient
    service: LedgerService

    def headers(self, role: str | None, key: str | None = None) -> dict[str, str]:
        h = {} if role is None else {"Authorization": f"Bearer {token_of(role)}"}
        if key is not None:
            h["Idempotency-Key"] = key
        return h

    def post(self, role: str | None, path: str, body: Any, key: str | None = None) -> Response:
        return self.client.post(path, json=body, headers=self.headers(role, key))

    def get(self, role: str | None, path: str, **params: Any) -> Response:
        return self.client.get(path, params=params or None, headers=self.headers(role))

    def ok(self, role: str, path: str, body: Any) -> dict[str, Any]:
        """POST a command that must succeed; returns its result."""
        r = self.post(role, path, body)
        assert r.status_code == 201, r.text
        return r.json()

    def read(self, role: str, path: str, **params: Any) -> Any:
        """GET that must succeed; returns the JSON."""
        r = self.get(role, path, **params)
        assert r.status_code == 200, r.text
        return r.json()

    def events(self) -> int:
        return self.service.queries.event_count()

    def refused(self, role: str | None, path: str, body: Any, status: int, code: str, key: str | None = None) -> dict[str, Any]:
        """POST a command that must be refused with `status`/`code` and write no event."""
        before = self.events()
        problem = assert_problem(self.post(role, path, body, key), status, code)
        assert self.events() == before, f"a refused {path} wrote {self.events() - before} event(s)"
        return problem

    @staticmethod
    def problem(r: Response, status: int, code: str) -> dict[str, Any]:
        return assert_problem(r, status, code)


def assert_problem(r: Response, status: int, code: str) -> dict[str, Any]:
    """An RFC 9457 problem with our stable code and both messages; returns its body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].split(";")[0] == "application/problem+json"
    body = r.json()
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["type"].startswith("https://") and body["type"].endswith(code.lower().replace("_", "-"))
    for field in ("title", "detail", "detail_zh"):
        assert isinstance(body[field], str) and body[field], (field, body)
    return body


SETUP = Actor(user_id="test-setup", role=Role.SYSTEM_ADMIN)  # creates the test users, in the audit log


def add_users(service: LedgerService) -> None:
    """Each user as an account without a password (no Argon2 hash to compute per test) and an API
    token `<user id>-token`, issued as the administrator would. Sign-in is tested on its own
    accounts (tests/api/test_accounts.py)."""
    for user_id, name, role, person in USERS.values():
        service.accounts.create(SETUP, None, user_id, name, role, person, initial_password=None)
        service.accounts.issue_token(SETUP, None, user_id, "tests", 366, secret=f"{user_id}-token")


@pytest.fixture
def api(bureau: Any) -> Iterator[Api]:
    """The small bureau (units B01 B02 D01 D02, plan 2026) over HTTP."""
    add_users(bureau.service)
    with TestClient(create_app(bureau.service)) as client:
        yield Api(client, bureau.service)


@pytest.fixture
def empty_api(service: LedgerService) -> Iterator[Api]:
    """An empty store over HTTP, with the same users."""
    add_users(service)
    with TestClient(create_app(service)) as client:
        yield Api(client, service)


@pytest.fixture(scope="module")
def module_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The small bureau over HTTP, built once for a module whose tests only read (GET writes
    nothing, so they cannot disturb each other)."""
    from tests.conftest import build_bureau

    service = LedgerService(f"sqlite:///{tmp_path_factory.mktemp('bureau') / 'ledger.db'}")
    build_bureau(service)
    add_users(service)
    with TestClient(create_app(service)) as client:
        yield Api(client, service)
    service.close()
