"""Bad input over HTTP: a clear 4xx as an RFC 9457 problem (application/problem+json with type,
title, status, a stable `code`, `detail` and `detail_zh`), and not one event written.

`api.refused` posts, checks the problem's shape and code, and compares the event count before
and after. Same small bureau as test_commands.py.
"""

from __future__ import annotations

from typing import Any

import pytest

PERSON_DEDUCTION = {"person": "P02", "points": "1", "item": "M1", "basis": "上班迟到", "occurred_on": "2026-01-12"}
UNIT_DEDUCTION = {
    "unit": "B01", "track": "key", "points": "2", "item": "K1", "basis": "重点工作未按时序进度完成",
    "occurred_on": "2026-02-10", "responsible": [{"person": "P03"}],
}  # fmt: skip


# -- unknown things ----------------------------------------------------------------------------


def test_unknown_unit_is_404__R_SHEET_4(api: Any) -> None:
    problem = api.refused("assessor", "/deductions", UNIT_DEDUCTION | {"unit": "B99"}, 404, "UNIT_NOT_FOUND")
    assert problem["unit"] == "B99" and "B99" in problem["detail_zh"]
    api.refused("office", "/units/heads", {"unit": "B99", "person": "P01", "effective_from": "2026-01-01"}, 404, "UNIT_NOT_FOUND")


def test_unknown_person_is_404__R_SHEET_4(api: Any) -> None:
    problem = api.refused("unit_head", "/deductions", PERSON_DEDUCTION | {"person": "P99"}, 404, "PERSON_NOT_FOUND")
    assert problem["person"] == "P99"
    api.refused("assessor", "/deductions", UNIT_DEDUCTION | {"responsible": [{"person": "P99"}]}, 404, "PERSON_NOT_FOUND")
    api.refused("office", "/persons/transfers", {"person": "P99", "unit": "B02", "effective_from": "2026-04-01"}, 404, "PERSON_NOT_FOUND")


def test_unknown_sheet_and_entry_are_404(api: Any) -> None:
    api.problem(api.get("office", "/sheets/B01:2026-Q1:nothing"), 404, "SHEET_NOT_FOUND")
    api.problem(api.get("office", "/entries/B01:2026-Q1:key:7"), 404, "ENTRY_NOT_FOUND")
    api.problem(api.get("office", "/ledgers/X42", year=2026), 404, "UNIT_NOT_FOUND")
    api.problem(api.get("office", "/persons/P99"), 404, "PERSON_NOT_FOUND")
    api.refused("office", "/sheets/submissions", {"sheet": "P02:2026-01:nothing"}, 404, "SHEET_NOT_FOUND")
    api.refused("office", "/sheets/submissions", {"sheet": "P02:2026-09:monthly"}, 404, "PERIOD_NOT_OPEN")
    api.refused("leading_group", "/reversals", {"entry_id": "B01:2026-Q1:key:7", "reason": "r", "decision_ref": "d"}, 404, "ENTRY_NOT_FOUND")
    api.refused("leading_group", "/amendments", {"entry_id": "not-an-entry", "points": "1", "reason": "r", "decision_ref": "d"}, 422, "INVALID_INPUT")


# -- points (R-SHEET-4: a positive decimal with at most two places, never a float) --------------


@pytest.mark.parametrize("points", ["0", "-1", "0.001", "abc", "NaN", "Infinity", "100.01"])
def test_points_that_are_not_a_positive_two_place_decimal_are_refused__R_SHEET_4(api: Any, points: str) -> None:
    problem = api.refused("unit_head", "/deductions", PERSON_DEDUCTION | {"points": points}, 422, "INVALID_POINTS")
    assert problem["field"] == "points"
    assert api.read("office", "/sheets/P02:2026-01:monthly")["score"] == "100.00"


@pytest.mark.parametrize("points", [0.5, 1.0, True])
def test_points_as_a_json_float_or_bool_are_refused__R_SHEET_4(api: Any, points: Any) -> None:
    problem = api.refused("unit_head", "/deductions", PERSON_DEDUCTION | {"points": points}, 422, "INVALID_INPUT")
    assert problem["errors"][0]["loc"] == ["body", "points"]


def test_a_json_integer_is_an_exact_decimal__R_SHEET_4(api: Any) -> None:
    api.ok("unit_head", "/deductions", PERSON_DEDUCTION | {"points": 2})
    assert api.read("staff", "/sheets/P02:2026-01:monthly")["score"] == "98.00"


def test_points_beyond_the_items_cap_are_refused__R_SHEET_2(api: Any) -> None:
    problem = api.refused("assessor", "/deductions", UNIT_DEDUCTION | {"points": "60.01"}, 409, "ITEM_CAP_EXCEEDED")
    assert (problem["item"], problem["points_max"], problem["already"]) == ("K1", "60.00", "0")
    api.ok("assessor", "/deductions", UNIT_DEDUCTION | {"points": "59.5"})
    # 59.5 already against K1 (max 60): 0.5 more fits, 0.51 does not.
    problem = api.refused("assessor", "/deductions", UNIT_DEDUCTION | {"points": "0.51"}, 409, "ITEM_CAP_EXCEEDED")
    assert problem["already"] == "59.50"
    api.ok("assessor", "/deductions", UNIT_DEDUCTION | {"points": "0.5"})
    assert api.read("office", "/sheets/B01:2026-Q1:key")["score"] == "40.00"


def test_item_required_and_unknown_item__R_SHEET_2(api: Any) -> None:
    no_item = {k: v for k, v in PERSON_DEDUCTION.items() if k != "item"}
    api.refused("unit_head", "/deductions", no_item, 422, "ITEM_REQUIRED")
    problem = api.refused("unit_head", "/deductions", PERSON_DEDUCTION | {"item": "M9"}, 422, "ITEM_UNKNOWN")
    assert problem["item"] == "M9"


def test_item_maxima_must_sum_to_100__R_SHEET_2(api: Any) -> None:
    items = {"monthly": [{"code": "M1", "title": "工作纪律", "points_max": "50"}, {"code": "M2", "title": "工作效能", "points_max": "40"}]}
    problem = api.refused("office", "/periods", {"period": "2026-04", "items": items}, 422, "ITEMS_INVALID")
    assert problem["total"] == "90.00"


# -- state and actor rules ------------------------------------------------------------------------


def test_deduction_on_a_submitted_sheet_is_refused__R_SHEET_3(api: Any) -> None:
    api.ok("unit_head", "/sheets/submissions", {"sheet": "P02:2026-01:monthly"})
    problem = api.refused("unit_head", "/deductions", PERSON_DEDUCTION, 409, "SHEET_CLOSED")
    # The sheet's state travels as `sheet_status`: `status` is the problem's HTTP status.
    assert (problem["sheet"], problem["status"], problem["sheet_status"]) == ("P02:2026-01:monthly", 409, "submitted")
    assert "不能再登记扣分" in problem["detail_zh"]


def test_assessor_off_the_panel_is_refused_and_logged__R_SHEET_5(api: Any) -> None:
    problem = api.refused("assessor", "/deductions", UNIT_DEDUCTION | {"unit": "B02", "responsible": [{"person": "P06"}]}, 403, "ASSESSOR_NOT_ON_PANEL")
    assert (problem["unit"], problem["assessor"], problem["period"]) == ("B02", "P09", "2026-Q1")
    assert api.read("viewer", "/refusals", limit=1)[0]["code"] == "ASSESSOR_NOT_ON_PANEL"


def test_unit_head_may_deduct_only_own_staff__R_ORG_4(api: Any) -> None:
    problem = api.refused("unit_head", "/deductions", PERSON_DEDUCTION | {"person": "P06"}, 403, "NOT_UNIT_HEAD")
    assert problem["unit"] == "B02"
    api.refused("unit_head", "/deductions", UNIT_DEDUCTION, 403, "FORBIDDEN")  # a unit is deducted by its assessors


def test_wrong_role_is_refused_and_logged__R_ORG_4(api: Any) -> None:
    problem = api.refused("staff", "/deductions", PERSON_DEDUCTION, 403, "FORBIDDEN")
    assert (problem["role"], problem["command"]) == ("staff", "RecordDeduction")
    assert "无权" in problem["detail_zh"]
    latest = api.read("office", "/refusals", limit=1)[0]
    assert (latest["user_id"], latest["role"], latest["command"], latest["code"]) == ("u-staff-p02", "staff", "RecordDeduction", "FORBIDDEN")


def test_unit_deduction_names_responsible_persons_of_that_unit__R_CASCADE_1(api: Any) -> None:
    api.refused("assessor", "/deductions", UNIT_DEDUCTION | {"responsible": []}, 422, "RESPONSIBLE_REQUIRED")
    problem = api.refused("assessor", "/deductions", UNIT_DEDUCTION | {"responsible": [{"person": "P06"}]}, 422, "RESPONSIBLE_NOT_IN_UNIT")
    assert problem["person"] == "P06"
    api.refused("assessor", "/deductions", UNIT_DEDUCTION | {"responsible": [{"person": "P03", "points": 0.5}]}, 422, "INVALID_INPUT")
    api.refused("assessor", "/deductions", UNIT_DEDUCTION | {"responsible": [{"person": "P03", "points": "0.005"}]}, 422, "INVALID_POINTS")
    # A failed cascade leaves nothing half-written: the unit sheet and P03's sheet are untouched.
    assert api.read("office", "/sheets/B01:2026-Q1:key")["entries_total"] == 0
    assert api.read("office", "/sheets/P03:2026-02:monthly")["entries_total"] == 0


# -- the shape of the request --------------------------------------------------------------------


def test_malformed_json_is_400(api: Any) -> None:
    before = api.events()
    r = api.client.post("/deductions", content=b'{"person": "P02", "points": ', headers=api.headers("unit_head") | {"Content-Type": "application/json"})
    problem = api.problem(r, 400, "MALFORMED_JSON")
    assert problem["detail_zh"] == "请求体不是合法的 JSON"
    assert api.events() == before


def test_missing_fields_are_listed(api: Any) -> None:
    problem = api.refused("unit_head", "/deductions", {"person": "P02", "points": "1"}, 422, "INVALID_INPUT")
    missing = sorted(e["loc"][-1] for e in problem["errors"] if e["type"] == "missing")
    assert missing == ["basis", "occurred_on"]


def test_extra_unknown_fields_are_refused(api: Any) -> None:
    problem = api.refused("unit_head", "/deductions", PERSON_DEDUCTION | {"score": "100"}, 422, "INVALID_INPUT")
    assert problem["errors"] == [{"loc": ["body", "score"], "type": "extra_forbidden", "msg": "Extra inputs are not permitted"}]


def test_body_that_is_not_an_object_is_refused(api: Any) -> None:
    api.refused("office", "/plans", [2027], 422, "INVALID_INPUT")
    api.refused("office", "/plans", {"year": "next"}, 422, "INVALID_INPUT")
    api.refused("office", "/plans", {"year": 1999}, 422, "INVALID_INPUT")


def test_bad_dates_and_enums_are_refused(api: Any) -> None:
    api.refused("unit_head", "/deductions", PERSON_DEDUCTION | {"occurred_on": "2026-02-30"}, 422, "INVALID_INPUT")
    api.refused("office", "/units", {"code": "B03", "name": "城南分局", "kind": "bureau", "registered_on": "2026-04-01"}, 422, "INVALID_INPUT")
    api.refused("office", "/periods", {"period": "2026-13"}, 422, "INVALID_INPUT")


# -- authentication ------------------------------------------------------------------------------


def test_missing_token_is_401(api: Any) -> None:
    r = api.post(None, "/deductions", PERSON_DEDUCTION)
    assert api.problem(r, 401, "UNAUTHENTICATED")["detail_zh"] == "未登录或登录已过期，请重新登录"
    assert r.headers["www-authenticate"] == "Bearer"
    api.problem(api.get(None, "/sheets/P02:2026-01:monthly"), 401, "UNAUTHENTICATED")


def test_unknown_token_and_wrong_scheme_are_401(api: Any) -> None:
    before = api.events()
    for value in ("Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer", f"Token {'u-office-token'}"):
        r = api.client.post("/deductions", json=PERSON_DEDUCTION, headers={"Authorization": value})
        api.problem(r, 401, "UNAUTHENTICATED")
    assert api.events() == before
    r = api.client.get("/me", headers={"Authorization": "Bearer u-office-token"})
    assert {k: r.json()[k] for k in ("user_id", "role", "person")} == {"user_id": "u-office", "role": "office", "person": None}


def test_malformed_json_without_a_token_is_401_not_400(api: Any) -> None:
    """Authentication comes first: an anonymous client learns nothing about the body's parsing."""
    r = api.client.post("/deductions", content=b"{not json", headers={"Content-Type": "application/json"})
    api.problem(r, 401, "UNAUTHENTICATED")


def test_unknown_path_and_method_are_problems(api: Any) -> None:
    api.problem(api.get("office", "/no-such-thing"), 404, "NOT_FOUND")
    api.problem(api.client.delete("/deductions", headers=api.headers("office")), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize(
    "path",
    ["/plans/99999999999999999999", "/sheets?year=99999999999999999999", "/sheets?offset=99999999999999999999",
     "/persons?offset=9223372036854775808", "/ledgers/P02?year=1999", "/persons?limit=501", "/sheets?limit=0"],
)  # fmt: skip
def test_out_of_range_query_numbers_are_422_not_a_server_error(api: Any, path: str) -> None:
    api.problem(api.client.get(path, headers=api.headers("office")), 422, "INVALID_INPUT")


def test_an_unexpected_error_is_still_a_problem_document(api: Any) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(api.service)

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", boom)
    r = TestClient(app, raise_server_exceptions=False).get("/boom")
    problem = api.problem(r, 500, "INTERNAL_ERROR")
    assert "secret" not in r.text
    assert problem["detail_zh"] == "服务器内部错误"
