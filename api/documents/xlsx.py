"""A `Document` as an Excel workbook (openpyxl), in the office's own layout.

One worksheet per table: the title merged across the table's width, the lines under it (the
as-of line in red), a bordered header of one or two rows (a column `group` merged above its
columns), bordered data rows with real numbers ('0.00' for points, money and rates), a bold 合计
row, the note, and the signature line. Frozen under the header, A4 landscape fitted to the page
width, the header repeated on every printed page.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from itertools import groupby

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from api.documents.model import Cell, Column, Document, Table

FONT_NAME = "宋体"  # Excel and WPS substitute a Chinese font where this one is missing
FORMATS = {"points": "0.00", "money": "0.00", "rate": "0.00", "int": "0", "date": "yyyy-mm-dd"}
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


def font(size: float = 11, bold: bool = False, color: str | None = None) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, color=color)


def sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"
    title, n = base, 2
    while title in taken:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def merged_line(ws: Worksheet, row: int, width: int, text: str, cell_font: Font, alignment: Alignment = LEFT, height: float | None = None) -> None:
    ws.cell(row=row, column=1, value=text).font = cell_font
    ws.cell(row=row, column=1).alignment = alignment
    if width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    if height is not None:
        ws.row_dimensions[row].height = height


def header_cell(ws: Worksheet, row: int, column: int, text: str | None) -> None:
    cell = ws.cell(row=row, column=column, value=text)
    cell.font, cell.alignment, cell.border, cell.fill = font(bold=True), CENTER, BORDER, HEADER_FILL


def write_header(ws: Worksheet, row: int, columns: tuple[Column, ...]) -> int:
    """The header at `row`: one row, or two when a column has a group. Returns its last row."""
    two_levels = any(c.group for c in columns)
    last = row + 1 if two_levels else row
    for r in range(row, last + 1):  # every cell of the header bordered, merged ones too
        for i in range(1, len(columns) + 1):
            header_cell(ws, r, i, None)
    index = 1
    for group, members in groupby(columns, key=lambda c: c.group):
        span = list(members)
        if group is None or not two_levels:
            for c in span:
                header_cell(ws, row, index, c.title)
                if two_levels:
                    ws.merge_cells(start_row=row, start_column=index, end_row=last, end_column=index)
                index += 1
        else:
            header_cell(ws, row, index, group)
            if len(span) > 1:
                ws.merge_cells(start_row=row, start_column=index, end_row=row, end_column=index + len(span) - 1)
            for c in span:
                header_cell(ws, last, index, c.title)
                index += 1
    return last


def data_cell(ws: Worksheet, row: int, column: int, spec: Column, value: Cell, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=column, value=value)  # a Decimal is written as a number
    cell.border, cell.font = BORDER, font(bold=bold)
    if isinstance(value, datetime):
        cell.number_format, cell.alignment = DATETIME_FORMAT, CENTER
    elif isinstance(value, date):
        cell.number_format, cell.alignment = FORMATS["date"], CENTER
    elif isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        cell.number_format, cell.alignment = FORMATS.get(spec.kind, "0.00" if isinstance(value, Decimal) else "0"), RIGHT
    else:
        cell.alignment = CENTER if spec.kind != "text" or len(str(value or "")) <= 12 else LEFT


def write_rows(ws: Worksheet, row: int, table: Table) -> int:
    """The data rows and the 合计 row from `row`; returns the next free row."""
    width = len(table.columns)
    if not table.rows:
        for i in range(1, width + 1):
            ws.cell(row=row, column=i).border = BORDER
        merged_line(ws, row, width, "（无记录）", font(), CENTER)
        row += 1
    for values in table.rows:
        for i, (spec, value) in enumerate(zip(table.columns, values), start=1):
            data_cell(ws, row, i, spec, value)
        row += 1
    if table.total is not None:
        for i, (spec, value) in enumerate(zip(table.columns, table.total), start=1):
            data_cell(ws, row, i, spec, value, bold=True)
        row += 1
    return row


def write_signatures(ws: Worksheet, row: int, width: int, signatures: tuple[str, ...]) -> None:
    """制表人 / 审核人 / 负责人签字, spread evenly across the table's width."""
    if not signatures:
        return
    if width < len(signatures):
        merged_line(ws, row, width, "　　".join(f"{s}__________" for s in signatures), font())
        return
    step = width // len(signatures)
    for n, text in enumerate(signatures):
        start = 1 + n * step
        end = width if n == len(signatures) - 1 else start + step - 1
        ws.cell(row=row, column=start, value=f"{text}__________").font = font()
        ws.cell(row=row, column=start).alignment = LEFT
        if end > start:
            ws.merge_cells(start_row=row, start_column=start, end_row=row, end_column=end)
    ws.row_dimensions[row].height = 28


def page_setup(ws: Worksheet, landscape: bool, header_rows: tuple[int, int], columns: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = f"{'B' if columns > 1 else 'A'}{header_rows[1] + 1}"


def write_table(ws: Worksheet, document: Document, table: Table) -> None:
    width = max(1, len(table.columns))
    merged_line(ws, 1, width, document.title, font(16, bold=True), CENTER, height=32)
    row = 2
    for line in document.lines:
        merged_line(ws, row, width, line, font())
        row += 1
    if document.as_of:
        merged_line(ws, row, width, document.as_of, font(bold=True, color="C00000"))
        row += 1
    if table.heading:
        merged_line(ws, row, width, table.heading, font(12, bold=True), CENTER, height=22)
        row += 1
    first = row
    last = write_header(ws, first, table.columns)
    row = write_rows(ws, last + 1, table)
    if table.note:
        merged_line(ws, row, width, f"说明：{table.note}", font(10))
        row += 1
    for key, text in document.extra.items():
        merged_line(ws, row, width, f"{key}：{text}", font(10))
        row += 1
    write_signatures(ws, row + 1, width, document.signatures)
    for i, column in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    page_setup(ws, document.landscape, (first, last), width)


def render(document: Document) -> bytes:
    """The document as an .xlsx file: one worksheet per table."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for table in document.tables:
        write_table(wb.create_sheet(sheet_title(table.name, taken)), document, table)
    if not document.tables:
        ws = wb.create_sheet("Sheet")
        merged_line(ws, 1, 1, document.title, font(16, bold=True), CENTER)
    wb.properties.title = document.title
    wb.properties.creator = "绩效台账"
    wb.properties.subject = document.kind
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
