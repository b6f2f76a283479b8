"""The printable 公示 (public notice) of results, from the notice board (projections/notice_board).

Annual: units' scores, outcomes and ranks; persons' grades and civil-servant grades — never a
payout or a rate. Monthly: each person's score for the month. A figure changed after the notice
or the confirmation is printed as published, with the new one beside it ("良好（确认后变更为 优秀）").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from api.documents.forms import chinese_date, date_line, document
from api.documents.model import Cell, Column, Document, Table
from projections.view import View


def _shown(row: dict[str, Any], field: str, after: str) -> Cell:
    """The published figure; a later change beside it, as text, so both are on the paper."""
    value = row.get(field)
    change = row["changed"].get(field)
    if change is None:
        return Decimal(value) if field == "score" and value is not None else value
    return f"{value if value is not None else '—'}（{after}变更为 {change['now'] if change['now'] is not None else '—'}）"


def public_notice(view: View, board: dict[str, Any], today: date) -> Document:
    scope, after = board["scope"], board["changed_after_zh"]
    annual = board["kind"] == "annual"
    subject = f"{scope}年度考核结果" if annual else f"{scope[:4]}年{int(scope[5:])}月工作人员月度考核结果"
    title = f"{subject}公示"  # the route puts the bureau's name before it
    starts, ends = date.fromisoformat(board["starts_on"]), date.fromisoformat(board["ends_on"])
    lines = [
        f"公示期：{chinese_date(starts)}至{chinese_date(ends)}（{board['stage_zh']}）",
        "公示期间如有异议，请向考核办公室（人教科）或效能监察室提出，异议按申诉程序办理。",
        date_line(today),
    ]
    if board["status"] == "confirmed":
        lines.insert(1, f"{chinese_date(date.fromisoformat(board['confirmed_on']))}经考核工作领导小组确认")
    tables = []
    if annual:
        tables.append(Table(
            "单位考核结果",
            (Column("名次", "int", 6), Column("单位", "text", 18), Column("年度得分", "points", 12), Column("考核结果", "text", 16), Column("备注", "text", 14)),
            tuple((u["rank"], u["name"], _shown(u, "score", after), _shown(u, "outcome_zh", after), "暂定" if u["provisional"] else None) for u in board["units"]),
        ))  # fmt: skip
        tables.append(Table(
            "工作人员考核等次",
            (Column("序号", "int", 6), Column("单位", "text", 18), Column("姓名", "text", 12), Column("绩效考核等次", "text", 22), Column("公务员年度考核等次", "text", 22), Column("备注", "text", 10)),
            tuple((i, p["unit_name"], p["name"], _shown(p, "grade_zh", after), _shown(p, "cs_grade_zh", after), "暂定" if p["provisional"] else None)
                  for i, p in enumerate(board["persons"], 1)),
        ))  # fmt: skip
    else:
        tables.append(Table(
            "月度考核得分",
            (Column("序号", "int", 6), Column("单位", "text", 18), Column("姓名", "text", 12), Column("月度得分", "points", 14)),
            tuple((i, p["unit_name"], p["name"], _shown(p, "score", after)) for i, p in enumerate(board["persons"], 1)),
        ))  # fmt: skip
    doc = document(view, "public-notice", title, f"{subject}公示", lines, tables)
    return Document(doc.kind, doc.title, doc.filename, doc.lines, doc.tables, as_of=doc.as_of, signatures=("考核办公室（人教科）",), landscape=False)
