"""Bad input gets a clear 4xx and writes nothing (the hardening review's findings, each through HTTP
on the real store): numbers in one written form, clean text, plausible dates, codes in one
namespace, nobody deducting themselves, owner-only store files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.service import LedgerService
from ledger.clock import Clock
from tests.api.conftest import Api

PERSON_DEDUCTION = {"person": "P02", "basis": "会议无故缺席", "occurred_on": "2026-01-20", "form_no": "JC-2026-009"}


@pytest.mark.parametrize(
    "points", ["1e30", "1E+27", 10**20, "9" * 20, "٣", "1_0", " 0.5 ", "0.5\n", "+1", "-1", "1.", ".5", "0x10", "NaN", "Infinity", "１"]
)
def test_points_in_any_other_written_form_are_refused__R_SHEET_4(api: Api, points: Any) -> None:
    """Points are ASCII digits with at most one '.' (R-SHEET-4): no exponent, underscore, space,
    sign, other script's digits; a huge number is a 422, never a 500."""
    problem = api.refused("supervision", "/deductions", {**PERSON_DEDUCTION, "points": points}, 422, "INVALID_POINTS")
    assert "半角数字" in problem["detail_zh"]


@pytest.mark.parametrize("points", [10**30, "9" * 30, "1" * 100_000])
def test_points_longer_than_any_figure_are_refused_before_parsing(api: Any, points: Any) -> None:
    """A 30-digit number or a 100 kB digit string never reaches a decimal parser: 422 on the field."""
    problem = api.refused("supervision", "/deductions", {**PERSON_DEDUCTION, "points": points}, 422, "INVALID_INPUT")
    assert problem["errors"][0]["loc"][-1] == "points"


def test_points_in_the_one_written_form_are_accepted_exactly__R_SHEET_4(api: Api) -> None:
    entry = api.ok("supervision", "/deductions", {**PERSON_DEDUCTION, "points": "0.5"})
    assert api.read("viewer", f"/entries/{entry['entry_id']}")["points"] == "0.50"
    assert api.read("viewer", "/sheets/P02:2026-01:monthly")["score"] == "99.50"  # 100 − 0.5


@pytest.mark.parametrize("basis", ["   ", "\u3000\u3000", "扣分\x00依据", "扣分\x07", "依据\u202e反向", "依据\u2066隔离\u2069"])
def test_blank_or_control_text_is_refused(api: Api, basis: str) -> None:
    """A basis made only of spaces, or holding NUL/BEL or bidirectional controls, is refused."""
    problem = api.refused("supervision", "/deductions", {**PERSON_DEDUCTION, "points": "1", "basis": basis}, 422, "INVALID_INPUT")
    assert problem["errors"][0]["loc"][-1] == "basis"


def test_text_with_line_breaks_is_kept(api: Api) -> None:
    entry = api.ok("supervision", "/deductions", {**PERSON_DEDUCTION, "points": "1", "basis": "第一条；\n第二条"})
    assert api.read("viewer", f"/entries/{entry['entry_id']}")["basis"] == "第一条；\n第二条"


def test_a_fact_after_today_is_refused(api: Api) -> None:
    """On 2026-11-25 (Beijing), a deduction for a fact of 2027-03-31 is refused; one of that day is not."""
    api.service.ledger.clock = Clock(date(2026, 11, 25))
    problem = api.refused("supervision", "/deductions", {**PERSON_DEDUCTION, "points": "1", "occurred_on": "2026-11-26"}, 422, "FACT_IN_FUTURE")
    assert problem["today"] == "2026-11-25"
    api.refused("office", "/missed-deductions", {"person": "P02", "points": "1", "basis": "应扣未扣", "occurred_on": "2026-01-05", "found_on": "2026-11-30"}, 422, "FACT_IN_FUTURE")  # fmt: skip


def test_a_birth_date_of_1800_is_refused(api: Api) -> None:
    body = {"code": "P90", "name": "王五", "gender": "male", "birth_date": "1800-01-01", "unit": "B01", "joined_on": "2026-01-01"}
    api.refused("office", "/persons", body, 422, "INVALID_INPUT")
    api.ok("office", "/persons", {**body, "birth_date": "1990-05-01"})


@pytest.mark.parametrize("code", ["😀", "*", "B 09", "B:09", "分局九", "x" * 33, ""])
def test_unit_codes_follow_one_pattern(api: Api, code: str) -> None:
    api.refused("office", "/units", {"code": code, "name": "新单位", "kind": "branch", "registered_on": "2026-01-01"}, 422, "INVALID_INPUT")


def test_units_and_persons_share_one_namespace_of_codes(api: Api) -> None:
    """A person coded like a unit (B02) would be read as that unit: refused; and the other way round."""
    body = {"code": "B02", "name": "王五", "gender": "male", "birth_date": "1990-05-01", "unit": "B01", "joined_on": "2026-01-01"}
    problem = api.refused("office", "/persons", body, 409, "ALREADY_EXISTS")
    assert problem["unit"] == "B02"
    problem = api.refused("office", "/units", {"code": "P02", "name": "新单位", "kind": "branch", "registered_on": "2026-01-01"}, 409, "ALREADY_EXISTS")
    assert problem["person"] == "P02"


def test_a_unit_head_never_deducts_themselves(api: Api) -> None:
    """P01 heads B01: a deduction on P01's own monthly sheet is for the office or the supervision office."""
    body = {"person": "P01", "points": "1", "item": "M1", "basis": "会议无故缺席", "occurred_on": "2026-01-20"}
    api.refused("unit_head", "/deductions", body, 403, "SELF_DEDUCTION")
    api.ok("unit_head", "/deductions", {**body, "person": "P02"})  # a member of B01: allowed


def test_the_sqlite_store_is_owner_only(tmp_path: Path) -> None:
    """The store holds personal data: its folder 0700 and its files 0600, whatever the umask."""
    from api.service import LedgerService

    old = os.umask(0o022)
    try:
        service = LedgerService(f"sqlite:///{tmp_path / 'store' / 'jixiao.db'}")
        try:
            files = [p for p in (tmp_path / "store").iterdir()]
            assert stat.S_IMODE((tmp_path / "store").stat().st_mode) == 0o700
            assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files), [(p.name, oct(p.stat().st_mode)) for p in files]
        finally:
            service.close()
    finally:
        os.umask(old)


def test_jixiao_user_add_refuses_a_person_not_on_the_roster(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "JIXIAO_DATABASE_URL": url}
    cli = [sys.executable, "-m", "api.cli", "user", "add", "u-x", "--name", "某人", "--role", "office"]
    refused = subprocess.run([*cli, "--person", "P9999"], env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert refused.returncode == 2, refused.stderr
    assert "人员不在名册中" in refused.stderr
    made = subprocess.run(cli, env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert made.returncode == 0 and "初始密码" in made.stdout, made.stderr
    password = made.stdout.strip().rsplit(" ", 1)[-1]
    service = LedgerService(url)
    try:  # the printed password signs in, and must be changed first
        principal, _ = service.accounts.sign_in("u-x", password, None, "bearer")
        assert principal.must_change_password and principal.actor.role.value == "office"
    finally:
        service.close()


@pytest.mark.parametrize("as_of", ["%C2%B2", "%D9%A3", "%EF%BC%93", "2026-13-45", "yesterday"])
def test_as_of_in_another_script_or_form_is_a_422(api: Api, as_of: str) -> None:
    """`?as_of=²` and `?as_of=٣` were a 500 and position 3: a position is ASCII digits (R-Q-3)."""
    for path in ("/stats", "/sheets/P02:2026-01:monthly", "/results/2026/summary"):
        r = api.client.get(f"{path}?as_of={as_of}", headers=api.headers("office"))
        api.problem(r, 422, "INVALID_INPUT")


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_working_days_far_from_any_calendar_are_a_422(api: Api, start: str) -> None:
    api.problem(api.get("office", "/calendar/working-days", start=start, working_days=3), 422, "INVALID_INPUT")


def test_working_days_within_the_calendar_are_counted(api: Api) -> None:
    """From Friday 2026-09-25, 3 working days: 28, 29, 30 September (R-CAL-2)."""
    assert api.read("office", "/calendar/working-days", start="2026-09-25", working_days=3)["deadline"] == "2026-09-30"


def test_a_key_named_twice_refuses_the_body(api: Api) -> None:
    """`{"points": "1", "points": "9"}` would mean whichever came last: refused, nothing written."""
    before = api.events()
    body = '{"person": "P02", "points": "1", "points": "9", "basis": "迟到", "occurred_on": "2026-01-20", "form_no": "JC-1"}'
    r = api.client.post("/deductions", content=body, headers={**api.headers("supervision"), "Content-Type": "application/json"})
    problem = api.problem(r, 400, "DUPLICATE_KEY")
    assert "points" in problem["detail"] and problem["detail_zh"] == "请求体中同一字段出现了两次"
    assert api.events() == before


def test_a_body_over_the_limit_is_a_413_and_writes_nothing(api: Api) -> None:
    """Ten 1 MB attachment strings were once stored; a body over the limit (1 MB by default,
    `JIXIAO_MAX_BODY_BYTES`) is refused before it is parsed."""
    before = api.events()
    body = {**PERSON_DEDUCTION, "points": "1", "attachments": ["x" * 200_000] * 6}
    problem = api.problem(api.post("supervision", "/deductions", body), 413, "PAYLOAD_TOO_LARGE")
    assert problem["detail_zh"] == "请求内容过大"
    assert api.events() == before


def test_attachment_references_are_short(api: Api) -> None:
    """Files come with the UI; a reference to one is at most 200 characters, at most 20 of them."""
    api.refused("supervision", "/deductions", {**PERSON_DEDUCTION, "points": "1", "attachments": ["x" * 201]}, 422, "INVALID_INPUT")
    api.refused("supervision", "/deductions", {**PERSON_DEDUCTION, "points": "1", "attachments": ["a.pdf"] * 21}, 422, "INVALID_INPUT")


def test_a_streamed_body_over_the_limit_is_a_413_too(api: Api) -> None:
    """Without a Content-Length the bytes are counted as they arrive."""
    before = api.events()
    chunks = (b'{"attachments": ["' + b"x" * 400_000, b"x" * 400_000, b"x" * 400_000 + b'"]}')
    r = api.client.post("/deductions", content=iter(chunks), headers={**api.headers("supervision"), "Content-Type": "application/json"})
    api.problem(r, 413, "PAYLOAD_TOO_LARGE")
    assert api.events() == before


def test_a_veto_or_a_bonus_for_a_fact_after_today_is_refused(api: Api) -> None:
    """The same rule for every fact a command records: not after today (Beijing)."""
    api.service.ledger.clock = Clock(date(2026, 6, 30))
    veto = {"code": "V-9", "year": 2026, "unit": "B02", "kind": "safety_accident", "persons": [], "occurred_on": "2026-07-01",
            "reason": "重大安全事故", "decision_ref": "绩领〔2026〕5号"}  # fmt: skip
    assert api.refused("leading_group", "/vetoes", veto, 422, "FACT_IN_FUTURE")["field"] == "occurred_on"


@pytest.mark.parametrize("path", ["/health", "/me", "/sheets/P02:2026-01:monthly", "/no-such-route"])
def test_every_response_carries_the_security_headers(api: Api, path: str) -> None:
    """Content-Security-Policy, nosniff, no framing, no Referer, no shared cache: on answers and
    on problems alike."""
    r = api.get("staff", path)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_cors_is_off_unless_configured(api: Api) -> None:
    r = api.client.options("/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in r.headers
    r = api.client.get("/me", headers={**api.headers("staff"), "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
