"""Who reads what over HTTP (R-Q-1, R-ORG-4): staff their own ledger and their unit's; a unit head
also the unit's staff; the oversight roles and the viewer everything. A refused read is a 403
problem. Small bureau: P02 is staff of B01, P01 heads B01, P05 heads B02.
"""

from __future__ import annotations

from typing import Any

import pytest

from api.routes.commands import ROUTES


@pytest.fixture
def entries(api: Any) -> Any:
    """One unit entry on B01 (cascading to P03) and one monthly entry on P05."""
    api.ok("assessor", "/deductions", {
        "unit": "B01", "track": "key", "points": "2", "item": "K1", "basis": "重点工作未按时序进度完成",
        "occurred_on": "2026-02-10", "responsible": [{"person": "P03"}],
    })  # fmt: skip
    api.ok("supervision", "/deductions", {"person": "P05", "points": "1", "basis": "会议无故缺席", "occurred_on": "2026-01-20", "form_no": "JC-2026-001"})
    return api


def test_staff_reads_own_ledger_and_own_units__R_Q_1(entries: Any) -> None:
    api = entries
    own = api.read("staff", "/ledgers/P02", year=2026)
    assert [s["period"] for s in own["sheets"]] == ["2026-01", "2026-02", "2026-03"]
    unit = api.read("staff", "/ledgers/B01", year=2026)
    assert [e["entry_id"] for e in unit["entries"]] == ["B01:2026-Q1:key:1"]
    assert api.read("staff", "/sheets/B01:2026-Q1:key")["score"] == "98.00"
    assert api.read("staff", "/units/B01")["head"] == "P01"
    assert len(api.read("staff", "/sheets", target="P02")) == 3
    assert [s["code"] for s in api.read("staff", "/sheets", target="B01")] == ["B01:2026-H1:routine", "B01:2026-Q1:key"]


def test_staff_does_not_list_colleagues_sheets_through_the_unit__R_Q_1(entries: Any) -> None:
    """`/sheets?unit=B01` holds P03's monthly sheets, which `/sheets/P03:...` already refuses to P02."""
    entries.problem(entries.get("staff", "/sheets", unit="B01"), 403, "FORBIDDEN")
    entries.problem(entries.get("staff", "/sheets/P03:2026-02:monthly"), 403, "FORBIDDEN")
    assert {s["target"] for s in entries.read("unit_head", "/sheets", unit="B01")} == {"B01", "P01", "P02", "P03", "P04"}


@pytest.mark.parametrize(
    "path",
    ["/ledgers/P05?year=2026", "/ledgers/P03?year=2026", "/ledgers/B02?year=2026", "/sheets/P05:2026-01:monthly",
     "/entries/P05:2026-01:monthly:1", "/persons/P05", "/units/B02", "/sheets?target=P05", "/sheets?unit=B02",
     "/sheets?unit=B01", "/entries/P03:2026-02:monthly:1"],
)  # fmt: skip
def test_staff_does_not_read_others__R_Q_1(entries: Any, path: str) -> None:
    problem = entries.problem(entries.client.get(path, headers=entries.headers("staff")), 403, "FORBIDDEN")
    assert "无权查看" in problem["detail_zh"]


def test_staff_does_not_list_the_whole_bureau__R_Q_1(entries: Any) -> None:
    for path in ("/persons", "/sheets", "/refusals"):
        entries.problem(entries.get("staff", path), 403, "FORBIDDEN")


def test_unit_head_reads_own_units_staff_not_others__R_Q_1(entries: Any) -> None:
    api = entries
    assert api.read("unit_head", "/ledgers/P03", year=2026)["entries"][0]["source"] == "cascade"
    assert api.read("unit_head", "/ledgers/B01", year=2026)["target"] == "B01"
    assert len(api.read("unit_head", "/sheets", unit="B01", period="2026-01")) == 4  # P01-P04
    assert [p["code"] for p in api.read("unit_head", "/persons", unit="B01")] == ["P01", "P02", "P03", "P04"]
    for path in ("/ledgers/P05?year=2026", "/ledgers/B02?year=2026", "/sheets/P06:2026-01:monthly", "/entries/P05:2026-01:monthly:1", "/sheets?unit=B02"):
        api.problem(api.client.get(path, headers=api.headers("unit_head")), 403, "FORBIDDEN")


def test_unit_head_reads_own_staffs_ledger_for_a_year_without_sheets__R_Q_1(api: Any) -> None:
    """P03's 2027 ledger is empty (no 2027 periods yet), but P03 is still the head's staff."""
    book = api.read("unit_head", "/ledgers/P03", year=2027)
    assert (book["sheets"], book["entries"]) == ([], [])
    api.problem(api.get("head_b02", "/ledgers/P03", year=2027), 403, "FORBIDDEN")


@pytest.mark.parametrize("role", ["viewer", "office", "supervision", "leading_group", "party_group"])
def test_oversight_roles_and_viewer_read_everything__R_Q_1(entries: Any, role: str) -> None:
    api = entries
    assert api.read(role, "/ledgers/P05", year=2026)["entries"][0]["entry_id"] == "P05:2026-01:monthly:1"
    assert api.read(role, "/entries/B01:2026-Q1:key:1")["cascades"][0]["target"] == "P03"
    assert len(api.read(role, "/persons")) == 11
    assert len(api.read(role, "/sheets", year=2026, limit=500)) == 2 + 2 + 2 + 11 * 3  # Q1 key (B01 B02); H1 routine (B01 B02) and half (D01 D02); 11 persons × 3 months
    assert api.read(role, "/refusals") == []


def test_an_assessor_reads_the_units_on_their_panel_and_their_own_ledger_only__R_Q_1_R_SHEET_5(entries: Any) -> None:
    """P09 sits on the panel that assesses B01: B01's sheets and entries, and P09's own ledger;
    not B02, not B01's staff, not the bureau's lists (the hardening review found every assessor
    reading everything)."""
    api = entries
    assert api.read("assessor", "/entries/B01:2026-Q1:key:1")["target"] == "B01"
    assert api.read("assessor", "/ledgers/B01", year=2026)["target"] == "B01"
    assert api.read("assessor", "/ledgers/P09", year=2026)["target"] == "P09"
    for path in ("/ledgers/B02?year=2026", "/ledgers/P03?year=2026", "/entries/P03:2026-02:monthly:1", "/persons", "/sheets", "/refusals", "/results/2026"):
        api.problem(api.client.get(path, headers=api.headers("assessor")), 403, "FORBIDDEN")


def test_staff_read_neither_colleagues_results_nor_units_results_nor_vetoes__R_Q_1(entries: Any) -> None:
    """Until results are publicly noticed: a unit's results for oversight and its head; persons'
    results for themselves and their head; vetoes (which name persons) for oversight and the head
    of the unit concerned."""
    api = entries
    for path in ("/results/2026/persons?unit=B01", "/results/2026/units/B01", "/results/2026/units/B02", "/results/2026/units", "/vetoes", "/vetoes?unit=B01"):
        api.problem(api.client.get(path, headers=api.headers("staff")), 403, "FORBIDDEN")
    api.problem(api.get("unit_head", "/results/2026/units/B02"), 403, "FORBIDDEN")
    api.problem(api.get("unit_head", "/vetoes"), 403, "FORBIDDEN")
    assert api.get("unit_head", "/vetoes", unit="B01").status_code == 200


def test_viewer_changes_nothing__R_ORG_4(entries: Any) -> None:
    """Every command, even one with a body that would otherwise succeed, is refused to the viewer."""
    api = entries
    from test_commands import BODIES  # the same valid bodies the command tests run

    for path in ROUTES:
        api.refused("viewer", path, BODIES[path], 403, "FORBIDDEN")
    refusals = api.read("viewer", "/refusals", limit=500)
    assert len(refusals) == len(ROUTES)
    assert {r["command"] for r in refusals} == {command.__name__ for command, _ in ROUTES.values()}
    assert {r["user_id"] for r in refusals} == {"u-viewer"}
