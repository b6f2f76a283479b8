"""A document as data (报表模型): what every renderer (xlsx, pdf) draws.

A `Document` is a title, the lines under it (unit, period, date; "截至…" when read as of a past
moment), one or more `Table`s and the signature line (制表人 / 审核人 / 负责人签字). Cells hold
typed values — `Decimal` points and money, `int` counts, `date`s, text — never pre-formatted
strings, so Excel gets numbers and the PDF formats them once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Union

Cell = Union[str, int, Decimal, date, datetime, None]
Kind = Literal["text", "points", "money", "int", "rate", "date"]

SIGNATURES = ("制表人：", "审核人：", "负责人签字：")


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = "text"
    width: float = 12  # in characters (Excel's column width); the PDF uses it as a proportion
    group: str | None = None  # a second header level: adjacent columns of one group share a merged cell above


@dataclass(frozen=True)
class Table:
    name: str  # the worksheet's name (≤ 31 characters), and the PDF section's heading
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    heading: str | None = None  # a caption above the table (e.g. "各层级优秀名额")
    total: tuple[Cell, ...] | None = None  # a 合计 row, drawn bold
    note: str | None = None  # a line under the table (说明)


@dataclass(frozen=True)
class Document:
    kind: str  # a slug: person-ledger, unit-ledger, record-form, notice, annual-summary, payouts, audit-log
    title: str  # e.g. "XX工商局2026年度工作绩效考核评分登记表"
    filename: str  # without the extension, e.g. "评分登记表-P0002-2026"
    lines: tuple[str, ...]  # under the title: "单位：城东分局", "考核期：2026年第一季度", "制表日期：2026年11月26日"
    tables: tuple[Table, ...]
    as_of: str | None = None  # "截至 2026年6月30日 18:00（北京时间）事件位置 5817" when read as of a past moment
    signatures: tuple[str, ...] = SIGNATURES
    landscape: bool = True
    extra: dict[str, str] = field(default_factory=dict)  # anything a renderer may print at the foot
