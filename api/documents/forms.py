"""The office's forms (报表) as `Document`s, built from a `View` (live, or as of a log position).

    person_ledger   评分登记表（个人）: each month's sheet, each entry of the year
    unit_ledger     评分登记表（单位）: the unit's sheets and entries, its staff's monthly scores
    record_form     月绩效考核备案表: a unit's staff × the quarter's months, and its filing
    notice          通报: every unit's score for a quarter or half-year; every person's for a month
    annual_summary  年度考核结果汇总表: units, persons and the excellent quota by tier
    payouts         目标考评奖发放表: each person's payout as the annual results compute it
    audit_log       安全审计日志 for the security auditor

Every figure is read from the projections (decimal strings, turned into `Decimal`); nothing here
reads the event log or applies a rule. Codes are shown with names, enums in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from api.deps import BEIJING
from api.documents.model import Cell, Column, Document, Table
from ledger.domain.actors import ROLE_ZH, Role
from ledger.domain.periods import PeriodKind, parse_period
from projections.queries import PAGE_MAX
from projections.query_base import paged
from projections.view import View

# Titles name the subject only ("2026年度考核结果汇总表"); the route puts the bureau's name
# (JIXIAO_BUREAU_NAME, ledger/settings.py) before it: `letterhead`.

# The Chinese names the UI shows (web/src/labels.js; tiers as on the results and roster pages).
SHEET_STATUS = {"open": "考核中", "submitted": "已报送", "published": "已公布"}
TRACK = {"key": "重点工作", "routine": "常规工作", "half": "半年考核", "monthly": "月度考核"}
ENTRY_STATUS = {"active": "有效", "reversed": "已撤销", "amended": "已更正"}
SOURCE = {
    "assessment": "考核部门", "unit_review": "单位考核", "supervision": "效能监察", "cascade": "责任连带",
    "missed_finding": "应扣未扣补扣", "missed_double": "应扣未扣加倍",
}  # fmt: skip
TIER = {"middle_head": "中层正职", "middle_deputy": "中层副职", "other": "其他人员"}
UNIT_KIND = {"branch": "基层分局", "department": "机关科室"}
OUTCOME = {"accepted": "成功", "refused": "被拒绝", "read": "查看"}
CS_FLAG = {
    "job_adjustment": "岗位调整", "criticism": "通报批评", "admonition": "诫勉谈话", "off_duty_study": "离岗学习",
    "demotion": "降职降级", "dismissal": "辞退",
}  # fmt: skip
QUARTER_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
HALF_ZH = {1: "上半年", 2: "下半年"}
AUDIT_ROWS_MAX = 10_000  # one workbook (a few seconds); the CSV export (GET /audit.csv) takes more
AUDIT_PDF_ROWS_MAX = 1_000  # a printed log: about 25 pages, ten seconds of typesetting


# -- small helpers -----------------------------------------------------------------------------


def dec(value: str | None) -> Decimal | None:
    """A projected figure ("95.50") as a Decimal; None stays None."""
    return None if value is None else Decimal(value)


def day(value: str | None) -> date | None:
    return None if not value else date.fromisoformat(value[:10])


def beijing(value: str | None) -> datetime | None:
    """A UTC ISO moment as Beijing wall time (naive: Excel keeps no time zone)."""
    return None if not value else datetime.fromisoformat(value).astimezone(BEIJING).replace(tzinfo=None, microsecond=0)


def chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def period_zh(code: str) -> str:
    """2026-Q1 → 2026年第一季度; 2026-H1 → 2026年上半年; 2026-03 → 2026年3月."""
    p = parse_period(code)
    if p.kind is PeriodKind.QUARTER:
        return f"{p.year}年{QUARTER_ZH[p.index]}"
    if p.kind is PeriodKind.HALF:
        return f"{p.year}年{HALF_ZH[p.index]}"
    return f"{p.year}年{p.index}月"


def role_zh(role: str | None) -> str:
    try:
        return ROLE_ZH[Role(role)]
    except ValueError:
        return role or ""


def joined(parts: Iterable[str | None], sep: str = "、") -> str:
    return sep.join(p for p in parts if p)


def total_of(values: Iterable[Decimal | int | None]) -> Decimal | int:
    present = [v for v in values if v is not None]
    return sum(present[1:], present[0]) if present else 0


def date_line(today: date) -> str:
    return f"制表日期：{chinese_date(today)}"


def as_of_line(view: View) -> str | None:
    return None if view.as_of is None else f"截至事件位置 {view.as_of} 的历史数据（as of），不含此后的登记与更正"


def file_suffix(view: View) -> str:
    return "" if view.as_of is None else f"-截至{view.as_of}"


def disputed_sheets(view: View, year: int) -> frozenset[str]:
    """The sheets with an entry under an open dispute (R-DISPUTE-1): their score is provisional."""
    return frozenset(d["sheet"] for d in view.queries.disputes(year=year) if d["status"] in ("filed", "reviewed"))


def provisional(code: str, disputed: frozenset[str]) -> str:
    return "暂定（申诉中）" if code in disputed else ""


class Names:
    """Unit and person names (and tiers) as of the view, read once per document."""

    def __init__(self, view: View) -> None:
        q = view.queries
        self.units = {u["code"]: u for u in q.units()}
        self.persons = {p["code"]: p for p in q.all_persons()}
        self.unit_order = {code: i for i, code in enumerate(self.units)}  # branches, then departments

    def unit(self, code: str | None) -> str:
        return "" if code is None else self.units.get(code, {}).get("name", code)

    def person(self, code: str | None) -> str:
        return "" if code is None else self.persons.get(code, {}).get("name", code)

    def target(self, code: str) -> str:
        return self.units[code]["name"] if code in self.units else self.person(code)

    def tier(self, code: str) -> str:
        return TIER.get(self.persons.get(code, {}).get("tier", ""), "")

    def unit_key(self, code: str | None) -> tuple[int, str]:
        return (self.unit_order.get(code or "", len(self.unit_order)), code or "")


# -- the parts several forms share ---------------------------------------------------------------

ENTRY_COLUMNS = (
    Column("序号", "int", 6), Column("考核期", width=13), Column("考核类型", width=10), Column("发生日期", "date", 12),
    Column("考核项目", width=14), Column("扣分依据（事实）", width=30), Column("扣分", "points", 8), Column("来源", width=12),
    Column("文书编号", width=13), Column("登记人", width=22), Column("登记时间", "date", 17), Column("状态", width=8),
    Column("说明", width=32),
)  # fmt: skip


def period_order(code: str) -> tuple[date, int]:
    """Calendar order: by the period's last day, the shorter first (Q2 before H1)."""
    p = parse_period(code)
    return (p.end, -p.start.toordinal())


def sheet_table(name: str, sheets: list[dict[str, Any]], names: Names, with_unit: bool, note: str | None = None) -> Table:
    """A target's sheets: period, track (and the unit, for a person who may move), score,
    deductions, status and dates, with the deductions' 合计."""
    sheets = sorted(sheets, key=lambda s: (period_order(s["period"]), s["track"]))
    unit = (Column("所在单位", width=16),) if with_unit else ()
    columns = (
        Column("考核期", width=14), Column("考核类型", width=10), *unit, Column("得分", "points", 9), Column("扣分", "points", 9),
        Column("扣分条数", "int", 9), Column("状态", width=9), Column("报送日期", "date", 12), Column("公布日期", "date", 12), Column("备注", width=14),
    )  # fmt: skip
    rows = tuple(
        (
            period_zh(s["period"]), TRACK.get(s["track"], s["track"]), *((names.unit(s["unit"]),) if with_unit else ()), dec(s["score"]),
            dec(s["deducted"]), s["entries_active"], SHEET_STATUS.get(s["status"], s["status"]), day(s["submitted_on"]), day(s["published_on"]),
            "暂定（申诉中）" if s.get("provisional") else "",
        )
        for s in sheets
    )  # fmt: skip
    total = ("合计", None, *((None,) if with_unit else ()), None, total_of(dec(s["deducted"]) for s in sheets), total_of(s["entries_active"] for s in sheets), None, None, None, None)
    return Table(name, columns, rows, total=total if rows else None, note=note)


def entry_remark(e: dict[str, Any], names: Names) -> str:
    """What else a reader of the entry must know: its reversal, amendment, cascade, dispute."""
    reversal = None
    if e["status"] == "reversed":
        reversal = f"撤销原因：{e.get('reversal_reason') or '—'}" + (f"（{e['reversal_ref']}）" if e.get("reversal_ref") else "")
    cascaded_to = "连带扣分：" + "、".join(names.person(t.split(":")[0]) for t in e["cascaded_to"]) if e["cascaded_to"] else None
    return joined(
        (
            reversal,
            f"已由 {e['amended_by']} 更正" if e.get("amended_by") else None,
            f"更正 {e['amends']}" if e.get("amends") else None,
            f"连带自 {names.target(e['cascaded_from'].split(':')[0])}（{e['cascaded_from']}）" if e.get("cascaded_from") else None,
            cascaded_to,
            "申诉中（暂定）" if e.get("disputed") else None,
            "逾期登记" if e.get("late") else None,
        ),
        "；",
    )


def entry_rows(entries: list[dict[str, Any]], items: dict[str, dict[str, str]], names: Names) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            i, period_zh(e["period"]), TRACK.get(e["track"], e["track"]), day(e["occurred_on"]),
            items.get(e["sheet"], {}).get(e["item"] or "", e["item"] or ""), e["basis"], dec(e["points"]),
            SOURCE.get(e["source"], e["source"]), e.get("form_no") or "", f"{role_zh(e['recorded_role'])}（{e['recorded_by']}）",
            beijing(e["recorded_at"]), ENTRY_STATUS.get(e["status"], e["status"]), entry_remark(e, names),
        )
        for i, e in enumerate(entries, start=1)
    )  # fmt: skip


def entry_total(entries: list[dict[str, Any]]) -> tuple[Cell, ...]:
    active = total_of(dec(e["points"]) for e in entries if e["status"] == "active")
    return ("合计", None, None, None, None, "有效扣分合计（已撤销、已更正的不计）", active, None, None, None, None, None, None)


def item_titles(sheets: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {s["code"]: {i["code"]: i["title"] for i in s["items"]} for s in sheets}


def letterhead(document: Document, bureau: str) -> Document:
    """The document with the bureau's name before its title ("区工商局" + "2026年度考核结果汇总表")."""
    return replace(document, title=f"{bureau}{document.title}")


def document(view: View, kind: str, title: str, filename: str, lines: Iterable[str], tables: Iterable[Table]) -> Document:
    """A document as read from `view`: as of a past position, it says so, and its file name too."""
    return Document(kind, title, filename + file_suffix(view), tuple(lines), tuple(tables), as_of=as_of_line(view))


# -- 评分登记表 -------------------------------------------------------------------------------------


def ledger_title(year: int) -> str:
    return f"{year}年度工作绩效考核评分登记表"


def person_ledger(view: View, person: str, year: int, today: date) -> Document:
    """A person's scoring ledger for a year: one table of months, one of every entry."""
    q = view.queries
    ledger = q.ledger(person, year)  # the same not-found error as GET /ledgers/{target}
    p = q.person(person, year)
    names = Names(view)
    sheets, entries = ledger["sheets"], ledger["entries"]
    unit = sheets[0]["unit"] if sheets else p["unit"]
    lines = (
        f"单位：{names.unit(unit)}　　姓名：{p['name']}（{person}）　　职务层次：{TIER.get(p['tier'], p['tier'])}　　职级：{p['position_grade'] or ''}",
        f"考核年度：{year}年",
        date_line(today),
    )
    months = sheet_table("月度得分", sheets, names, with_unit=True, note="得分为各月考核表的实时得分（100 − 有效扣分）。")
    rows = entry_rows(entries, item_titles(sheets), names)
    listed = Table("扣分记录", ENTRY_COLUMNS, rows, total=entry_total(entries) if entries else None, note=None if entries else "本年度无扣分记录。")
    return document(view, "person-ledger", ledger_title(year), f"评分登记表-{person}-{p['name']}-{year}", lines, (months, listed))


def staff_grid(view: View, unit: str, year: int, names: Names) -> Table:
    """The unit's staff × the twelve months: each month's score (a person's monthly sheets in this
    unit, so a transfer shows in both units), and the row's sum."""
    sheets = paged(lambda offset: view.queries.sheets(unit=unit, year=year, track="monthly", limit=PAGE_MAX, offset=offset))
    scores: dict[str, dict[int, Decimal | None]] = {}
    for s in sheets:
        scores.setdefault(s["target"], {})[parse_period(s["period"]).index] = dec(s["score"])
    month_columns = tuple(Column(f"{m}月", "points", 8, group="月度得分") for m in range(1, 13))
    columns = (Column("序号", "int", 6), Column("姓名", width=10), Column("职务层次", width=10), *month_columns, Column("合计", "points", 10))
    rows = tuple(
        (i, names.person(code), names.tier(code), *(by_month.get(m) for m in range(1, 13)), total_of(by_month.values()))
        for i, (code, by_month) in enumerate(sorted(scores.items()), start=1)
    )
    return Table("人员月度得分", columns, rows, heading=f"{names.unit(unit)}工作人员{year}年月度考核得分", note="空格：该月无本单位的月度考核表。")


def unit_ledger(view: View, unit: str, year: int, today: date, staff: bool = True) -> Document:
    """A unit's scoring ledger for a year: its sheets, its entries and (for a reader who may see
    every member's records) its staff's monthly scores."""
    q = view.queries
    ledger = q.ledger(unit, year)
    u = q.unit(unit)
    names = Names(view)
    sheets = ledger["sheets"]
    entries = sorted(ledger["entries"], key=lambda e: (period_order(e["period"]), e["track"], e["no"]))
    lines = (f"单位：{u['name']}（{UNIT_KIND.get(u['kind'], u['kind'])}）　　主要负责人：{names.person(u['head'])}", f"考核年度：{year}年", date_line(today))
    tables = [
        sheet_table("单位考核表", sheets, names, with_unit=False, note="得分为各考核表的实时得分（100 − 有效扣分）。"),
        Table("扣分记录", ENTRY_COLUMNS, entry_rows(entries, item_titles(sheets), names), total=entry_total(entries) if entries else None),
    ]
    if staff:
        tables.append(staff_grid(view, unit, year, names))
    return document(view, "unit-ledger", ledger_title(year), f"评分登记表-{unit}-{u['name']}-{year}", lines, tables)


# -- 月绩效考核备案表 ---------------------------------------------------------------------------------


def filing_line(view: View, unit: str, quarter: str, today: date) -> str:
    """The quarter's filing (R-CAL-3) as the deadlines projection judges it on `today`."""
    year = parse_period(quarter).year
    found = [i for i in view.deadlines.year(year, today)["items"] if i["kind"] == "record_forms" and i["subject"] == unit and i["period"] == quarter]
    if not found:
        return "报备情况：—"
    item = found[0]
    done = f"已于{chinese_date(date.fromisoformat(item['done_on']))}报备" if item["done_on"] else "尚未报备"
    return f"报备情况：{done}（{item['status_zh']}）　　报备期限：{chinese_date(date.fromisoformat(item['deadline']))}"


def record_form(view: View, unit: str, quarter: str, today: date) -> Document:
    """月绩效考核备案表: the unit's staff × the quarter's three months (score, deductions, status)."""
    q = view.queries
    u = q.unit(unit)
    names = Names(view)
    p = parse_period(quarter)
    months = [f"{p.year}-{m:02d}" for m in p.months]
    by_month = {m: {s["target"]: s for s in q.sheets(unit=unit, period=m, track="monthly", limit=PAGE_MAX)} for m in months}
    people = sorted({code for sheets in by_month.values() for code in sheets})
    columns: list[Column] = [Column("序号", "int", 6), Column("姓名", width=10), Column("职务层次", width=10)]
    for m in months:
        group = f"{parse_period(m).index}月"
        columns += [Column("得分", "points", 8, group), Column("扣分", "points", 8, group), Column("扣分条数", "int", 8, group), Column("状态", width=8, group=group)]
    rows = []
    for i, code in enumerate(people, start=1):
        cells: list[Cell] = [i, names.person(code), names.tier(code)]
        for m in months:
            s = by_month[m].get(code)
            cells += [None, None, None, "—"] if s is None else [dec(s["score"]), dec(s["deducted"]), s["entries_active"], SHEET_STATUS.get(s["status"], s["status"])]
        rows.append(tuple(cells))
    total: list[Cell] = ["合计", None, None]
    for m in months:
        sheets = list(by_month[m].values())
        total += [None, total_of(dec(s["deducted"]) for s in sheets), total_of(s["entries_active"] for s in sheets), None]
    lines = (f"单位：{u['name']}　　考核期：{period_zh(quarter)}", filing_line(view, unit, quarter, today), date_line(today))
    table = Table("备案表", tuple(columns), tuple(rows), total=tuple(total), note="得分为各月月度考核表的实时得分；状态：考核中、已报送、已公布。")
    return document(view, "record-form", f"{period_zh(quarter)}月绩效考核备案表", f"月绩效考核备案表-{unit}-{u['name']}-{quarter}", lines, (table,))


# -- 通报 -------------------------------------------------------------------------------------------


def notice(view: View, period: str, today: date) -> Document:
    """The office's notice of a period: every unit's score and deductions for a quarter or a
    half-year; every person's monthly score for a month, grouped by unit."""
    names = Names(view)
    p = parse_period(period)
    tables = monthly_notice(view, period, names) if p.kind is PeriodKind.MONTH else unit_notice(view, period, names)
    lines = (f"考核期：{period_zh(period)}", date_line(today))
    return document(view, "notice", f"{period_zh(period)}工作绩效考核情况通报", f"考核情况通报-{period}", lines, tables)


def unit_notice(view: View, period: str, names: Names) -> tuple[Table, ...]:
    q = view.queries
    disputed = disputed_sheets(view, parse_period(period).year)
    sheets = [s for s in paged(lambda offset: q.sheets(period=period, limit=PAGE_MAX, offset=offset)) if s["target_kind"] == "unit"]
    sheets.sort(key=lambda s: (names.unit_key(s["target"]), s["track"]))
    columns = (
        Column("序号", "int", 6), Column("单位", width=18), Column("类别", width=10), Column("考核类型", width=10), Column("得分", "points", 9),
        Column("扣分", "points", 9), Column("扣分条数", "int", 9), Column("状态", width=9), Column("备注", width=14),
    )  # fmt: skip
    rows = tuple(
        (
            i, names.unit(s["target"]), UNIT_KIND.get(names.units.get(s["target"], {}).get("kind", ""), ""), TRACK.get(s["track"], s["track"]),
            dec(s["score"]), dec(s["deducted"]), s["entries_active"], SHEET_STATUS.get(s["status"], s["status"]), provisional(s["code"], disputed),
        )
        for i, s in enumerate(sheets, start=1)
    )  # fmt: skip
    total = ("合计", None, None, None, None, total_of(dec(s["deducted"]) for s in sheets), total_of(s["entries_active"] for s in sheets), None, None)
    scores = Table("单位得分", columns, rows, total=total, note="得分为各单位本期考核表的实时得分（100 − 有效扣分）。")
    return scores, deduction_table(view, sheets, names)


def deduction_table(view: View, sheets: list[dict[str, Any]], names: Names) -> Table:
    """Every active deduction on the given unit sheets (reversed and amended ones no longer count)."""
    details = [view.queries.sheet(s["code"]) for s in sheets if s["entries_total"]]
    items = item_titles(details)
    active = [(d, e) for d in details for e in d["entries"] if e["status"] == "active"]
    columns = (
        Column("序号", "int", 6), Column("单位", width=18), Column("考核类型", width=10), Column("发生日期", "date", 12), Column("考核项目", width=16),
        Column("扣分依据（事实）", width=34), Column("扣分", "points", 8), Column("来源", width=12), Column("说明", width=28),
    )  # fmt: skip
    rows = tuple(
        (
            i, names.unit(e["target"]), TRACK.get(e["track"], e["track"]), day(e["occurred_on"]), items.get(d["code"], {}).get(e["item"] or "", e["item"] or ""),
            e["basis"], dec(e["points"]), SOURCE.get(e["source"], e["source"]), entry_remark(e, names),
        )
        for i, (d, e) in enumerate(active, start=1)
    )  # fmt: skip
    total = ("合计", None, None, None, None, None, total_of(dec(e["points"]) for _, e in active), None, None)
    return Table("扣分情况", columns, rows, total=total if rows else None, note=None if rows else "本期无有效扣分。")


def monthly_notice(view: View, period: str, names: Names) -> tuple[Table, ...]:
    q = view.queries
    disputed = disputed_sheets(view, parse_period(period).year)
    sheets = paged(lambda offset: q.sheets(period=period, track="monthly", limit=PAGE_MAX, offset=offset))
    sheets.sort(key=lambda s: (names.unit_key(s["unit"]), s["target"]))
    columns = (
        Column("序号", "int", 6), Column("单位", width=18), Column("姓名", width=10), Column("职务层次", width=10), Column("得分", "points", 9),
        Column("扣分", "points", 9), Column("扣分条数", "int", 9), Column("状态", width=9), Column("备注", width=14),
    )  # fmt: skip
    rows = tuple(
        (
            i, names.unit(s["unit"]), names.person(s["target"]), names.tier(s["target"]), dec(s["score"]), dec(s["deducted"]), s["entries_active"],
            SHEET_STATUS.get(s["status"], s["status"]), provisional(s["code"], disputed),
        )
        for i, s in enumerate(sheets, start=1)
    )  # fmt: skip
    total = ("合计", None, None, None, None, total_of(dec(s["deducted"]) for s in sheets), total_of(s["entries_active"] for s in sheets), None, None)
    return (Table("人员月度得分", columns, rows, total=total, note="按单位排列；得分为月度考核表的实时得分。"),)


# -- 年度考核结果汇总表 ------------------------------------------------------------------------------


def unit_flags(u: dict[str, Any]) -> str:
    return joined(("一票否决" if u["vetoed"] else None, "诫勉" if u["admonition"] else None, "问责" if u["accountability"] else None,
                   "末位" if u["bottom"] else None, "暂定" if u["provisional"] else None))  # fmt: skip


def person_flags(p: dict[str, Any]) -> str:
    return joined((
        "免考" if p["exempt"] else None, "直接评定优秀" if p["direct_excellent"] else None, "否决限评优秀" if p["excellent_barred"] else None,
        "末位" if p["bottom"] else None, *(CS_FLAG.get(f, f) for f in p.get("flags", [])), "暂定" if p["provisional"] else None,
    ))  # fmt: skip


def annual_summary(view: View, year: int, today: date) -> Document:
    """年度考核结果汇总表: units (score, outcome, rank, flags), persons (rate, grades, quota place,
    payout) and the excellent quota by tier, as the annual results compute them."""
    results = view.annual.year(year)
    summary = results["summary"]
    names = Names(view)
    units = sorted(results["units"], key=lambda u: (u["kind"], u["rank"] or 10**6, u["unit"]))
    unit_columns = (
        Column("序号", "int", 6), Column("单位", width=18), Column("类别", width=10), Column("加分", "points", 8), Column("年度得分", "points", 10),
        Column("考核结果", width=10), Column("同类排名", "int", 9), Column("标记", width=24),
    )  # fmt: skip
    unit_rows = tuple(
        (i, u["name"], UNIT_KIND.get(u["kind"], u["kind"]), dec(u["bonus"]), dec(u["score"]), u["outcome_zh"] or "待定", u["rank"], unit_flags(u))
        for i, u in enumerate(units, start=1)
    )
    persons = sorted(results["persons"], key=lambda p: (names.unit_key(p["unit"]), p["person"]))
    person_columns = (
        Column("序号", "int", 6), Column("单位", width=16), Column("姓名", width=10), Column("职务层次", width=10), Column("年度得分率", "rate", 10),
        Column("考核等次", width=9), Column("公务员等次", width=10), Column("占优秀名额", width=10), Column("目标考评奖（元）", "money", 14),
        Column("标记", width=26),
    )  # fmt: skip
    person_rows = tuple(
        (
            i, names.unit(p["unit"]), p["name"], TIER.get(p["tier"], p["tier"]), dec(p["annual_rate"]), p["grade_zh"] or "待定",
            p.get("cs_grade_zh") or "待定", "是" if p["quota_place"] else "", dec(p.get("payout_yuan")), person_flags(p),
        )
        for i, p in enumerate(persons, start=1)
    )  # fmt: skip
    quota = summary["quota"]
    quota_rows = tuple((TIER.get(t, t), q["size"], q["places"], q["used"]) for t, q in quota.items())
    quota_columns = (Column("职务层次", width=14), Column("参评人数", "int", 10), Column("优秀名额", "int", 10), Column("已占名额", "int", 10))
    quota_total = ("合计", sum(q["size"] for q in quota.values()), sum(q["places"] for q in quota.values()), sum(q["used"] for q in quota.values()))
    direct = "、".join(names.person(c) for c in summary["direct_excellent_heads"]) or "无"
    rate = Decimal(summary["quota_rate"]) * 100
    lines = (
        f"考核年度：{year}年　　参评人数：{summary['persons_evaluated']}人　　优秀名额比例：{rate.normalize():f}%",
        f"达标单位：{len(summary['units_meeting_standard'])}个　　不达标单位：{len(summary['units_not_meeting_standard'])}个　　暂定人员：{summary['persons_provisional']}人",
        date_line(today),
    )
    tables = (
        Table("单位", unit_columns, unit_rows, heading="单位年度考核结果", note="排名为同类单位（基层分局、机关科室）内的名次；标“暂定”的结果尚有缺项或申诉未决。"),
        Table("人员", person_columns, person_rows, heading="人员年度考核结果", note="目标考评奖为空：尚缺基数或等次。"),
        Table("优秀名额", quota_columns, quota_rows, heading=f"各层级优秀名额（参评人数 × {rate.normalize():f}%）", total=quota_total,
              note=f"直接评定优秀、不占名额的分局负责人：{direct}"),
    )  # fmt: skip
    return document(view, "annual-summary", f"{year}年度考核结果汇总表", f"年度考核结果汇总表-{year}", lines, tables)


# -- 目标考评奖发放表 --------------------------------------------------------------------------------


def payouts(view: View, year: int, today: date) -> Document:
    """目标考评奖发放表: each person's base, the money deducted (points × the value of a point)
    and the payout, as the annual results compute them (R-BONUS-T-1..3), with the year's bases by
    position grade. Nothing is recomputed here."""
    results = view.annual.year(year)
    settings = view.annual.inputs(year).target_bonus
    names = Names(view)
    persons = sorted(results["persons"], key=lambda p: (names.unit_key(p["unit"]), p["person"]))
    columns = (
        Column("序号", "int", 6), Column("单位", width=16), Column("姓名", width=10), Column("职级", width=10), Column("考核等次", width=9),
        Column("基数（元）", "money", 12), Column("年度扣分（分）", "points", 12), Column("扣减金额（元）", "money", 12),
        Column("发放金额（元）", "money", 14), Column("备注", width=24),
    )  # fmt: skip
    rows = tuple(
        (
            i, names.unit(p["unit"]), p["name"], p["position_grade"] or "", p["grade_zh"] or "待定", dec(p["payout_base_yuan"]),
            dec(p["deducted_points"]), dec(p["payout_deduction_yuan"]), dec(p["payout_yuan"]),
            joined(("免考" if p["exempt"] else None, "暂定" if p["provisional"] else None, "待定：尚缺基数或等次" if p["payout_yuan"] is None else None)),
        )
        for i, p in enumerate(persons, start=1)
    )  # fmt: skip
    total = ("合计", None, None, None, None, None, total_of(r[6] for r in rows), total_of(r[7] for r in rows), total_of(r[8] for r in rows), None)
    payout_table = Table("发放表", columns, rows, total=total, note="发放金额 = 基数 − 扣减金额（一般等次为基数的一半；56周岁/女51周岁以上人员不扣减），扣减金额 = 年度有效扣分 × 每分扣款金额。")
    tables = [payout_table]
    if settings is None:
        lines_extra = "目标考评奖基数：尚未设定"
    else:
        lines_extra = f"每分扣款金额：{Decimal(settings['point_value']):f}元"
        bases = tuple((grade, Decimal(amount)) for grade, amount in settings["bases"].items())
        tables.append(Table("基数", (Column("职级", width=14), Column("基数（元）", "money", 14)), bases, heading=f"{year}年度目标考评奖基数（局党组设定）"))
    lines = (f"考核年度：{year}年　　{lines_extra}", date_line(today))
    return document(view, "payouts", f"{year}年度目标考评奖发放表", f"目标考评奖发放表-{year}", lines, tables)


# -- 安全审计日志 -----------------------------------------------------------------------------------


def audit_log(
    view: View,
    today: date,
    user: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    since: str | None = None,
    until: str | None = None,
    most: int = AUDIT_ROWS_MAX,
) -> Document:
    """The audit log for the security auditor, newest first, with the filters of GET /audit
    (`since`/`until` as UTC ISO moments, as the query takes them). The audit log is not kept by
    log position: a document asked as of a position still lists every record, and says so. At
    most `most` records, the newest."""
    rows = paged(lambda offset: view.queries.audit_log(user, action, outcome, since, until, limit=PAGE_MAX, offset=offset), most)
    columns = (
        Column("编号", "int", 8), Column("时间（北京时间）", "date", 19), Column("用户", width=20), Column("角色", width=14), Column("客户端地址", width=15),
        Column("操作", width=30), Column("对象", width=22), Column("结果", width=8), Column("代码", width=18), Column("日志位置", "int", 10),
    )  # fmt: skip
    cells = tuple(
        (r["id"], beijing(r["at"]), r["user_id"], role_zh(r["role"]), r["client"] or "", r["action"], r["target"] or "",
         OUTCOME.get(r["outcome"], r["outcome"]), r["code"] or "", r["position"])
        for r in rows
    )  # fmt: skip
    moment = lambda text: beijing(text).strftime("%Y-%m-%d %H:%M:%S") if text else None  # noqa: E731
    filters = joined((
        f"用户 {user}" if user else None, f"操作 {action}" if action else None, f"结果 {OUTCOME.get(outcome, outcome)}" if outcome else None,
        f"自 {moment(since)}" if since else None, f"至 {moment(until)}" if until else None,
    ), "；") or "全部"  # fmt: skip
    note = f"仅列出最近 {most} 条，请缩小时间范围分次导出，或导出 CSV。" if len(rows) >= most else None
    lines = (f"筛选条件：{filters}　　列出 {len(rows)} 条（新记录在前）", date_line(today))
    as_of = None if view.as_of is None else f"安全审计日志不按事件位置回溯：历史查询（as of 事件位置 {view.as_of}）不适用，本表为制表时的全部记录"
    table = Table("审计日志", columns, cells, note=note)
    return Document("audit-log", "信息系统安全审计日志", "安全审计日志" + file_suffix(view), lines, (table,), as_of=as_of)
