"""The printable PDF (打印版): a `Document` (api/documents/model.py) or one 效能监察反馈单, drawn from
HTML/CSS by WeasyPrint.

Why WeasyPrint: it is a Python library (PyPI) on top of pango, cairo-free since v53, that lays out
HTML/CSS paged media itself: `@page` sizes and margins, running footers with `counter(page)` and
`counter(pages)`, table headers repeated on every page, page breaks. Fonts come from fontconfig and
are embedded as subsets, so the Debian package fonts-noto-cjk is all a server needs for Chinese.
Headless Chromium would need a browser on every server and a process per document; the Jinja2
templates here also serve an HTML page (the printable 公示) as they are.

Fonts: the stylesheet asks for "Noto Serif CJK SC" (宋体-like, for official forms), then "Noto Sans
CJK SC", then `serif`. WeasyPrint embeds the glyphs used (a subset of the OpenType font) in the PDF;
a reader needs no Chinese font of its own. Before the first PDF, `cjk_family()` asks fontconfig
(through WeasyPrint's own binding, or `fc-list` when that is not available) whether one of the two
families is installed, once per process: without it Chinese would come out as empty boxes (豆腐块),
so the service refuses with PDF_UNAVAILABLE (503) instead of printing a useless form.

Nothing is fetched while rendering: the stylesheet is included into the HTML by Jinja2, and the URL
fetcher refuses every URL, so no text in a record can make the renderer read a file or a URL.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from api.documents.model import Cell, Column, Document, Kind, Table
from ledger.clock import BEIJING
from ledger.domain.errors import DomainError, NotFound
from ledger.domain.periods import parse_period

if TYPE_CHECKING:
    from projections.view import View

TEMPLATES = Path(__file__).resolve().parent / "templates"
CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")  # Debian fonts-noto-cjk; the stylesheet's order

NUMERIC: frozenset[str] = frozenset({"points", "money", "rate", "int"})
TWO_PLACES = Decimal("0.01")


class PdfUnavailable(DomainError):
    """The server cannot typeset a PDF: WeasyPrint or pango is missing, or no Chinese font."""

    code = "PDF_UNAVAILABLE"
    status = 503
    message_zh = "服务器未安装 PDF 排版组件（pango）或中文字体（fonts-noto-cjk），暂时无法生成 PDF；Excel 与 Word 文件不受影响"
    message_en = "The server cannot produce PDF files: the typesetting library (WeasyPrint, pango) or a Chinese font is missing"


class FeedbackFormNotFound(NotFound):
    """R-SUP-1: only a supervision deduction is delivered as a numbered 效能监察反馈单; any other
    entry exists but has no such form. A 404 (the form named by the path does not exist), not a
    409: a read conflicts with nothing, and no read lists 409 (tests/api/test_openapi_contract.py)."""

    code = "FEEDBACK_FORM_NOT_FOUND"
    message_zh = "该扣分记录不是效能监察扣分，没有效能监察反馈单"
    message_en = "Only an efficiency-supervision deduction has a supervision feedback form"


# -- the engine ------------------------------------------------------------------------------

_RENDER_LOCK = threading.Lock()  # pango and fontconfig are not safe to drive from two threads at once


def _import_weasyprint() -> ModuleType:
    import weasyprint  # raises OSError when pango's shared libraries cannot be loaded

    return weasyprint


def _fc_list_families() -> str | None:
    """`fc-list :lang=zh family`: the first of CJK_FAMILIES it lists, or None."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return next((family for family in CJK_FAMILIES if family in names), None)


def _fontconfig_family() -> str | None:
    """Ask fontconfig, through WeasyPrint's binding, which of CJK_FAMILIES it would use for itself
    (a family it does not have is matched to some other one)."""
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    try:
        for family in CJK_FAMILIES:
            pattern = fontconfig.FcPatternCreate()
            fontconfig.FcPatternAddString(pattern, b"family", family.encode())
            fontconfig.FcPatternAddString(pattern, b"lang", b"zh-cn")
            fontconfig.FcConfigSubstitute(config, pattern, 0)  # FcMatchPattern
            fontconfig.FcDefaultSubstitute(pattern)
            result = ffi.new("FcResult *")
            match = fontconfig.FcFontMatch(config, pattern, result)
            fontconfig.FcPatternDestroy(pattern)
            if match == ffi.NULL:
                continue
            found: set[str] = set()
            value = ffi.new("FcChar8 **")
            for n in range(8):
                if fontconfig.FcPatternGetString(match, b"family", n, value) != 0:  # FcResultMatch
                    break
                found.add(ffi.string(value[0]).decode("utf-8", "replace"))
            fontconfig.FcPatternDestroy(match)
            if family in found:
                return family
    finally:
        fontconfig.FcConfigDestroy(config)
    return None


@functools.cache
def cjk_family() -> str | None:
    """The Chinese font family the PDFs are set in, or None when none is installed (asked once)."""
    try:
        return _fontconfig_family()
    except (ImportError, OSError, AttributeError, TypeError):
        return _fc_list_families()


def _engine() -> ModuleType:
    """WeasyPrint, or PDF_UNAVAILABLE when it, pango or a Chinese font is missing."""
    try:
        weasyprint = _import_weasyprint()
    except (ImportError, OSError) as error:
        raise PdfUnavailable(f"WeasyPrint cannot be loaded: {type(error).__name__}: {str(error)[:200]}") from error
    if cjk_family() is None:
        raise PdfUnavailable(f"No Chinese font ({' or '.join(CJK_FAMILIES)}) is installed: install fonts-noto-cjk")
    return weasyprint


def _refuse_every_url(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the PDF renderer fetches nothing: {url[:80]}")


def _no_fetching() -> Any:
    """A URL fetcher that refuses every URL (the stylesheet is inline, there are no images)."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint ≥ 66: a class, with the protocols it allows
    except ImportError:
        return _refuse_every_url  # older: a function
    return URLFetcher(allowed_protocols=())


def _write_pdf(html: str) -> bytes:
    weasyprint = _engine()
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES), url_fetcher=_no_fetching())
    with _RENDER_LOCK:
        return bytes(document.write_pdf())


# -- formatting: each typed cell written once, here ------------------------------------------


def format_cell(value: Cell, kind: Kind = "text") -> str:
    """A cell as printed: points, money and rates with exactly two decimals (half up, from the
    Decimal, never a float), counts plain, dates YYYY-MM-DD, moments in Beijing time, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind in ("points", "money", "rate") and isinstance(value, (Decimal, int)):
        return f"{Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP):f}"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        moment = value.astimezone(BEIJING) if value.tzinfo is not None else value
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def chinese_date(day: date | None) -> str:
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


def points_text(points: Decimal) -> str:
    return format_cell(points, "points")


def _align(kind: Kind, value: Cell) -> str:
    if kind in NUMERIC:
        return "center" if isinstance(value, str) else "num"  # "合计", "—" in a number column
    return "center" if kind == "date" else "text"


@dataclass(frozen=True)
class HeaderCell:
    title: str
    colspan: int = 1
    rowspan: int = 1


def header_rows(columns: tuple[Column, ...]) -> list[list[HeaderCell]]:
    """One header row, or two when a column has a `group`: adjacent columns of one group share a
    merged cell above their own titles; a column without a group spans both rows."""
    if not any(c.group for c in columns):
        return [[HeaderCell(c.title) for c in columns]]
    top: list[HeaderCell] = []
    below: list[HeaderCell] = []
    i = 0
    while i < len(columns):
        group = columns[i].group
        if group is None:
            top.append(HeaderCell(columns[i].title, rowspan=2))
            i += 1
            continue
        j = i
        while j < len(columns) and columns[j].group == group:
            below.append(HeaderCell(columns[j].title))
            j += 1
        top.append(HeaderCell(group, colspan=j - i))
        i = j
    return [top, below]


def _widths(columns: tuple[Column, ...]) -> list[str]:
    total = sum(max(c.width, 1) for c in columns) or 1
    return [f"{Decimal(max(c.width, 1) * 100 / total).quantize(Decimal('0.01'))}%" for c in columns]


def _table_view(table: Table) -> dict[str, Any]:
    columns = table.columns

    def row(cells: tuple[Cell, ...]) -> list[dict[str, str]]:
        return [{"text": format_cell(v, c.kind), "align": _align(c.kind, v)} for v, c in zip(cells, columns)]

    return {
        "name": table.name,
        "heading": table.heading,
        "note": table.note,
        "header": header_rows(columns),
        "widths": _widths(columns),
        "rows": [row(r) for r in table.rows],
        "total": row(table.total) if table.total is not None else None,
        "empty": not table.rows,
        "span": len(columns),
    }


@functools.cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["cn_date"] = chinese_date
    env.filters["points"] = points_text
    return env


def document_html(document: Document) -> str:
    """The HTML of a document, as WeasyPrint lays it out (also a printable web page)."""
    return _environment().get_template("document.html").render(
        doc=document, tables=[_table_view(t) for t in document.tables], orientation="landscape" if document.landscape else "portrait"
    )


def render_document(document: Document) -> bytes:
    """One of the office's forms as a PDF: A4 (landscape unless the document says portrait)."""
    return _write_pdf(document_html(document))


# -- the supervision feedback form (效能监察反馈单) ----------------------------------------------


@dataclass(frozen=True)
class CascadeLine:
    """A responsible person deducted with the unit (R-CASCADE-1), as the form lists them."""

    name: str
    unit_name: str
    points: Decimal
    sheet_label: str  # "2026年1月月度考核"
    note: str = ""  # "已撤销" when the cascaded entry no longer counts


@dataclass(frozen=True)
class FeedbackForm:
    """What a 效能监察反馈单 prints (R-SUP-1): names, never codes."""

    bureau: str  # "XX工商局"
    number: str  # 编号: the entry's form number (JC-2026-001)
    issued_by: str  # "效能监察室"
    target_kind: str  # "单位" | "人员"
    target_name: str
    unit_name: str  # the unit the entry belongs to (a person's unit on the sheet)
    sheet_label: str  # "2026年上半年常规工作考核"
    facts: str  # 事实: what the supervisor recorded (the entry's basis text, R-SHEET-4)
    basis: str  # 依据: the rule the deduction rests on
    item: str | None  # 考核细则项目, e.g. "M1 工作纪律（满分 50.00 分）"
    points: Decimal
    occurred_on: date
    recorded_on: date
    printed_on: date
    entry_id: str
    cascades: tuple[CascadeLine, ...] = ()
    attachments: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # the entry's state when it is not simply in force (撤销, 更正, 申诉)
    dispute_days: int | None = None  # R-DISPUTE-1's window in working days, from the year's plan
    as_of: str | None = None  # "截至事件位置 5817" when read as of a past moment
    deliver_to: tuple[str, ...] = field(default=("被监察单位（人员）", "人教科（考核办公室）"))

    @property
    def title(self) -> str:
        return f"{self.bureau}效能监察反馈单"

    @property
    def filename(self) -> str:
        """Without the extension: "效能监察反馈单-JC-2026-001"."""
        return "效能监察反馈单-" + re.sub(r"[\\/:*?\"<>|\s]+", "_", self.number or self.entry_id)


TARGET_KIND = {"unit": "单位", "person": "人员"}
TRACK = {"key": "重点工作", "routine": "常规工作", "half": "半年考核", "monthly": "月度考核"}
_QUARTERS = "一二三四"


def period_label(code: str) -> str:
    """"2026-Q1" → 2026年第一季度, "2026-H1" → 2026年上半年, "2026-03" → 2026年3月."""
    period = parse_period(code)
    if period.kind.value == "quarter":
        return f"{period.year}年第{_QUARTERS[period.index - 1]}季度"
    if period.kind.value == "half":
        return f"{period.year}年{'上' if period.index == 1 else '下'}半年"
    return f"{period.year}年{period.index}月"


def sheet_label(period: str, track: str) -> str:
    return f"{period_label(period)}{TRACK.get(track, track)}"


def _recorded_on(recorded_at: str) -> date:
    return datetime.fromisoformat(recorded_at).astimezone(BEIJING).date()


def _name(view: View, kind: str, code: str) -> str:
    try:
        return str((view.queries.unit(code) if kind == "unit" else view.queries.person(code))["name"])
    except NotFound:
        return code  # a record the view does not know (it should): its code rather than nothing


def _item(view: View, entry: dict[str, Any]) -> str | None:
    if not entry.get("item"):
        return None
    items = view.queries.sheet(entry["sheet"]).get("items") or []
    found = next((i for i in items if i.get("code") == entry["item"]), None)
    if found is None:
        return str(entry["item"])
    return f"{found['code']} {found['title']}（满分 {points_text(Decimal(str(found['points_max'])))} 分）"


def _notes(view: View, entry: dict[str, Any]) -> tuple[str, ...]:
    notes = []
    if entry["status"] == "reversed":
        reason = "；".join(x for x in (entry.get("reversal_reason"), f"依据 {entry['reversal_ref']}" if entry.get("reversal_ref") else None) if x)
        notes.append(f"本扣分已撤销，不计入得分{f'（{reason}）' if reason else ''}。")
    elif entry["status"] == "amended":
        text = "本扣分已更正"
        if entry.get("amended_by"):
            try:
                text += f"，更正后扣 {points_text(Decimal(str(view.queries.entry(entry['amended_by'])['points'])))} 分"
            except NotFound:
                pass
        notes.append(text + "。")
    if entry.get("disputed"):
        notes.append("被监察单位（人员）已提出申诉，处理期间本扣分照常计入。")
    elif str(entry.get("dispute") or "").startswith("decided"):
        notes.append("申诉已处理完毕。")
    if entry.get("late"):
        notes.append("本记录为逾期登记。")
    return tuple(notes)


def _dispute_days(view: View, year: int) -> int | None:
    try:
        value = view.queries.plan(year)["policy"].get("dispute_window_working_days")
        return int(Decimal(str(value))) if value is not None else None
    except (NotFound, KeyError, InvalidOperation, ValueError):
        return None


def feedback_form(view: View, entry_id: str, bureau: str, today: date) -> FeedbackForm:
    """The 效能监察反馈单 of a supervision entry, from the projections only (as of the view).

    R-SUP-1: a supervision deduction "is delivered to the target and to 人教科 as a numbered
    feedback form"; any other entry has none (FEEDBACK_FORM_NOT_FOUND, 404), including a
    responsible person's cascaded share, which is printed on the unit's form."""
    entry = view.queries.entry(entry_id)
    if entry["source"] != "supervision":
        parent = entry.get("cascaded_from")
        raise FeedbackFormNotFound(
            f"entry {entry_id} comes from {entry['source']}, not from efficiency supervision",
            f"扣分记录 {entry_id} 不是效能监察扣分，没有效能监察反馈单" + ("；责任连带扣分列在原扣分记录的反馈单上" if parent else ""),
            entry_id=entry_id,
            source=entry["source"],
            **({"cascaded_from": parent} if parent else {}),
        )
    cascades = tuple(
        CascadeLine(
            name=_name(view, "person", child["target"]),
            unit_name=_name(view, "unit", child["unit"]),
            points=Decimal(str(child["points"])),
            sheet_label=sheet_label(child["period"], child["track"]),
            note={"reversed": "已撤销", "amended": "已更正"}.get(child["status"], ""),
        )
        for child in entry.get("cascades", [])
    )
    attachments = tuple(ref.split(":", 1)[1] if ":" in ref else ref for ref in entry.get("attachments", []))
    # The ledger keeps one text per entry (R-SHEET-4's basis: the fact and what it breaks), printed
    # as 事实; 依据 names the rule book the supervision office deducts under, the item its line.
    basis = f"《{entry['year']}年度绩效考核方案》效能监察"
    return FeedbackForm(
        bureau=bureau,
        number=entry.get("form_no") or "",
        issued_by="效能监察室",
        target_kind=TARGET_KIND.get(entry["target_kind"], entry["target_kind"]),
        target_name=_name(view, entry["target_kind"], entry["target"]),
        unit_name=_name(view, "unit", entry["unit"]),
        sheet_label=sheet_label(entry["period"], entry["track"]),
        facts=entry["basis"],
        basis=basis,
        item=_item(view, entry),
        points=Decimal(str(entry["points"])),
        occurred_on=date.fromisoformat(entry["occurred_on"]),
        recorded_on=_recorded_on(entry["recorded_at"]),
        printed_on=today,
        entry_id=entry_id,
        cascades=cascades,
        attachments=attachments,
        notes=_notes(view, entry),
        dispute_days=_dispute_days(view, entry["year"]),
        as_of=None if view.as_of is None else f"截至事件位置 {view.as_of} 时的记录",
    )


def feedback_html(form: FeedbackForm) -> str:
    return _environment().get_template("feedback.html").render(form=form)


def render_feedback(form: FeedbackForm) -> bytes:
    """The 效能监察反馈单 as a PDF: A4 portrait, one bordered form."""
    return _write_pdf(feedback_html(form))
