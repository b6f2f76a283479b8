"""The web UI as each role uses it, in Debian's chromium against the running demo (tests/e2e/conftest.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.conftest import Demo, sign_in

MENUS = {
    "office": ["home", "sheets", "results"],
    "leading_group": ["home", "sheets", "results"],
    "supervision": ["home", "sheets", "results"],
    "party_group": ["home", "sheets", "results"],
    "viewer": ["home", "sheets", "results"],
    "assessor": ["home", "my-ledger", "sheets"],
    "unit_head": ["home", "my-ledger", "sheets"],
    "staff": ["home", "my-ledger"],
    "security_auditor": ["home", "audit"],
    "system_admin": ["home", "users"],
}


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_signs_in_and_sees_exactly_its_menu__R_ORG_4(page: Any, demo: Demo, role: str) -> None:
    sign_in(page, demo, role)
    shown = page.locator("[data-menu]").evaluate_all("items => items.map(i => i.dataset.menu)")
    assert shown == MENUS[role]
    assert page.locator("[data-test=home-page]").is_visible()


def test_a_wrong_password_is_answered_in_chinese(page: Any, demo: Demo) -> None:
    page.goto("/#/login")
    page.locator("input[data-test=login]").fill("demo-viewer")
    page.locator("input[data-test=password]").fill("Wrong#pass1")
    page.locator("[data-test=submit]").click()
    assert page.locator("[data-test=login-error]").inner_text().strip() == "登录名或密码错误"


def test_a_unit_head_records_a_deduction_and_the_sheet_score_changes_on_screen__R_SHEET_1(page: Any, demo: Demo) -> None:
    """The demo year is closed: the leading group reopens one of the unit's November sheets first."""
    head = demo.api("unit_head", "GET", "/me").json()["person"]
    unit = demo.api("unit_head", "GET", f"/persons/{head}").json()["unit"]
    sheets = demo.api("unit_head", "GET", "/sheets", params={"unit": unit, "period": "2026-11", "track": "monthly", "limit": 500}).json()
    sheet = next(s for s in sheets if s["target_kind"] == "person" and s["target"] != head and s["status"] == "published")
    reopened = demo.api("leading_group", "POST", "/sheets/reopenings", json={"sheet": sheet["code"], "reason": "界面测试补登", "decision_ref": "绩领〔2026〕99号"})
    assert reopened.status_code == 201, reopened.text
    item = next(i for i in sheet["items"] if Decimal(i["points_max"]) >= 1)
    sign_in(page, demo, "unit_head")
    page.goto(f"/#/sheets/{sheet['code']}")
    before = Decimal(page.locator("[data-test=sheet-score]").inner_text())
    assert before == Decimal(sheet["score"])
    page.locator("[data-test=deduct]").click()
    page.locator(".el-dialog .el-select").first.click()
    page.locator(".el-select-dropdown__item", has_text=item["code"]).first.click()
    page.locator("input[data-test=deduct-points]").fill("0.5")
    page.locator("textarea[data-test=deduct-basis]").fill("界面测试：会议迟到")
    page.get_by_role("combobox", name="事实发生日期").fill(sheet["period"] + "-02")
    page.keyboard.press("Enter")
    page.locator("[data-test=deduct-save]").click()
    page.locator("[data-test=sheet-score]", has_text=str(before - Decimal("0.5"))).wait_for()
    assert demo.api("unit_head", "GET", f"/sheets/{sheet['code']}").json()["score"] == f"{before - Decimal('0.5'):.2f}"


def test_staff_cannot_open_another_persons_sheet__R_Q_1(page: Any, demo: Demo) -> None:
    staff = demo.api("staff", "GET", "/me").json()["person"]
    unit = demo.api("unit_head", "GET", f"/persons/{staff}").json()["unit"]
    other = next(s for s in demo.api("unit_head", "GET", "/sheets", params={"unit": unit, "track": "monthly", "limit": 100}).json() if s["target"] != staff)
    sign_in(page, demo, "staff")
    with page.expect_response(lambda r: f"/sheets/{quote(other['code'], safe='')}" in r.url) as answered:
        page.goto(f"/#/sheets/{other['code']}")
    assert answered.value.status == 403
    assert "无权访问" in page.locator("[data-test=sheet-error]").inner_text()


def test_a_page_outside_the_roles_menu_shows_no_access(page: Any, demo: Demo) -> None:
    sign_in(page, demo, "staff")
    page.goto("/#/results")
    assert page.locator("[data-test=forbidden]").inner_text().count("无权访问") == 1


def test_the_annual_results_page_and_its_chart_render_with_the_demo_year(page: Any, demo: Demo) -> None:
    sign_in(page, demo, "office")
    page.goto("/#/results")
    page.locator("[data-test=unit-table] .el-table__row").first.wait_for()
    assert page.locator("[data-test=unit-table] .el-table__row").count() == 19
    page.get_by_role("tab", name="等次分布").click()
    page.locator("[data-test=grade-chart] canvas").wait_for()


def test_the_api_documentation_renders_offline(page: Any, demo: Demo) -> None:
    external: list[str] = []
    page.route(lambda url: not url.startswith(demo.base), lambda route: (external.append(route.request.url), route.abort()))
    page.goto("/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "绩效台账" in page.locator(".swagger-ui .info .title").inner_text()
    assert external == []
