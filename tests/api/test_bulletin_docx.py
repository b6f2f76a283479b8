"""The bulletin as a Word document (GET /documents/bulletins/{number}): the red header, the office's
text naming units and persons by name, the period's scores, and at the foot the log position and
digest that `jixiao verify --expect` accepts.

Small bureau (tests/conftest.py): B01 城东分局 with P01 张建国 (head), P02 李秀兰, P03 王伟;
B02 城西分局. Each test publishes bulletin 2026-01 for 2026-Q1 after a key-work deduction on B01
(responsible P03) and a monthly one on P02.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from io import BytesIO
from typing import Any
from urllib.parse import quote

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import RGBColor

from api.cli import main as jixiao

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY = (
    "一季度，B01重点工作未按时序进度完成，扣2分，责任人P03。\n"
    "\n"
    "P02:2026-01:monthly:1 上班迟到，已登记；B02 无扣分。\n"
    "本期数据以“<系统>”及“A&B”口径为准。"
)
CODES = re.compile(r"(?<![A-Za-z0-9])(B0[12]|D0[12]|P0[1-9]|P1[01])(?![A-Za-z0-9])")
EXPECT = re.compile(r"jixiao verify --expect (\d+):([0-9a-f]{64})")


@pytest.fixture
def published(api: Any) -> Any:
    api.ok("assessor", "/deductions", {
        "unit": "B01", "track": "key", "points": "2", "item": "K1", "basis": "重点工作未按时序进度完成",
        "occurred_on": "2026-02-10", "responsible": [{"person": "P03"}],
    })  # fmt: skip
    api.ok("unit_head", "/deductions", {"person": "P02", "points": "1.5", "item": "M1", "basis": "上班迟到", "occurred_on": "2026-01-12"})
    api.ok("office", "/bulletins", {"number": "2026-01", "period": "2026-Q1", "title": "2026年第1期工作绩效管理简报", "body": BODY})
    return api


def _docx(api: Any, role: str = "office", **params: Any) -> DocxDocument:
    r = api.get(role, "/documents/bulletins/2026-01", **params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == DOCX
    assert quote("工作绩效管理简报-2026年第1期.docx") in r.headers["content-disposition"]
    return Document(BytesIO(r.content))


def _text(doc: DocxDocument) -> str:
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_word_bulletin_has_the_red_header_the_number_and_the_title(published: Any) -> None:
    doc = _docx(published)
    paragraphs = [p for p in doc.paragraphs]
    header = paragraphs[0]
    assert header.text == "区工商局工作绩效管理简报"
    assert header.runs and all(r.font.color.rgb == RGBColor(0xFF, 0x00, 0x00) and r.font.bold for r in header.runs)
    assert header.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert paragraphs[1].text == "第1期"
    bulletin = published.read("office", "/bulletins/2026-01")
    day = datetime.fromisoformat(bulletin["published_at"]).astimezone(timezone(timedelta(hours=8))).date()
    assert paragraphs[2].text == f"区工商局考核办公室\t{day.year}年{day.month}月{day.day}日"
    rule = paragraphs[2].style.element.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (rule.get(qn("w:color")), rule.get(qn("w:sz"))) == ("FF0000", "12")  # red, 1.5pt
    assert paragraphs[3].text == "2026年第1期工作绩效管理简报"
    section = doc.sections[0]
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] == [37, 35, 28, 26]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4 portrait
    texts = [p.text for p in paragraphs]
    assert texts[-4].startswith("抄送：局领导班子成员") and texts[-3].startswith("印发：区工商局考核办公室\t")


def test_the_body_names_units_and_persons_by_name_not_by_code(published: Any) -> None:
    doc = _docx(published)
    body = [p.text for p in doc.paragraphs if p.style.name == "简报正文"]
    assert body[:3] == [
        "一季度，城东分局重点工作未按时序进度完成，扣2分，责任人王伟。",
        "李秀兰2026年1月月度考核第1条扣分 上班迟到，已登记；城西分局 无扣分。",
        "本期数据以“<系统>”及“A&B”口径为准。",  # the office's text as written (escaped for the XML)
    ]
    assert CODES.findall(_text(doc)) == []
    # 本期考核情况: each unit's 2026-Q1 score by name, its deductions with the person responsible.
    rows = [[cell.text for cell in row.cells] for row in doc.tables[0].rows]
    assert rows[0] == ["序号", "单位", "考核类别", "得分", "扣分情况"]
    assert rows[1:] == [
        ["1", "城东分局", "重点工作考核", "98.00", "扣2.00分：重点工作未按时序进度完成（责任人：王伟）。"],
        ["2", "城西分局", "重点工作考核", "100.00", "无扣分"],
    ]


def test_the_foot_prints_the_digest_that_jixiao_verify_expect_accepts__R_AUDIT_1(
    published: Any, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    foot = _text(_docx(published))
    printed = EXPECT.findall(foot)
    assert len(printed) == 1
    position, digest = printed[0]
    bulletin = published.read("office", "/bulletins/2026-01")
    assert (int(position), digest) == (bulletin["through_position"], bulletin["digest"])
    assert f"本期发布时事件日志位置 {position}，摘要（SHA-256）{digest}。" in foot

    monkeypatch.setenv("JIXIAO_DATABASE_URL", db_url)  # the command line on the same store
    capsys.readouterr()
    assert jixiao(["verify", "--expect", f"{position}:{digest}"]) == 0
    assert "校验通过" in capsys.readouterr().out
    wrong = f"{position}:{digest[:-1]}{'0' if digest[-1] != '0' else '1'}"
    assert jixiao(["verify", "--expect", wrong]) == 1
    assert "校验失败" in capsys.readouterr().out


def test_the_word_bulletin_is_read_as_the_json_one(published: Any) -> None:
    """The rule of GET /bulletins/{number}: the bureau's members, not the auditor or the
    administrator; an unknown number is the same 404."""
    for role in ("staff", "head_b02", "assessor", "viewer"):
        assert published.get(role, "/documents/bulletins/2026-01").status_code == 200, role
    for role in ("security_auditor", "system_admin"):
        published.problem(published.get(role, "/documents/bulletins/2026-01"), 403, "FORBIDDEN")
    assert published.get(None, "/documents/bulletins/2026-01").status_code == 401
    json_404 = published.problem(published.get("office", "/bulletins/2026-99"), 404, "BULLETIN_NOT_FOUND")
    word_404 = published.problem(published.get("office", "/documents/bulletins/2026-99"), 404, "BULLETIN_NOT_FOUND")
    assert word_404 == json_404


def test_read_as_of_a_position_the_document_says_so_and_before_publication_there_is_none__R_Q_3(published: Any) -> None:
    bulletin = published.read("office", "/bulletins/2026-01")
    r = published.get("office", "/documents/bulletins/2026-01", as_of=str(bulletin["position"]))
    assert r.status_code == 200 and r.headers["X-As-Of-Position"] == str(bulletin["position"])
    assert "X-As-Of-Position" not in published.get("office", "/documents/bulletins/2026-01").headers
    before = published.get("office", "/documents/bulletins/2026-01", as_of=str(bulletin["through_position"]))
    published.problem(before, 404, "BULLETIN_NOT_FOUND")
