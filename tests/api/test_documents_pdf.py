"""The printable PDF (api/documents/pdf.py, api/routes/printing.py): a report drawn from a
`Document`, and the 效能监察反馈单 of a supervision deduction over HTTP.

What the PDF says is read back with poppler's `pdftotext -layout`, and its fonts with `pdffonts`
(poppler-utils); those checks are skipped only where poppler-utils is not installed. Small bureau
(tests/conftest.py): P02 李秀兰 is staff of B01 城东分局, P03 王伟 too; P05 陈志强 heads B02 城西分局.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from api.documents import pdf
from api.documents.model import Column, Document, Table

PDFTOTEXT = Path("/usr/bin/pdftotext")
PDFFONTS = Path("/usr/bin/pdffonts")


def _poppler(tool: Path, content: bytes, *args: str) -> str:
    if not tool.exists():
        pytest.skip(f"{tool} is not installed (poppler-utils)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(content)
        return subprocess.run([str(tool), *args, str(path), *(["-"] if tool == PDFTOTEXT else [])], capture_output=True, text=True, check=True).stdout


def pdf_text(content: bytes) -> str:
    """The PDF's text, as laid out, with the spaces of the layout taken out."""
    return re.sub(r"\s+", "", _poppler(PDFTOTEXT, content, "-layout"))


# -- a report from a Document ----------------------------------------------------------------

COLUMNS = (
    Column("姓名", "text", 10),
    Column("1月", "points", 8, group="月度得分"),
    Column("2月", "points", 8, group="月度得分"),
    Column("扣分次数", "int", 8),
    Column("奖金（元）", "money", 10),
    Column("登记日期", "date", 12),
)
DOCUMENT = Document(
    kind="person-ledger",
    title="XX工商局2026年度工作绩效考核评分登记表",
    filename="评分登记表-P02-2026",
    lines=("单位：城东分局", "制表日期：2026年11月26日"),
    tables=(
        Table("评分登记表", COLUMNS, (("李秀兰", Decimal("98.50"), Decimal("100"), 3, Decimal("9650"), date(2026, 1, 15)), ("王伟", None, Decimal("99.125"), 0, None, None)),
              total=("合计", None, None, 3, Decimal("9650"), None), note="说明：扣分以考核办公室登记为准。"),  # fmt: skip
        Table("扣分明细", (Column("根据", "text", 20), Column("分值", "points", 8)), (("会议无故缺席", Decimal("1.5")),)),
    ),
    as_of="截至 2026年6月30日 18:00（北京时间）事件位置 5817",
)


def test_cells_are_printed_from_their_types() -> None:
    assert pdf.format_cell(Decimal("98.5"), "points") == "98.50"
    assert pdf.format_cell(Decimal("99.125"), "points") == "99.13"  # half up, from the Decimal
    assert pdf.format_cell(Decimal("9650"), "money") == "9650.00"
    assert pdf.format_cell(Decimal("97.7676"), "rate") == "97.77"
    assert pdf.format_cell(3, "int") == "3"
    assert pdf.format_cell(date(2026, 1, 5), "date") == "2026-01-05"
    assert pdf.format_cell(datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc), "date") == "2026-01-02 11:04"  # Beijing time
    assert pdf.format_cell(None, "points") == ""


def test_grouped_columns_make_a_two_level_header() -> None:
    top, below = pdf.header_rows(COLUMNS)
    assert [(c.title, c.colspan, c.rowspan) for c in top] == [
        ("姓名", 1, 2), ("月度得分", 2, 1), ("扣分次数", 1, 2), ("奖金（元）", 1, 2), ("登记日期", 1, 2),
    ]  # fmt: skip
    assert [c.title for c in below] == ["1月", "2月"]
    assert len(pdf.header_rows(DOCUMENT.tables[1].columns)) == 1


def test_a_document_prints_its_chinese_title_and_two_place_points() -> None:
    content = pdf.render_document(DOCUMENT)
    assert content.startswith(b"%PDF")
    assert "XX工商局2026年度工作绩效考核评分登记表" in _poppler(PDFTOTEXT, content, "-layout")  # the title in one piece
    text = pdf_text(content)
    for printed in ("月度得分", "98.50", "100.00", "99.13", "9650.00", "2026-01-15", "合计", "扣分明细", "1.50", "制表人：", "第1页/共2页"):
        assert printed in text, printed
    assert "事件位置5817" in text


def test_the_chinese_font_is_embedded() -> None:
    fonts = _poppler(PDFFONTS, pdf.render_document(DOCUMENT)).splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), fonts  # the `emb` column


def test_text_from_the_records_is_escaped_not_markup() -> None:
    doc = Document(kind="notice", title="通报<b>", filename="x", lines=(), tables=(Table("t", (Column("根据"),), (("<img src='file:///etc/passwd'>",),)),))
    html = pdf.document_html(doc)
    assert "<img" not in html and "&lt;img" in html and "通报&lt;b&gt;" in html


# -- the 效能监察反馈单 over HTTP ----------------------------------------------------------------


@dataclass
class Slips:
    """The small bureau over HTTP, and the ids of the entries recorded for these tests."""

    api: Any
    ids: dict[str, str]

    def get(self, role: str | None, path: str, **params: Any) -> Any:
        return self.api.get(role, path, **params)

    def read(self, role: str, path: str) -> Any:
        return self.api.read(role, path)

    def problem(self, r: Any, status: int, code: str) -> dict[str, Any]:
        return self.api.problem(r, status, code)


@pytest.fixture(scope="module")
def slips(module_api: Any) -> Slips:
    """Supervision deductions on B01 (P03 王伟 answerable), on P02 and on P05, and a unit head's
    own deduction on P02 (not supervision)."""
    api = module_api
    unit = api.ok("supervision", "/deductions", {
        "unit": "B01", "track": "routine", "points": "1", "basis": "效能监察：工作时间脱岗", "occurred_on": "2026-01-15",
        "form_no": "JC-2026-001", "responsible": [{"person": "P03", "points": "0.5"}],
    })  # fmt: skip
    person = api.ok("supervision", "/deductions", {"person": "P02", "points": "1.5", "item": "M1", "basis": "窗口服务态度生硬", "occurred_on": "2026-01-18", "form_no": "JC-2026-002"})
    other = api.ok("supervision", "/deductions", {"person": "P05", "points": "1", "basis": "会议无故缺席", "occurred_on": "2026-01-20", "form_no": "JC-2026-003"})
    review = api.ok("unit_head", "/deductions", {"person": "P02", "points": "0.5", "item": "M2", "basis": "迟到", "occurred_on": "2026-01-21"})
    return Slips(api, {"unit": unit["entry_id"], "person": person["entry_id"], "other": other["entry_id"], "review": review["entry_id"], "cascade": unit["cascaded"][0]})


def slip_url(entry_id: str) -> str:
    return f"/documents/feedback/{entry_id}"


def test_a_unit_slip_is_a_pdf_download_with_names_points_and_the_cascade__R_SUP_1(slips: Slips) -> None:
    r = slips.get("office", slip_url(slips.ids["unit"]))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert f"filename*=UTF-8''{quote('效能监察反馈单-JC-2026-001.pdf', safe='')}" in r.headers["content-disposition"]
    assert r.content.startswith(b"%PDF")
    assert "区工商局效能监察反馈单" in _poppler(PDFTOTEXT, r.content, "-layout")
    text = pdf_text(r.content)
    for printed in ("区工商局效能监察反馈单", "JC-2026-001", "城东分局", "效能监察：工作时间脱岗", "扣1.00分", "2026年1月15日",
                    "王伟（城东分局）扣0.50分", "2026年1月月度考核", "签收人：", "年", "月", "日"):  # fmt: skip
        assert printed in text, printed
    assert "B01" not in text and "P03" not in text  # names, not codes


def test_a_person_slip_names_the_person_their_unit_and_the_item__R_SUP_1(slips: Slips) -> None:
    r = slips.get("office", slip_url(slips.ids["person"]))
    assert r.status_code == 200, r.text
    text = pdf_text(r.content)
    for printed in ("效能监察反馈单", "被监察人员", "李秀兰", "城东分局", "扣1.50分", "M1工作纪律（满分50.00分）", "签收"):
        assert printed in text, printed


def test_only_a_supervision_deduction_has_a_slip__R_SUP_1(slips: Slips) -> None:
    problem = slips.problem(slips.get("office", slip_url(slips.ids["review"])), 404, "FEEDBACK_FORM_NOT_FOUND")
    assert problem["source"] == "unit_review"
    cascaded = slips.problem(slips.get("office", slip_url(slips.ids["cascade"])), 404, "FEEDBACK_FORM_NOT_FOUND")
    assert cascaded["cascaded_from"] == slips.ids["unit"]  # the person's share is printed on the unit's slip


def test_the_slip_is_read_as_its_entry_is__R_Q_1(slips: Slips) -> None:
    """Staff P02 reads their own slip and their unit's; a colleague elsewhere's is refused the
    same way GET /entries/{id} refuses it."""
    assert slips.get("staff", slip_url(slips.ids["person"])).status_code == 200
    assert slips.get("staff", slip_url(slips.ids["unit"])).status_code == 200
    other = slips.ids["other"]
    entry = slips.problem(slips.get("staff", f"/entries/{other}"), 403, "FORBIDDEN")
    slip = slips.problem(slips.get("staff", slip_url(other)), 403, "FORBIDDEN")
    assert slip["detail_zh"] == entry["detail_zh"]
    assert slips.get("head_b02", slip_url(other)).status_code == 200
    assert slips.get(None, slip_url(other)).status_code == 401


def test_an_unknown_entry_is_a_404_problem(slips: Slips) -> None:
    for role in ("office", "staff"):
        slips.problem(slips.get(role, slip_url("P02:2026-01:monthly:99")), 404, "ENTRY_NOT_FOUND")


def test_a_slip_as_of_a_past_position_says_so(slips: Slips) -> None:
    position = slips.read("office", f"/entries/{slips.ids['person']}")["position"]
    r = slips.get("office", slip_url(slips.ids["person"]), as_of=str(position))
    assert r.status_code == 200 and r.headers["X-As-Of-Position"] == str(position)
    assert f"截至事件位置{position}" in pdf_text(r.content)
    slips.problem(slips.get("office", slip_url(slips.ids["person"]), as_of=str(position - 1)), 404, "ENTRY_NOT_FOUND")  # not yet recorded then


def test_without_pango_the_answer_is_a_503_problem(slips: Slips, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> Any:
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")

    monkeypatch.setattr(pdf, "_import_weasyprint", missing)
    problem = slips.problem(slips.get("office", slip_url(slips.ids["unit"])), 503, "PDF_UNAVAILABLE")
    assert "fonts-noto-cjk" in problem["detail_zh"] and "pango" in problem["detail_zh"]


def test_without_a_chinese_font_the_answer_is_a_503_problem(slips: Slips, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "cjk_family", lambda: None)
    slips.problem(slips.get("office", slip_url(slips.ids["unit"])), 503, "PDF_UNAVAILABLE")


def test_fontconfig_finds_the_chinese_font() -> None:
    assert pdf.cjk_family() in pdf.CJK_FAMILIES
