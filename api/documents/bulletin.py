"""The bulletin (工作绩效管理简报) as a Word document, R-AUDIT-1.

docxtpl fills the red-header template api/documents/templates/bulletin.docx (drawn by
scripts/make_bulletin_template.py): the issuing organ in red, 第N期, the issuer and the date over
a red rule, the title, the office's text, a generated section "本期考核情况" for the bulletin's
period, 抄送/印发, and in small print the log position and digest the bulletin carries, written
as the argument `jixiao verify --expect POSITION:DIGEST` takes (api/cli.py).

The office's text names units and persons by their roster codes; the document names them by
name: an entry id (`P0036:2026-03:monthly:2`) or a sheet code (`B01:2026-Q1:key`) becomes a
phrase ("张三2026年3月月度考核第2条扣分"), and any other code that stands alone (B01, D-BGS, P0002)
becomes the name. Names and figures are read as of the bulletin's `through_position` (R-Q-3): the
printout shows what stood in the log its digest covers, on whatever day it is downloaded.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

from api.documents.forms import period_zh
from ledger.domain.errors import InvalidInput
from ledger.domain.periods import PeriodKind, Track, parse_period
from projections.queries import PAGE_MAX, Queries
from projections.query_base import paged
from projections.view import View

TEMPLATE = Path(__file__).resolve().parent / "templates" / "bulletin.docx"

OFFICE_NAME = "考核办公室"  # issues and prints the bulletin (R-AUDIT-1: PublishBulletin is the office's)
CC = "局领导班子成员，各分局、机关各科室"
TITLE = "工作绩效管理简报"

TRACK_ZH = {
    Track.KEY.value: "重点工作考核",
    Track.ROUTINE.value: "常规性工作考核",
    Track.HALF.value: "半年考核",
    Track.MONTHLY.value: "月度考核",
}
BEIJING = timezone(timedelta(hours=8))
CENT = Decimal("0.01")

_CODE_CHARS = r"A-Za-z0-9_\-"
# `<target>:<period>:<track>` (a sheet) with `:<n>` (an entry), standing alone.
_RECORD = re.compile(
    rf"(?<![{_CODE_CHARS}:])([A-Za-z0-9][{_CODE_CHARS}]*):(\d{{4}}-(?:Q[1-4]|H[12]|0[1-9]|1[0-2])):({'|'.join(TRACK_ZH)})(?::(\d+))?(?![{_CODE_CHARS}:])"
)
_TOKEN = re.compile(rf"(?<![{_CODE_CHARS}])[A-Za-z0-9][{_CODE_CHARS}]*")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold
_ISSUE = re.compile(r"^(\d{4})-0*(\d{1,3})$")


# -- the words of a period, a date, a figure -----------------------------------------------------


def issue_of(number: str) -> tuple[int | None, str]:
    """"2026-03" → (2026, "3"): 2026年第3期. A number of another shape is its own issue label."""
    m = _ISSUE.match(number)
    return (int(m.group(1)), m.group(2)) if m else (None, number)


def issue_label(number: str) -> str:
    year, issue = issue_of(number)
    return f"{year}年第{issue}期" if year is not None else f"第{issue}期"




def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def published_on(published_at: str) -> date:
    """The bureau's date (Beijing) of the bulletin's event time."""
    moment = datetime.fromisoformat(published_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BEIJING).date()


def points(text: str) -> str:
    """A projected decimal string with two decimals ("2" → "2.00"); never through float."""
    return str(Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP))


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


# -- naming: roster codes → names -----------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """Every unit's and person's name by roster code, as of one log position."""

    units: dict[str, str]
    persons: dict[str, str]

    @classmethod
    def read(cls, queries: Queries) -> Names:
        units = {u["code"]: u["name"] for u in queries.units()}
        return cls(units, {p["code"]: p["name"] for p in queries.all_persons()})

    def get(self, code: str) -> str | None:
        return self.units.get(code) or self.persons.get(code)

    def of(self, code: str) -> str:
        return self.get(code) or code

    def text(self, text: str) -> str:
        """The office's text with every roster code it names replaced by the name."""

        def record(m: re.Match[str]) -> str:
            target, period, track, n = m.groups()
            name = self.get(target)
            if name is None:
                return m.group(0)
            what = f"{name}{period_zh(period)}{TRACK_ZH[track]}"
            return f"{what}第{n}条扣分" if n else f"{what}表"

        def token(m: re.Match[str]) -> str:
            return self.get(m.group(0)) or m.group(0)

        return _TOKEN.sub(token, _RECORD.sub(record, _clean(text)))


# -- 本期考核情况: the period's scores and deductions ------------------------------------------------


def _sheets(queries: Queries, period: str, track: str | None = None) -> list[dict[str, Any]]:
    return paged(lambda offset: queries.sheets(period=period, track=track, limit=PAGE_MAX, offset=offset))


def _deductions(queries: Queries, sheet: dict[str, Any], names: Names) -> str:
    """The sheet's standing deductions, one clause each: "扣2.00分：<basis>（责任人：王伟）"."""
    if not sheet["entries_active"]:
        return "无扣分"
    clauses = []
    for e in queries.sheet(sheet["code"])["entries"]:
        if e["status"] != "active":
            continue
        clause = f"扣{points(e['points'])}分：{names.text(e['basis']).strip().rstrip('。；;')}"
        responsible = list(dict.fromkeys(names.of(child.split(":", 1)[0]) for child in e["cascaded_to"]))
        if responsible:
            clause += f"（责任人：{'、'.join(responsible)}）"
        if e["disputed"]:
            clause += "（申诉中）"
        clauses.append(clause)
    return "；".join(clauses) + "。" if clauses else "无扣分"


def results(queries: Queries, period_code: str, names: Names) -> dict[str, Any] | None:
    """The section for a quarter or half: each unit's score and deductions; for a month: the
    persons with deductions. None when the period has no sheets (or is not a period code)."""
    try:
        period = parse_period(period_code)
    except InvalidInput:
        return None
    label = period_zh(period_code)
    order = {code: i for i, code in enumerate(names.units)}  # branches, then departments (RosterQueries.units)
    if period.kind is PeriodKind.MONTH:
        sheets = _sheets(queries, period_code, Track.MONTHLY.value)
        if not sheets:
            return None
        deducted = sorted((s for s in sheets if s["entries_active"]), key=lambda s: (order.get(s["unit"], len(order)), s["target"]))
        rows = [
            {"no": i, "name": names.of(s["target"]), "group": names.of(s["unit"]), "score": points(s["score"]), "detail": _deductions(queries, s, names)}
            for i, s in enumerate(deducted, start=1)
        ]
        if rows:
            intro = f"截至本期发布时，{label}工作人员月度考核共{len(sheets)}人，其中{len(rows)}人有扣分（其余人员均为满分），情况如下："
        else:
            intro = f"截至本期发布时，{label}工作人员月度考核共{len(sheets)}人，均无扣分。"
        return {"intro": intro, "subject": "姓名", "group": "所在单位", "rows": rows}
    sheets = sorted((s for s in _sheets(queries, period_code) if s["target_kind"] == "unit"), key=lambda s: (order.get(s["unit"], len(order)), s["track"]))
    if not sheets:
        return None
    rows = [
        {"no": i, "name": names.of(s["target"]), "group": TRACK_ZH.get(s["track"], s["track"]), "score": points(s["score"]), "detail": _deductions(queries, s, names)}
        for i, s in enumerate(sheets, start=1)
    ]
    with_deductions = sum(1 for s in sheets if s["entries_active"])
    intro = f"截至本期发布时，{label}共考核{len(sheets)}个单位，其中{with_deductions}个单位有扣分，各单位得分及扣分情况如下："
    return {"intro": intro, "subject": "单位", "group": "考核类别", "rows": rows}


# -- the document ----------------------------------------------------------------------------------


def context(view: View, bulletin: dict[str, Any], bureau: str, today: date) -> dict[str, Any]:
    """What the template is filled with, for a bulletin as `OversightQueries.bulletin` returns it."""
    number = str(bulletin["number"])
    at_publication = view.queries.at(bulletin["through_position"])
    names = Names.read(at_publication)
    _, issue = issue_of(number)
    paragraphs = [line.strip() for line in names.text(bulletin["body"]).splitlines() if line.strip()]
    position, digest = int(bulletin["through_position"]), str(bulletin["digest"])
    return {
        "organ": bureau,
        "issue_no": issue,
        "issuer": f"{bureau}{OFFICE_NAME}",
        "issued_on": date_zh(published_on(bulletin["published_at"])),
        "title": names.text(bulletin["title"]).strip(),
        "paragraphs": paragraphs,
        "results": results(at_publication, bulletin["period"], names),
        "cc": CC,
        "printed_by": f"{bureau}{OFFICE_NAME}",
        "printed_on": date_zh(today),
        "position": position,
        "digest": digest,
        "expect": f"{position}:{digest}",  # api/cli.py `_verify`: POSITION:DIGEST
    }


def render_bulletin(view: View, number: str, bureau: str, today: date) -> tuple[bytes, str]:
    """The bulletin as .docx bytes, and its file name without the extension
    ("工作绩效管理简报-2026年第3期"). BULLETIN_NOT_FOUND (404) for an unknown number."""
    bulletin = view.queries.bulletin(number)
    values = context(view, bulletin, bureau, today)
    template = DocxTemplate(str(TEMPLATE))
    template.render(values, autoescape=True)  # the office's text may hold & and <
    properties = template.docx.core_properties
    properties.title = values["title"]
    properties.subject = f"{bureau}{TITLE}{issue_label(number)}"
    properties.author = properties.last_modified_by = values["issuer"]
    properties.created = properties.modified = datetime.fromisoformat(bulletin["published_at"])
    out = io.BytesIO()
    template.save(out)
    return out.getvalue(), f"{TITLE}-{issue_label(number)}"
