"""Downloads, 公示 and the roster import in the web UI, in Debian's chromium against the running
demo (tests/e2e/conftest.py): the buttons save the service's documents under their Chinese names,
the office publishes a notice every member of staff then reads, and the roster template goes back
in unchanged with nothing to import."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl

from tests.e2e.conftest import Demo, sign_in

DEMO_YEAR = 2026  # ledger/demo/bureau.py: build_demo's year, the year `jixiao run` builds
BUREAU = ["leading_group", "office", "supervision", "assessor", "unit_head", "staff", "party_group", "viewer"]


def bureau_today() -> date:
    """The demo service's "today": JIXIAO_TODAY when the run fixes it, else the date in Beijing."""
    fixed = os.environ.get("JIXIAO_TODAY")
    return date.fromisoformat(fixed) if fixed else datetime.now(timezone(timedelta(hours=8))).date()


def download(page: Any, button: str, item: str | None, folder: Path) -> tuple[str, Path]:
    """Click a download button (and the format in its menu): the suggested name and the saved file."""
    page.locator(f"[data-test={button}]").click()
    with page.expect_download() as started:
        if item:
            page.locator(f"[data-test={item}]").click()
    saved = folder / started.value.suggested_filename
    started.value.save_as(saved)
    return started.value.suggested_filename, saved


def test_the_office_downloads_the_annual_results_summary_as_excel(page: Any, demo: Demo, tmp_path: Path) -> None:
    sign_in(page, demo, "office")
    page.goto("/#/results")
    page.locator("[data-test=unit-table] .el-table__row").first.wait_for()
    name, saved = download(page, "download-results", "download-results-xlsx", tmp_path)
    assert "年度考核结果汇总表" in name and name.endswith(".xlsx"), name
    assert openpyxl.load_workbook(saved).sheetnames


def test_staff_download_their_own_scoring_register_from_their_ledger(page: Any, demo: Demo, tmp_path: Path) -> None:
    person = demo.api("staff", "GET", "/me").json()["person"]
    sign_in(page, demo, "staff")
    page.goto("/#/my-ledger")
    page.locator("[data-test=my-entries]").wait_for()
    name, saved = download(page, "download-ledger", "download-ledger-xlsx", tmp_path)
    assert name.startswith("评分登记表") and person in name and name.endswith(".xlsx"), name
    assert openpyxl.load_workbook(saved).sheetnames


def test_the_office_publishes_the_years_notice_and_staff_read_the_list_and_may_object(page: Any, demo: Demo) -> None:
    """The office's first end date is too early: the refusal names the earliest end beside the
    field, and one click takes it. Staff then read the list (公示中) and, while it is open, may
    dispute an entry whose own window closed months ago (R-DISPUTE-1)."""
    today = bureau_today().isoformat()
    assert demo.api("office", "GET", f"/notices/{DEMO_YEAR}").status_code == 404, "the demo leaves the year's notice to this test"
    sign_in(page, demo, "office")
    page.goto("/#/notices")
    page.locator("[data-test=publish-notice]").first.click()
    dialog = page.locator("[data-test=publish-notice-dialog]")
    assert dialog.locator("[data-test=publish-notice-starts-on] input").input_value() == today  # from today
    dialog.locator("[data-test=publish-notice-ends-on] input").fill(today)
    page.keyboard.press("Enter")
    dialog.locator("[data-test=publish-notice-save]").click()
    assert "公示期不少于" in dialog.locator(".el-form-item__error").first.inner_text()
    dialog.locator("[data-test=use-earliest-end]").click()
    dialog.locator("[data-test=publish-notice-save]").click()
    page.locator(".el-message--success", has_text=f"已发布{DEMO_YEAR}年度考核结果公示").wait_for()
    notice = demo.api("office", "GET", f"/notices/{DEMO_YEAR}").json()
    assert (notice["starts_on"], notice["stage"]) == (today, "open")

    unit = demo.api("office", "GET", "/units").json()[0]["name"]
    sign_in(page, demo, "staff")
    page.locator("[data-menu=notices]").click()
    board = page.locator("[data-test=notice-board]")
    board.wait_for()
    assert board.locator("[data-test=notice-title]").inner_text().endswith(f"{DEMO_YEAR}年度考核结果公示")
    assert board.locator("[data-test=notice-stage]").inner_text() == "公示中"
    assert "我的台账" in board.locator("[data-test=notice-note]").inner_text()
    assert unit in board.locator("[data-test=notice-units]").inner_text()
    persons = demo.api("staff", "GET", f"/notices/{DEMO_YEAR}").json()["persons"]
    assert board.locator("[data-test=notice-persons] tbody tr").count() == len(persons) > 100

    page.goto("/#/my-ledger")
    page.locator("[data-test=open-notice]").wait_for()
    february = page.locator("[data-test=my-entries] .el-table__row", has_text=f"{DEMO_YEAR}-02")
    february.first.wait_for()
    assert february.first.locator("[data-test=file-dispute]").is_visible()  # its own window closed in February


def test_the_notice_page_is_in_every_bureau_roles_menu(page: Any, demo: Demo) -> None:
    for role in BUREAU:
        sign_in(page, demo, role)
        assert page.locator("[data-menu=notices]").inner_text().strip() == "考核结果公示", role


def test_the_office_imports_the_roster_template_unchanged_and_a_file_that_is_not_excel_is_refused(page: Any, demo: Demo, tmp_path: Path) -> None:
    sign_in(page, demo, "office")
    page.goto("/#/roster")
    page.locator("[data-test=roster-import]").click()
    dialog = page.locator("[data-test=roster-import-dialog]")
    name, template = download(page, "roster-template", None, tmp_path)
    assert name.startswith("名册导入模板") and name.endswith(".xlsx"), name
    assert {"单位", "人员", "负责人"} <= set(openpyxl.load_workbook(template).sheetnames)

    dialog.locator("input[type=file]").set_input_files(str(template))
    dialog.locator("[data-test=roster-import-check]").click()
    counts = dialog.locator("[data-test=roster-import-count]")
    counts.first.wait_for()
    assert counts.count() >= 7 and set(counts.all_inner_texts()) == {"0"}  # 预检: the roster as it stands
    assert "没有需要导入的变更" in dialog.locator("[data-test=roster-import-result]").inner_text()
    assert dialog.locator("[data-test=roster-import-save]").is_disabled()

    workbook = openpyxl.load_workbook(template)
    workbook["人员"].cell(row=3, column=4).value = "不是日期"  # 出生日期
    broken = tmp_path / "名册-有误.xlsx"
    workbook.save(broken)
    dialog.locator("input[type=file]").set_input_files(str(broken))
    dialog.locator("[data-test=roster-import-check]").click()
    problems = dialog.locator("[data-test=roster-import-problems] .el-table__row")
    problems.first.wait_for()
    assert "出生日期" in problems.first.inner_text()
    assert "未导入任何数据" in dialog.locator("[data-test=roster-import-error]").inner_text()

    dialog.locator("input[type=file]").set_input_files(files=[{"name": "名册.txt", "mimeType": "text/plain", "buffer": "不是表格".encode()}])
    dialog.locator("[data-test=roster-import-check]").click()
    dialog.locator("[data-test=roster-import-error]", has_text="不是有效的 Excel（.xlsx）文件").wait_for()
    assert dialog.locator("[data-test=roster-import-problems]").count() == 0
