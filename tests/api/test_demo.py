"""The demo bureau (演示工商局) over HTTP, with the demo accounts' API tokens (as `jixiao demo`
prints them): 19 units, 154 persons, a year of entries and corrections.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.demo.accounts import create_demo_accounts, demo_token
from ledger.demo.bureau import DemoBureau, build_demo
from ledger.domain.actors import Role
from api.service import LedgerService


class DemoApi:
    def __init__(self, client: TestClient, service: LedgerService, bureau: DemoBureau) -> None:
        self.client, self.service, self.bureau = client, service, bureau

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {demo_token(self.service.accounts, f'demo-{user}')}"}

    def get(self, user: str, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params or None, headers=self.auth(user))

    def read(self, user: str, path: str, **params: Any) -> Any:
        r = self.get(user, path, **params)
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, user: str, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers=self.auth(user))


def _demo(path: Path, months: int) -> Iterator[DemoApi]:
    service = LedgerService(f"sqlite:///{path / 'demo.db'}")
    bureau = build_demo(service.ledger, months=months)
    create_demo_accounts(service.accounts, bureau)
    try:
        with TestClient(create_app(service)) as client:
            yield DemoApi(client, service, bureau)
    finally:
        service.close()


@pytest.fixture(scope="module")
def year_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApi]:
    """The full default demo year, built once and only read by the tests that use it."""
    yield from _demo(tmp_path_factory.mktemp("demo-year"), months=12)


@pytest.fixture
def short_demo(tmp_path: Path) -> Iterator[DemoApi]:
    """Four months of the demo, for tests that write (four is the fewest it builds, see below)."""
    yield from _demo(tmp_path, months=4)


def test_full_demo_year_over_http(year_demo: DemoApi) -> None:
    demo = year_demo
    units = demo.read("viewer", "/units")
    assert len(units) >= 10
    assert {u["kind"] for u in units} == {"branch", "department"}
    # Page through the roster: 50 at a time, ordered by code, no overlap, no gap.
    codes: list[str] = []
    for offset in range(0, 1000, 50):
        page = demo.read("viewer", "/persons", limit=50, offset=offset)
        codes += [p["code"] for p in page]
        if len(page) < 50:
            break
    assert len(codes) >= 150 and codes == sorted(set(codes))
    assert len(codes) == demo.read("viewer", "/stats")["persons"]
    assert demo.get("viewer", "/persons", limit=501).status_code == 422  # the page limit is 500
    # Live scores: some sheets are below 100, and each is 100 − Σ its active entries (R-SHEET-1).
    key_sheets = demo.read("office", "/sheets", year=2026, track="key", limit=500)
    below = [s for s in key_sheets if Decimal(s["score"]) < 100]
    assert below
    for s in below:
        sheet = demo.read("office", f"/sheets/{s['code']}")
        active = sum((Decimal(e["points"]) for e in sheet["entries"] if e["status"] == "active"), Decimal(0))
        assert Decimal(sheet["score"]) == max(Decimal(0), 100 - active), s["code"]
    monthly_below = demo.read("office", "/sheets", period="2026-06", track="monthly", limit=500)
    assert any(Decimal(s["score"]) < 100 for s in monthly_below)


def test_demo_users_get_their_roles(year_demo: DemoApi) -> None:
    demo = year_demo
    assert demo.read("office", "/me")["role"] == "office"
    assert demo.read("staff", "/me")["person"] == demo.bureau.members["B01"][3]
    assert demo.read("unit-head", "/me") == {"user_id": "demo-unit-head", "role": "unit_head", "person": demo.bureau.heads["B01"], "bureau_name": "区工商局", "today": demo.service.clock.today().isoformat()}


def test_demo_staff_reads_own_and_units_ledger_only__R_Q_1(year_demo: DemoApi) -> None:
    demo = year_demo
    me = demo.bureau.members["B01"][3]
    own = demo.read("staff", f"/ledgers/{me}", year=2026)
    assert len(own["sheets"]) == 12  # R-STAFF-1: one sheet a month
    assert demo.read("staff", "/ledgers/B01", year=2026)["target"] == "B01"
    assert demo.get("staff", f"/ledgers/{demo.bureau.heads['B02']}", year=2026).status_code == 403
    # The head of B01 reads B01's staff, not B02's.
    assert demo.read("unit-head", f"/ledgers/{me}", year=2026)["target"] == me
    assert demo.get("unit-head", f"/ledgers/{demo.bureau.members['B02'][2]}", year=2026).status_code == 403


def test_demo_corrections_are_visible__R_FIX_1_R_CASCADE_1_R_CASCADE_2(year_demo: DemoApi) -> None:
    demo = year_demo
    reversal = demo.bureau.notes["reversal"]["reversed"]
    unit_entry = demo.read("viewer", f"/entries/{reversal[0]}")
    assert unit_entry["status"] == "reversed" and unit_entry["reversal_ref"] == "绩领〔2026〕3号"
    assert [c["status"] for c in unit_entry["cascades"]] == ["reversed"] * len(unit_entry["cascades"]) and unit_entry["cascades"]
    amendment = demo.bureau.notes["amendment"]
    new = demo.read("viewer", f"/entries/{amendment['entry_id']}")
    assert (new["points"], new["status"], new["amends"]) == ("1.00", "active", amendment["reversed"][0])
    finding = demo.bureau.notes["missed_finding"]
    double = demo.read("viewer", f"/entries/{finding['head_entry_id']}")
    person = demo.read("viewer", f"/entries/{finding['entry_id']}")
    assert Decimal(double["points"]) == 2 * Decimal(person["points"]) == Decimal("3")


def test_demo_commands_over_http(short_demo: DemoApi) -> None:
    demo = short_demo
    member = demo.bureau.members["B01"][5]
    body = {"person": member, "points": "0.5", "item": "M1", "basis": "着装不规范", "occurred_on": "2026-04-08"}
    events = demo.service.queries.event_count()
    assert demo.get("staff", f"/sheets/{member}:2026-04:monthly").status_code == 403  # a colleague's sheet (R-Q-1)
    r = demo.post("unit-head", "/deductions", body)
    assert r.status_code == 201, r.text
    assert demo.service.queries.event_count() == events + 1
    sheet = demo.read("unit-head", f"/sheets/{member}:2026-04:monthly")
    assert r.json()["entry_id"] in [e["entry_id"] for e in sheet["entries"]]
    # January was published by the demo: closed to hand entries (R-SHEET-3).
    r = demo.post("unit-head", "/deductions", body | {"occurred_on": "2026-01-08"})
    assert (r.status_code, r.json()["code"]) == (409, "SHEET_CLOSED")
    # Q1 key sheets were published too; the assessor's entry there is refused.
    unit_body = {"unit": "B01", "track": "key", "points": "1", "item": "K1", "basis": "信息报送迟报", "occurred_on": "2026-02-10", "responsible": [{"person": member}]}
    r = demo.post("assessor", "/deductions", unit_body)
    assert (r.status_code, r.json()["code"]) == (409, "SHEET_CLOSED")
    r = demo.post("viewer", "/deductions", body)
    assert (r.status_code, r.json()["code"]) == (403, "FORBIDDEN")
    assert demo.service.queries.event_count() == events + 1


def test_demo_builds_with_three_months(tmp_path: Path) -> None:
    service = LedgerService(f"sqlite:///{tmp_path / 'demo3.db'}")
    try:
        build_demo(service.ledger, months=3)
        assert service.queries.summary()["persons"] >= 150
    finally:
        service.close()


def test_the_demo_accounts_sign_in_with_the_passwords_printed_at_start(year_demo: DemoApi, capsys: pytest.CaptureFixture[str]) -> None:
    """One account per role, marked demo-only; what `jixiao run` prints signs in (and changed or
    revoked credentials are not printed)."""
    from api.cli import _print_demo_accounts
    from ledger.demo.accounts import demo_credentials

    assert _print_demo_accounts(year_demo.service)
    printed = capsys.readouterr().out
    assert "仅供演示" in printed and "DEMO ONLY" in printed
    found = demo_credentials(year_demo.service.accounts)
    assert {c.role for c in found} == set(Role) and len(found) == len(Role)
    for c in found:
        assert c.password is not None and c.password in printed and c.token is not None and c.token in printed
        year_demo.client.cookies.clear()
        r = year_demo.client.post("/auth/login", json={"login": c.user_id, "password": c.password})
        assert r.status_code == 200 and r.json()["role"] == c.role.value and not r.json()["must_change_password"], r.text
    year_demo.client.cookies.clear()


def test_demo_accounts_on_a_non_loopback_address_are_warned_about(year_demo: DemoApi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from api.cli import _serve

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    _serve(year_demo.service, "127.0.0.1", 8000, demo_accounts=True)
    assert "警告" not in capsys.readouterr().err
    _serve(year_demo.service, "0.0.0.0", 8000, demo_accounts=True)
    assert "警告：演示账户" in capsys.readouterr().err
    _serve(year_demo.service, "0.0.0.0", 8000, demo_accounts=False)
    assert "警告" not in capsys.readouterr().err
