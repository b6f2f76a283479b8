"""The office's documents as Excel workbooks (GET /documents/...): each one opened with openpyxl —
its title, header, merged ranges and print settings, and figures that are numbers equal to what the
JSON API answers for the same thing. On the small bureau (tests/conftest.py) and the demo year."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import quote

import pytest
from httpx import Response
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from api.documents.download import MEDIA
from ledger.settings import Settings

BUREAU_NAME = Settings().bureau_name  # the titles' default prefix (JIXIAO_BUREAU_NAME)
from test_demo import DemoApi, year_demo  # noqa: F401 - the demo year, a module fixture

TITLE_LEDGER = f"{BUREAU_NAME}2026年度工作绩效考核评分登记表"


# -- reading a workbook back -----------------------------------------------------------------------


def workbook(r: Response, filename: str) -> Workbook:
    """The answer is an .xlsx download named `filename` (RFC 6266: UTF-8, percent-encoded)."""
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == MEDIA["xlsx"]
    assert f"filename*=UTF-8''{quote(filename + '.xlsx', safe='')}" in r.headers["content-disposition"]
    return load_workbook(BytesIO(r.content))


def header_rows(ws: Worksheet) -> tuple[int, int]:
    first, last = ws.print_title_rows.replace("$", "").split(":")
    return int(first), int(last)


def headers(ws: Worksheet) -> list[str]:
    """Each column's title; under a group, "group/title"."""
    first, last = header_rows(ws)
    titles, group = [], None
    for column in range(1, ws.max_column + 1):
        upper, lower = ws.cell(first, column).value, ws.cell(last, column).value
        if first == last or lower is None:
            titles.append(upper)
            group = None
            continue
        group = upper if upper is not None else group
        titles.append(f"{group}/{lower}")
    return titles


def rows(ws: Worksheet) -> list[dict[str, Any]]:
    """The data rows as {column title: cell}, up to the 合计 row or the note."""
    names = headers(ws)
    found = []
    for row in ws.iter_rows(min_row=header_rows(ws)[1] + 1):
        first = row[0].value
        if first is None or first == "合计" or (isinstance(first, str) and first.startswith(("说明", "（无记录）", "制表人"))):
            break
        found.append(dict(zip(names, row)))
    return found


def row_where(ws: Worksheet, column: str, value: Any) -> dict[str, Any]:
    matches = [r for r in rows(ws) if r[column].value == value]
    assert len(matches) == 1, (column, value, [r[column].value for r in rows(ws)])
    return matches[0]


def text_of(ws: Worksheet) -> str:
    """Every line above the header."""
    return "\n".join(str(ws.cell(r, 1).value) for r in range(1, header_rows(ws)[0]) if ws.cell(r, 1).value)


def assert_layout(ws: Worksheet, title: str, columns: list[str]) -> None:
    """The title merged across the table, the header, and the office's print settings."""
    width = ws.max_column
    assert ws["A1"].value == title and ws["A1"].font.b and ws["A1"].font.sz >= 14
    assert f"A1:{get_column_letter(width)}1" in {str(m) for m in ws.merged_cells.ranges}
    assert headers(ws)[: len(columns)] == columns
    first, last = header_rows(ws)
    assert ws.cell(first, 1).border.top.style == "thin" and ws.cell(first, 1).font.b
    assert ws.freeze_panes == f"B{last + 1}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0) and ws.sheet_properties.pageSetUpPr.fitToPage
    signatures = [c.value for row in ws.iter_rows(min_row=ws.max_row) for c in row if c.value]
    assert [s.split("：")[0] for s in signatures] == ["制表人", "审核人", "负责人签字"]


def figure(cell: Any, fmt: str = "0.00") -> Decimal:
    """A figure written as a number (not text) in the office's number format."""
    assert isinstance(cell.value, (int, float, Decimal)) and not isinstance(cell.value, bool), cell.value
    assert cell.number_format == fmt, cell.number_format
    return Decimal(str(cell.value))


# -- the small bureau ------------------------------------------------------------------------------


def test_a_persons_ledger_shows_each_month_and_each_entry_as_the_json_ledger(api: Any) -> None:
    api.ok("unit_head", "/deductions", {"person": "P02", "points": "1.5", "item": "M1", "basis": "上班迟到", "occurred_on": "2026-01-12"})
    api.ok("unit_head", "/deductions", {"person": "P02", "points": "0.25", "item": "M2", "basis": "会议迟到", "occurred_on": "2026-02-03"})
    api.ok("leading_group", "/reversals", {"entry_id": "P02:2026-02:monthly:1", "reason": "误扣", "decision_ref": "绩领〔2026〕3号"})
    wb = workbook(api.get("office", "/documents/ledgers/P02", year=2026), "评分登记表-P02-李秀兰-2026")
    assert wb.sheetnames == ["月度得分", "扣分记录"] and wb.properties.creator == "绩效台账"
    months, entries = wb["月度得分"], wb["扣分记录"]
    assert_layout(months, TITLE_LEDGER, ["考核期", "考核类型", "所在单位", "得分", "扣分", "扣分条数", "状态"])
    lines = text_of(months)
    assert "城东分局" in lines and "李秀兰（P02）" in lines and "其他人员" in lines
    today = api.service.clock.today()
    assert f"制表日期：{today.year}年{today.month}月{today.day}日" in lines
    json = api.read("office", "/ledgers/P02", year=2026)
    for sheet in json["sheets"]:
        row = row_where(months, "考核期", f"2026年{int(sheet['period'][5:])}月")
        assert figure(row["得分"]) == Decimal(sheet["score"]) and figure(row["扣分"]) == Decimal(sheet["deducted"])
        assert figure(row["扣分条数"], "0") == sheet["entries_active"]
    assert figure(row_where(months, "考核期", "2026年1月")["得分"]) == Decimal("98.50")
    assert_layout(entries, TITLE_LEDGER, ["序号", "考核期", "考核类型", "发生日期", "考核项目", "扣分依据（事实）", "扣分", "来源"])
    listed = rows(entries)
    assert [(r["扣分依据（事实）"].value, r["考核项目"].value, r["状态"].value) for r in listed] == [
        ("上班迟到", "工作纪律", "有效"), ("会议迟到", "工作效能", "已撤销"),
    ]  # fmt: skip
    assert figure(listed[0]["扣分"]) == Decimal(json["entries"][0]["points"]) and "误扣" in listed[1]["说明"].value
    assert listed[0]["发生日期"].number_format == "yyyy-mm-dd"
    total = next(r for r in entries.iter_rows() if r[0].value == "合计")
    assert figure(total[6]) == Decimal("1.50") and total[6].font.b  # the reversed entry does not count


def test_a_units_ledger_lists_its_sheets_entries_and_staff_months_for_its_head_only__R_Q_1(api: Any) -> None:
    """B01's ledger: its key-work sheet and entry (cascading to P03); the staff's monthly grid is
    for the head and the office, not for B01's staff (a colleague's scores, R-Q-1)."""
    api.ok("assessor", "/deductions", {
        "unit": "B01", "track": "key", "points": "2", "item": "K1", "basis": "重点工作未按时序进度完成",
        "occurred_on": "2026-02-10", "responsible": [{"person": "P03"}],
    })  # fmt: skip
    filename = "评分登记表-B01-城东分局-2026"
    wb = workbook(api.get("office", "/documents/ledgers/B01", year=2026), filename)
    assert wb.sheetnames == ["单位考核表", "扣分记录", "人员月度得分"]
    sheet = row_where(wb["单位考核表"], "考核期", "2026年第一季度")
    assert figure(sheet["得分"]) == Decimal(api.read("office", "/sheets/B01:2026-Q1:key")["score"]) == Decimal("98.00")
    assert "连带扣分：王伟" in row_where(wb["扣分记录"], "序号", 1)["说明"].value
    grid = wb["人员月度得分"]
    assert_layout(grid, TITLE_LEDGER, ["序号", "姓名", "职务层次", "月度得分/1月", "月度得分/2月"])
    merged = {str(m) for m in grid.merged_cells.ranges}
    first, last = header_rows(grid)
    assert f"D{first}:O{first}" in merged and f"A{first}:A{last}" in merged  # the group across its months; 序号 down both rows
    wang = row_where(grid, "姓名", "王伟")
    assert figure(wang["月度得分/2月"]) == Decimal(api.read("office", "/sheets/P03:2026-02:monthly")["score"]) == Decimal("98.00")
    assert figure(wang["合计"]) == Decimal("298.00")
    assert workbook(api.get("unit_head", "/documents/ledgers/B01", year=2026), filename).sheetnames[-1] == "人员月度得分"
    assert workbook(api.get("staff", "/documents/ledgers/B01", year=2026), filename).sheetnames == ["单位考核表", "扣分记录"]
    assert workbook(api.get("assessor", "/documents/ledgers/B01", year=2026), filename).sheetnames == ["单位考核表", "扣分记录"]


def test_the_record_form_shows_the_staff_by_month_and_the_filing(api: Any) -> None:
    api.ok("unit_head", "/deductions", {"person": "P02", "points": "1.5", "item": "M1", "basis": "上班迟到", "occurred_on": "2026-01-12"})
    api.ok("unit_head", "/record-forms", {"unit": "B01", "quarter": "2026-Q1"})
    wb = workbook(api.get("unit_head", "/documents/record-forms/B01/2026-Q1"), "月绩效考核备案表-B01-城东分局-2026-Q1")
    ws = wb["备案表"]
    assert_layout(ws, f"{BUREAU_NAME}2026年第一季度月绩效考核备案表", ["序号", "姓名", "职务层次", "1月/得分", "1月/扣分", "1月/扣分条数", "1月/状态", "2月/得分"])
    assert "单位：城东分局" in text_of(ws) and "报备情况：已于" in text_of(ws)
    assert [r["姓名"].value for r in rows(ws)] == ["张建国", "李秀兰", "王伟", "赵敏"]
    li = row_where(ws, "姓名", "李秀兰")
    assert figure(li["1月/得分"]) == Decimal(api.read("unit_head", "/sheets/P02:2026-01:monthly")["score"]) == Decimal("98.50")
    assert figure(li["1月/扣分条数"], "0") == 1 and li["1月/状态"].value == "考核中"
    first, last = header_rows(ws)
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {f"D{first}:G{first}", f"H{first}:K{first}", f"L{first}:O{first}", f"B{first}:B{last}"} <= merged  # a month over its four columns


def test_the_record_form_answers_like_the_units_member_list__R_Q_1(api: Any) -> None:
    """The whole staff's monthly scores at once: the unit's head and the office, not its staff
    nor another unit's head (as GET /sheets?unit=); an unknown unit is 404, a bad quarter 422."""
    for role, status in (("office", 200), ("unit_head", 200), ("staff", 403), ("head_b02", 403), ("assessor", 403)):
        assert api.get(role, "/documents/record-forms/B01/2026-Q1").status_code == status, role
        assert api.get(role, "/sheets", unit="B01").status_code == status, role
    api.problem(api.get("office", "/documents/record-forms/X99/2026-Q1"), 404, "UNIT_NOT_FOUND")
    api.problem(api.get("office", "/documents/record-forms/B01/2026-13"), 422, "INVALID_INPUT")


def test_a_document_as_of_a_past_position_shows_the_figure_then_and_says_so__R_Q_3(api: Any) -> None:
    first = api.ok("unit_head", "/deductions", {"person": "P02", "points": "1.5", "item": "M1", "basis": "上班迟到", "occurred_on": "2026-01-12"})
    api.ok("unit_head", "/deductions", {"person": "P02", "points": "2", "item": "M2", "basis": "早退", "occurred_on": "2026-01-20"})
    position = first["position"]
    r = api.get("office", "/documents/ledgers/P02", year=2026, as_of=str(position))
    assert r.headers["X-As-Of-Position"] == str(position)
    then = workbook(r, f"评分登记表-P02-李秀兰-2026-截至{position}")["月度得分"]
    now = workbook(api.get("office", "/documents/ledgers/P02", year=2026), "评分登记表-P02-李秀兰-2026")["月度得分"]
    assert figure(row_where(then, "考核期", "2026年1月")["得分"]) == Decimal(api.read("office", "/sheets/P02:2026-01:monthly", as_of=str(position))["score"]) == Decimal("98.50")
    assert figure(row_where(now, "考核期", "2026年1月")["得分"]) == Decimal("96.50")
    line = next(ws_cell for ws_cell in then["A"][:header_rows(then)[0]] if "截至事件位置" in str(ws_cell.value))
    assert f"截至事件位置 {position} 的历史数据" in line.value and line.font.color.rgb.endswith("C00000")
    assert "截至事件位置" not in text_of(now) and "X-As-Of-Position" not in api.get("office", "/documents/ledgers/P02", year=2026).headers


def test_documents_are_read_under_the_rules_of_their_json_reads__R_Q_1(api: Any) -> None:
    """A colleague's ledger is refused to staff as GET /ledgers is; the audit log is the security
    auditor's only; the bureau-wide documents are the oversight roles'."""
    api.problem(api.get("staff", "/documents/ledgers/P03", year=2026), 403, "FORBIDDEN")
    assert api.get("staff", "/ledgers/P03", year=2026).status_code == 403
    assert api.get("staff", "/documents/ledgers/P02", year=2026).status_code == 200
    api.problem(api.get("office", "/documents/ledgers/X99"), 404, "UNIT_NOT_FOUND")
    assert api.get("office", "/ledgers/X99").json()["code"] == "UNIT_NOT_FOUND"
    for url in ("/documents/notices/2026-Q1", "/documents/results/2026", "/documents/payouts/2026"):
        api.problem(api.get("unit_head", url), 403, "FORBIDDEN")
        api.problem(api.get("security_auditor", url), 403, "FORBIDDEN")
    api.problem(api.get("office", "/documents/audit-log"), 403, "FORBIDDEN")
    assert api.get("security_auditor", "/documents/audit-log").status_code == 200
    assert api.get(None, "/documents/audit-log").status_code == 401


def test_bad_parameters_are_refused(api: Any) -> None:
    for url in ("/documents/notices/2026-Q5", "/documents/notices/26-01", "/documents/results/1999", "/documents/payouts/2101",
                "/documents/ledgers/P02?year=3000", "/documents/ledgers/P02?format=docx"):  # fmt: skip
        api.problem(api.get("office", url), 422, "INVALID_INPUT")
    api.problem(api.get("office", "/documents/results/2027"), 404, "PLAN_NOT_FOUND")


def test_the_audit_log_export_lists_what_get_audit_lists(api: Any) -> None:
    api.post("viewer", "/deductions", {"person": "P02", "points": "1", "basis": "迟到", "occurred_on": "2026-01-12"})  # refused: logged
    json = api.read("security_auditor", "/audit", outcome="refused")
    wb = workbook(api.get("security_auditor", "/documents/audit-log", outcome="refused"), "安全审计日志")
    ws = wb["审计日志"]
    assert_layout(ws, f"{BUREAU_NAME}信息系统安全审计日志", ["编号", "时间（北京时间）", "用户", "角色", "客户端地址", "操作", "对象", "结果"])
    assert "结果 被拒绝" in text_of(ws)
    listed = rows(ws)
    assert [figure(r["编号"], "0") for r in listed] == [e["id"] for e in json] and json
    assert listed[0]["用户"].value == json[0]["user_id"] and listed[0]["结果"].value == "被拒绝"
    assert listed[0]["时间（北京时间）"].value.strftime("%Y-%m-%d %H:%M:%S") == json[0]["at_beijing"]


def test_a_pdf_is_the_same_document_printed(api: Any) -> None:
    pdf = pytest.importorskip("api.documents.pdf")
    if not hasattr(pdf, "render_document"):
        pytest.skip("api.documents.pdf has no render_document yet")
    r = api.get("office", "/documents/ledgers/P02", year=2026, format="pdf")
    assert r.status_code == 200 and r.headers["content-type"] == MEDIA["pdf"] and r.content.startswith(b"%PDF")
    assert f"filename*=UTF-8''{quote('评分登记表-P02-李秀兰-2026.pdf', safe='')}" in r.headers["content-disposition"]


# -- the demo year -----------------------------------------------------------------------------------


def test_the_notice_of_a_quarter_and_of_a_month(year_demo: DemoApi) -> None:  # noqa: F811
    demo = year_demo
    wb = workbook(demo.get("office", "/documents/notices/2026-Q1"), "考核情况通报-2026-Q1")
    assert wb.sheetnames == ["单位得分", "扣分情况"]
    scores = wb["单位得分"]
    assert_layout(scores, f"{BUREAU_NAME}2026年第一季度工作绩效考核情况通报", ["序号", "单位", "类别", "考核类型", "得分", "扣分", "扣分条数"])
    json = {s["target"]: s for s in demo.read("office", "/sheets", period="2026-Q1", limit=500) if s["target_kind"] == "unit"}
    assert len(rows(scores)) == len(json)
    for code in ("B01", "B04"):
        name = demo.read("office", f"/units/{code}")["name"]
        row = row_where(scores, "单位", name)
        assert figure(row["得分"]) == Decimal(json[code]["score"]) and figure(row["扣分"]) == Decimal(json[code]["deducted"])
    deductions = rows(wb["扣分情况"])
    assert sum(figure(r["扣分"]) for r in deductions) == sum(Decimal(s["deducted"]) for s in json.values())
    month = workbook(demo.get("office", "/documents/notices/2026-03"), "考核情况通报-2026-03")["人员月度得分"]
    sheets = demo.read("office", "/sheets", period="2026-03", track="monthly", limit=500)
    assert len(rows(month)) == len(sheets)
    person = next(s for s in sheets if Decimal(s["score"]) < 100)
    name = demo.read("office", f"/persons/{person['target']}")["name"]
    matches = [r for r in rows(month) if r["姓名"].value == name and r["单位"].value == demo.read("office", f"/units/{person['unit']}")["name"]]
    assert len(matches) == 1 and figure(matches[0]["得分"]) == Decimal(person["score"])
    units = [r["单位"].value for r in rows(month)]
    assert units == sorted(units, key=units.index)  # grouped: each unit's staff together


def test_the_annual_summary_equals_the_annual_results(year_demo: DemoApi) -> None:  # noqa: F811
    demo = year_demo
    wb = workbook(demo.get("office", "/documents/results/2026"), "年度考核结果汇总表-2026")
    assert wb.sheetnames == ["单位", "人员", "优秀名额"] and wb.properties.title == f"{BUREAU_NAME}2026年度考核结果汇总表"
    units = wb["单位"]
    assert_layout(units, f"{BUREAU_NAME}2026年度考核结果汇总表", ["序号", "单位", "类别", "加分", "年度得分", "考核结果", "同类排名", "标记"])
    for code in ("B01", "B04", "D-XXZX"):
        result = demo.read("office", f"/results/2026/units/{code}")
        row = row_where(units, "单位", result["name"])
        assert figure(row["年度得分"]) == Decimal(result["score"]) and row["考核结果"].value == result["outcome_zh"]
        assert figure(row["同类排名"], "0") == result["rank"]
        assert ("末位" in (row["标记"].value or "")) == result["bottom"] and ("一票否决" in (row["标记"].value or "")) == result["vetoed"]
    persons = wb["人员"]
    assert_layout(persons, f"{BUREAU_NAME}2026年度考核结果汇总表", ["序号", "单位", "姓名", "职务层次", "年度得分率", "考核等次", "公务员等次", "占优秀名额", "目标考评奖（元）"])
    all_persons = demo.read("office", "/results/2026/persons")
    assert len(rows(persons)) == len(all_persons)
    placed = next(p for p in all_persons if p["quota_place"])
    unit = demo.read("office", f"/units/{placed['unit']}")["name"]
    row = next(r for r in rows(persons) if (r["姓名"].value, r["单位"].value) == (placed["name"], unit))
    assert figure(row["年度得分率"]) == Decimal(placed["annual_rate"])
    assert (row["考核等次"].value, row["公务员等次"].value, row["占优秀名额"].value) == (placed["grade_zh"], placed["cs_grade_zh"], "是")
    assert figure(row["目标考评奖（元）"]) == Decimal(placed["payout_yuan"])
    quota = demo.read("office", "/results/2026/summary")["quota"]
    tiers = {r["职务层次"].value: r for r in rows(wb["优秀名额"])}
    assert figure(tiers["中层正职"]["优秀名额"], "0") == quota["middle_head"]["places"]
    assert figure(tiers["其他人员"]["参评人数"], "0") == quota["other"]["size"]


def test_the_payout_sheet_shows_base_deduction_and_payout_as_the_results__R_BONUS_T_2_R_BONUS_T_3(year_demo: DemoApi) -> None:  # noqa: F811
    """Each row: 基数 − 扣减金额 (年度扣分 × 50 yuan) = 发放金额 for a regular person graded good or
    better, and every figure equal to GET /results/2026/persons/{code}."""
    demo = year_demo
    wb = workbook(demo.get("office", "/documents/payouts/2026"), "目标考评奖发放表-2026")
    ws = wb["发放表"]
    assert_layout(ws, f"{BUREAU_NAME}2026年度目标考评奖发放表", ["序号", "单位", "姓名", "职级", "考核等次", "基数（元）", "年度扣分（分）", "扣减金额（元）", "发放金额（元）", "备注"])
    listed = rows(ws)
    for code in ("P0002", "P0060"):
        result = demo.read("office", f"/results/2026/persons/{code}")
        unit = demo.read("office", f"/units/{result['unit']}")["name"]
        row = next(r for r in listed if (r["姓名"].value, r["单位"].value) == (result["name"], unit))
        assert figure(row["发放金额（元）"]) == Decimal(result["payout_yuan"]) and figure(row["年度扣分（分）"]) == Decimal(result["deducted_points"])
        assert row["职级"].value == result["position_grade"]
        assert figure(row["基数（元）"]) == Decimal(result["payout_base_yuan"]) and figure(row["扣减金额（元）"]) == Decimal(result["payout_deduction_yuan"])
        if result["age_class"] == "regular" and result["grade"] in ("excellent", "good"):
            assert figure(row["扣减金额（元）"]) == Decimal(result["deducted_points"]) * 50
            assert figure(row["基数（元）"]) - figure(row["扣减金额（元）"]) == figure(row["发放金额（元）"])
    total = next(r for r in ws.iter_rows() if r[0].value == "合计")
    assert figure(total[8]) == sum(Decimal(p["payout_yuan"]) for p in demo.read("office", "/results/2026/persons") if p["payout_yuan"])
    bases = {r["职级"].value: figure(r["基数（元）"]) for r in rows(wb["基数"])}
    assert bases["正科级"] == Decimal("12000")
