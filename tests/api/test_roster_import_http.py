"""Roster import over HTTP (名册导入): the template downloaded, edited and uploaded back; every problem
answered at once with its sheet, row and column; only the office imports (R-ORG-4)."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from io import BytesIO
from typing import Any
from urllib.parse import quote

from httpx import Response
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from tests.api.conftest import Api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(api: Api, role: str = "office", **params: Any) -> Response:
    return api.client.get("/roster/template.xlsx", params=params or None, headers=api.headers(role))


def template(api: Api) -> Workbook:
    r = download(api)
    assert r.status_code == 200, r.text
    return load_workbook(BytesIO(r.content))


def saved(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def put(wb: Workbook, sheet: str, code: str, **cells: Any) -> int:
    """Write cells (by column title) in the row whose first cell is `code`; answers the row."""
    ws = wb[sheet]
    row = next(cell.row for cell in ws["A"] if cell.value == code)
    titles = [c.value for c in ws[1]]
    for title, value in cells.items():
        ws.cell(row=row, column=titles.index(title) + 1, value=value)
    return row


def upload(api: Api, role: str | None, content: bytes, name: str = "名册.xlsx", **params: Any) -> Response:
    return api.client.post("/roster/import", params=params or None, files={"file": (name, content, XLSX)}, headers=api.headers(role))


def updated(api: Api) -> bytes:
    """The roster as downloaded with P03 moved to B02 on 1 April and P06 heading B02 from 1 July."""
    wb = template(api)
    put(wb, "人员", "P03", 所在单位编号="B02", 调入日期=date(2026, 4, 1))
    put(wb, "负责人", "B02", 负责人编号="P06", 任职日期=date(2026, 7, 1))
    return saved(wb)


# -- the template ------------------------------------------------------------------------------------


def test_the_template_is_an_xlsx_with_a_chinese_file_name_and_the_current_roster(api: Api) -> None:
    r = download(api)
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert f"filename*=UTF-8''{quote('名册导入模板-')}" in r.headers["content-disposition"]
    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames == ["说明", "单位", "人员", "负责人"]
    persons = wb["人员"]
    assert [c.value for c in persons[1]] == ["人员编号", "姓名", "性别", "出生日期", "入职日期", "职务层次", "职级", "所在单位编号", "在编", "调入日期", "离职日期"]
    assert [c.value for c in persons[3]][:3] == ["P02", "李秀兰", "女"] and persons.max_row == 12  # P01..P11
    assert persons.freeze_panes == "A2" and persons["A1"].font.b
    drop_downs = {str(v.sqref).split(":")[0]: v.formula1 for v in persons.data_validations.dataValidation}
    assert drop_downs == {"C2": '"男,女"', "F2": '"中层正职,中层副职,其他人员"', "I2": '"是,否"'}
    assert [[c.value for c in row] for row in wb["负责人"].iter_rows(min_row=2, max_row=2)] == [["B01", "P01", datetime(2015, 1, 1)]]


def test_the_blank_template_has_headers_only_and_the_template_is_for_the_office_and_oversight(api: Api) -> None:
    r = download(api, filled="false")
    wb = load_workbook(BytesIO(r.content))
    assert [wb[name].max_row for name in ("单位", "人员", "负责人")] == [1, 1, 1]
    assert f"filename*=UTF-8''{quote('名册导入模板.xlsx')}" in r.headers["content-disposition"]
    assert {role: download(api, role).status_code for role in ("viewer", "supervision", "unit_head", "staff", "assessor")} == {
        "viewer": 200, "supervision": 200, "unit_head": 403, "staff": 403, "assessor": 403,
    }  # fmt: skip


def test_the_template_as_of_a_past_moment_holds_the_roster_then__R_Q_3(api: Api) -> None:
    r = download(api, as_of="5")  # the roster created and its four units registered, no one enrolled yet
    assert r.status_code == 200 and r.headers["x-as-of-position"] == "5"
    wb = load_workbook(BytesIO(r.content))
    assert [[c.value for c in row][:3] for row in wb["单位"].iter_rows(min_row=2)] == [
        ["B01", "城东分局", "分局"], ["B02", "城西分局", "分局"], ["D01", "人教科", "科室"], ["D02", "法制科", "科室"],
    ]  # fmt: skip
    assert (wb["人员"].max_row, wb["负责人"].max_row) == (1, 1)
    assert f"filename*=UTF-8''{quote('名册导入模板-位置5.xlsx')}" in r.headers["content-disposition"]


# -- importing ---------------------------------------------------------------------------------------


def test_an_updated_sheet_uploaded_imports_its_transfer_and_new_head_once__R_ORG_1_R_ORG_2(api: Api) -> None:
    content = updated(api)
    before = api.events()
    r = upload(api, "office", content)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["transfers"], body["heads_appointed"], body["events"], body["dry_run"]) == (1, 1, 2, False)
    assert api.events() == before + 2 and body["position"] == api.service.queries.projection_position()
    assert [c["command"] for c in body["changes"]] == ["TransferPerson", "AppointHead"]
    assert api.read("office", "/persons/P03")["unit"] == "B02" and api.read("office", "/units/B02")["head"] == "P06"
    again = upload(api, "office", content)
    assert again.status_code == 200 and again.json()["events"] == 0 and api.events() == before + 2


def test_a_dry_run_answers_the_changes_and_writes_nothing(api: Api) -> None:
    before = api.events()
    r = upload(api, "office", updated(api), dry_run="true")
    assert r.status_code == 200, r.text
    assert (r.json()["transfers"], r.json()["events"], api.events()) == (1, 0, before)
    assert r.json()["notes"][0].startswith("预检")


def test_a_file_with_three_bad_rows_is_refused_with_every_problem_and_nothing_written(api: Api) -> None:
    wb = template(api)
    p03 = put(wb, "人员", "P03", 所在单位编号="B99")
    p04 = put(wb, "人员", "P04", 出生日期="1992-02-30")
    b02 = put(wb, "负责人", "B02", 负责人编号="P99", 任职日期=date(2026, 7, 1))
    before = api.events()
    body = api.problem(upload(api, "office", saved(wb)), 422, "ROSTER_IMPORT_INVALID")
    assert api.events() == before
    assert body["detail_zh"] == "名册文件有 3 处问题，未导入任何数据"
    assert [(p["sheet"], p["row"], p["column"], p["code"]) for p in body["problems"]] == [
        ("人员", p03, "所在单位编号", "ROSTER_UNIT_UNKNOWN"),
        ("人员", p04, "出生日期", "ROSTER_CELL_INVALID"),
        ("负责人", b02, "负责人编号", "ROSTER_PERSON_UNKNOWN"),
    ]
    assert body["problems"][0]["message_zh"] == f"人员 第{p03}行 所在单位编号：单位 B99 既不在“单位”表中，也不在名册中"


def test_only_the_office_imports_and_a_refused_upload_writes_nothing__R_ORG_4(api: Api) -> None:
    content = updated(api)
    before = api.events()
    for role in ("staff", "unit_head", "leading_group", "viewer", "security_auditor", "system_admin"):
        body = api.problem(upload(api, role, content), 403, "FORBIDDEN")
        assert body["detail_zh"].endswith("无权导入名册"), body
    assert upload(api, None, content).status_code == 401
    assert api.events() == before
    assert api.read("office", "/persons/P03")["unit"] == "B01"
    assert api.service.queries.refusals()[0]["command"] == "ImportRoster"


def test_a_file_that_is_not_an_xlsx_is_refused(api: Api) -> None:
    zipped = BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    for content in (b"\xd0\xcf\x11\xe0 an old .xls", "人员编号,姓名\nP12,钱多多\n".encode(), zipped.getvalue(), b""):
        body = api.problem(upload(api, "office", content, name="名册.csv"), 422, "ROSTER_FILE_INVALID")
        assert body["detail_zh"].startswith("不是有效的 Excel（.xlsx）文件") or body["detail_zh"].startswith("文件为空"), body
