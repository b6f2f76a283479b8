"""The roster workbook (名册导入模板) as an Excel file, and an uploaded one read back (openpyxl).

`template(snapshot)` draws the sheets of `ledger.application.roster_import.SHEETS` — a 说明 sheet
first, then 单位, 人员, 负责人, each with a bold bordered header row (frozen), the column's rule in
the header's comment, drop-downs for the columns with fixed choices — filled with the roster when a
snapshot is given. `read(content)` answers every worksheet's header and non-blank rows as plain
values; what they mean is checked by the rules (ledger/application/roster_import.py).
"""

from __future__ import annotations

import zipfile
from decimal import Decimal
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ledger.application.roster_import import INSTRUCTIONS, NO, SHEETS, YES, RosterFileInvalid, RosterSnapshot, Sheet, SheetRows, template_rows

MAX_ROWS = 5_000  # data rows per sheet: a bureau's roster is hundreds
MAX_COLUMNS = 40  # cells read per row (the widest sheet has 11 columns)
MAX_UNPACKED = 50 * 1_048_576  # the workbook's parts, unpacked: a small upload that unpacks to gigabytes is refused
VALIDATED_ROWS = MAX_ROWS + 1  # drop-downs down to the last row an import reads
_NAMES = frozenset(sheet.name for sheet in SHEETS)  # the sheets read (说明 and any other are not)

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
_DATE_FORMAT = "yyyy-mm-dd"
_TEXT_FORMAT = "@"


# -- the template --------------------------------------------------------------------------------


def template(snapshot: RosterSnapshot | None = None) -> bytes:
    """The import template; with a snapshot, filled with the roster as it stands (edit and upload
    it back: an unchanged row changes nothing)."""
    wb = Workbook()
    notes = wb.active
    assert notes is not None
    _instructions(notes)
    rows = template_rows(snapshot) if snapshot is not None else {}
    for sheet in SHEETS:
        _sheet(wb.create_sheet(sheet.name), sheet, rows.get(sheet.name, []))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _instructions(ws: Worksheet) -> None:
    ws.title = "说明"
    for n, line in enumerate(INSTRUCTIONS, start=1):
        cell = ws.cell(row=n, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if n == 1:
            cell.font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110


def _sheet(ws: Worksheet, sheet: Sheet, rows: list[list[Any]]) -> None:
    for n, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=n, value=column.title)
        cell.font = Font(bold=True)
        cell.border = _BORDER
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if column.note:
            cell.comment = Comment(column.note, "考核办公室", width=260, height=90)
        letter = get_column_letter(n)
        ws.column_dimensions[letter].width = column.width
        # Typed-in codes stay text ("007" is not 7); typed-in dates become dates.
        ws.column_dimensions[letter].number_format = _DATE_FORMAT if column.kind == "date" else _TEXT_FORMAT
        words = _choices(column.kind, column.words)
        if words:
            _drop_down(ws, f"{letter}2:{letter}{VALIDATED_ROWS}", column.title, words)
    for r, values in enumerate(rows, start=2):
        for n, (column, value) in enumerate(zip(sheet.columns, values), start=1):
            cell = ws.cell(row=r, column=n, value=value)
            cell.number_format = _DATE_FORMAT if column.kind == "date" else _TEXT_FORMAT
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{max(len(rows) + 1, 2)}"


def _choices(kind: str, words: Any) -> list[str]:
    if kind == "yes_no":
        return [YES, NO]
    return list(words.values()) if kind == "choice" and words else []


def _drop_down(ws: Worksheet, cells: str, title: str, words: list[str]) -> None:
    allowed = "、".join(words)
    validation = DataValidation(
        type="list", formula1='"' + ",".join(words) + '"', allow_blank=True, showDropDown=False,
        showErrorMessage=True, errorTitle=f"{title}填写有误", error=f"请从下拉列表中选择：{allowed}",
        showInputMessage=True, promptTitle=title, prompt=f"可选：{allowed}",
    )  # fmt: skip
    validation.add(cells)
    ws.add_data_validation(validation)


# -- reading an upload ------------------------------------------------------------------------------


def _invalid(detail_zh: str, detail_en: str) -> RosterFileInvalid:
    return RosterFileInvalid(detail_en, detail_zh, field="file")


def read(content: bytes) -> dict[str, SheetRows]:
    """The roster's worksheets of an uploaded workbook (单位, 人员, 负责人; others are not read): the
    first row as the header, and each non-blank row after it as {column title: value} with its row
    number. Not a readable .xlsx, or too large,
    is ROSTER_FILE_INVALID."""
    _check_package(content)
    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        raise _invalid("不是有效的 Excel（.xlsx）文件", "The file is not a valid Excel (.xlsx) workbook") from None
    try:
        return {ws.title: _rows(ws) for ws in wb.worksheets if ws.title in _NAMES}
    except RosterFileInvalid:
        raise
    except Exception:
        raise _invalid("不是有效的 Excel（.xlsx）文件：内容无法读取", "The workbook's content cannot be read") from None
    finally:
        wb.close()


def _check_package(content: bytes) -> None:
    """An .xlsx is a zip package with a workbook part; bound what reading it can unpack."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _invalid("不是有效的 Excel（.xlsx）文件", "The file is not a valid Excel (.xlsx) workbook") from None
    if not any(part.filename == "xl/workbook.xml" for part in parts):
        raise _invalid("不是有效的 Excel（.xlsx）文件", "The package holds no workbook")
    if sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise _invalid(f"文件解压后超过 {MAX_UNPACKED // 1_048_576} MB，不是名册文件", "The workbook unpacks to more than the limit")


def _rows(ws: Any) -> SheetRows:
    header: tuple[str | None, ...] = ()
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, values in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if number == 1:
            header = tuple(_title(v) for v in values)
            while header and header[-1] is None:
                header = header[:-1]
            continue
        if all(_blank(v) for v in values):
            continue
        if len(rows) == MAX_ROWS:
            raise _invalid(f"工作表“{ws.title}”超过 {MAX_ROWS} 行", f"The sheet {ws.title!r} has more than {MAX_ROWS} rows")
        cells: dict[str, Any] = {}
        for title, value in zip(header, values):
            if title is not None and title not in cells:
                cells[title] = _plain(value)
        rows.append((number, cells))
    return SheetRows(ws.title, header, tuple(rows))


def _title(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _plain(value: Any) -> Any:
    """A cell's value as plain data: text, an exact number (`int`, or `Decimal` for a number
    with a fraction: the rules never see a binary float), a bool, a date or date-time."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else Decimal(repr(value))
    if isinstance(value, (str, int, bool, date, datetime)) or value is None:
        return value
    return str(value)  # a time or a duration: text, which the rules then refuse where a date is due
