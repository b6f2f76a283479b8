"""R-Q-3 over HTTP: every read accepts `as_of` (a log position, a moment or a date) and answers
what the system showed then; the position used comes back in `X-As-Of-Position`."""

from __future__ import annotations

from typing import Any


def test_a_sheet_and_the_annual_results_as_of_before_a_reversal_R_Q_3(api: Any) -> None:
    """P02 −15 in January (85.00); reversed (100.00). As of the deduction's position: 85.00."""
    out = api.ok("supervision", "/deductions", {"person": "P02", "points": "15", "basis": "违纪", "occurred_on": "2026-01-08", "form_no": "JC-1"})
    api.ok("leading_group", "/reversals", {"entry_id": out["entry_id"], "reason": "误扣", "decision_ref": "绩领〔2026〕1号"})
    now = api.read("office", "/sheets/P02:2026-01:monthly")
    r = api.get("office", "/sheets/P02:2026-01:monthly", as_of=str(out["position"]))
    assert r.status_code == 200 and r.headers["X-As-Of-Position"] == str(out["position"])
    assert (now["score"], r.json()["score"]) == ("100.00", "85.00")
    then = api.get("office", "/ledgers/P02", year=2026, as_of=str(out["position"])).json()
    assert [e["status"] for e in then["entries"]] == ["active"]
    summary = api.get("office", "/results/2026/persons/P02", as_of=str(out["position"]))
    assert summary.status_code == 200 and summary.json()["deducted_points"] == "15.00"


def test_as_of_a_date_before_anything_shows_nothing_R_Q_3(api: Any) -> None:
    r = api.get("office", "/units", as_of="2000-01-01")
    assert r.status_code == 200 and r.json() == [] and r.headers["X-As-Of-Position"] == "0"


def test_bad_as_of_values_are_refused_R_Q_3(api: Any) -> None:
    for bad in ("yesterday", "2026-13-01", str(10**9)):
        api.problem(api.get("office", "/units", as_of=bad), 422, "INVALID_INPUT")


def test_a_person_traces_their_own_figures_not_a_colleagues_R_Q_2_R_Q_1(api: Any) -> None:
    api.ok("supervision", "/deductions", {"person": "P02", "points": "1", "basis": "迟到", "occurred_on": "2026-01-08", "form_no": "JC-1"})
    tree = api.read("staff", "/trace/sheets/P02:2026-01:monthly")
    assert tree["value"] == "99.00" and tree["children"][0]["basis"] == "迟到"
    api.problem(api.get("staff", "/trace/sheets/P03:2026-01:monthly"), 403, "FORBIDDEN")
    assert api.get("office", "/trace/results/2026/units/B01").status_code == 200
