"""Roster import (名册导入): a workbook of units, persons and heads, checked row by row and turned
into roster commands (R-ORG-1 units and heads, R-ORG-2 staff, transfers, tiers, authority).

The workbook has three sheets, 单位, 人员 and 负责人 (`SHEETS`), a header row and one record a row.
Reading the file is the API's business (api/documents/roster_xlsx.py); here the rows arrive as
plain values (`SheetRows`), and the roster as it stands as plain dicts (`RosterSnapshot`).

    plan_import(sheets, snapshot, today) ─► ImportPlan: the commands, each with the row it comes
        from, and every problem found in the file, each with its sheet, row and column
    apply_plan(ledger, actor, plan) ─► one `execute_batch`: all or nothing; a refusal of the
        domain is mapped back to its row

Only changes become commands: a record as the roster has it gives none, so importing the same file
twice writes nothing the second time. A blank cell changes nothing. What no command can change (a
person's name or birth date, a unit's name, a past date) differing from the roster is a problem,
never silently ignored. Nothing is deleted: a unit or person missing from the file stays (a note
says so); a person leaves the roster by a 离职日期.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence

from pydantic import ValidationError

from ledger.adapters.audit_log import REFUSED, AuditRecord
from ledger.application import commands as c
from ledger.application.ledger import Ledger
from ledger.domain.actors import Actor, Role
from ledger.domain.errors import BatchRefused, DomainError, Forbidden
from ledger.domain.roster import WORKING_AGE_MAX, WORKING_AGE_MIN, Gender, Tier, UnitKind, age_on, is_code

# -- errors ------------------------------------------------------------------------------------


class RosterFileInvalid(DomainError):
    """The upload is not a workbook that can be read (not an .xlsx, damaged, too large)."""

    code = "ROSTER_FILE_INVALID"
    status = 422
    message_zh = "不是有效的 Excel（.xlsx）文件"
    message_en = "The file is not a valid Excel (.xlsx) workbook"


class RosterImportInvalid(DomainError):
    """The roster file has problems: `problems` lists every one, nothing was written."""

    code = "ROSTER_IMPORT_INVALID"
    status = 422
    message_zh = "名册文件有问题，未导入任何数据"
    message_en = "The roster file has problems; nothing was imported"

    def __init__(self, problems: list[dict[str, Any]], notes: Sequence[str] = ()) -> None:
        n = len(problems)
        super().__init__(
            f"the roster file has {n} problem{'s' if n != 1 else ''}; nothing was imported",
            f"名册文件有 {n} 处问题，未导入任何数据",
            problems=problems,
            notes=list(notes),
        )


# -- the layout of the workbook ------------------------------------------------------------------

UNITS, PERSONS, HEADS = "单位", "人员", "负责人"

# The Chinese words of each choice, as the UI shows them (web/src/pages/Roster.vue), and the
# words also read (the rulebook's terms, the codes of the API).
KIND_WORDS = {UnitKind.BRANCH.value: "分局", UnitKind.DEPARTMENT.value: "科室"}
GENDER_WORDS = {Gender.MALE.value: "男", Gender.FEMALE.value: "女"}
TIER_WORDS = {Tier.MIDDLE_HEAD.value: "中层正职", Tier.MIDDLE_DEPUTY.value: "中层副职", Tier.OTHER.value: "其他人员"}
YES, NO = "是", "否"
_ALSO_READ = {
    "kind": {"基层分局": "branch", "机关科室": "department", "机关科室队中心": "department", "挂靠协会": "department"},
    "gender": {},
    "tier": {},
}

Kind = Literal["code", "text", "date", "choice", "yes_no"]


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its title (the header cell), the field it fills, how it is read."""

    title: str
    field: str
    kind: Kind = "text"
    required: bool = True  # for a new record; a blank cell of a record on the roster changes nothing
    width: int = 12
    note: str = ""  # the header's comment in the template
    words: Mapping[str, str] | None = None  # value -> Chinese word, for a choice
    max_length: int | None = None


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]

    def title(self, field_name: str) -> str:
        return next(col.title for col in self.columns if col.field == field_name)


UNIT_SHEET = Sheet(UNITS, (
    Column("单位编号", "code", "code", width=14, note="必填。1至32位半角字母、数字、“-”或“_”，如 B01"),
    Column("单位名称", "name", width=22, note="新单位必填", max_length=100),
    Column("单位类别", "kind", "choice", width=12, note="新单位必填：分局 / 科室", words=KIND_WORDS),
    Column("成立日期", "registered_on", "date", width=14, note="新单位必填，格式 YYYY-MM-DD"),
))  # fmt: skip
PERSON_SHEET = Sheet(PERSONS, (
    Column("人员编号", "code", "code", width=12, note="必填。1至32位半角字母、数字、“-”或“_”，如 P0001"),
    Column("姓名", "name", width=12, note="新人员必填", max_length=50),
    Column("性别", "gender", "choice", width=8, note="新人员必填：男 / 女", words=GENDER_WORDS),
    Column("出生日期", "birth_date", "date", width=14, note="新人员必填，格式 YYYY-MM-DD"),
    Column("入职日期", "joined_on", "date", width=14, note="新人员必填：入册之日，格式 YYYY-MM-DD"),
    Column("职务层次", "tier", "choice", width=12, note="新人员必填：中层正职 / 中层副职 / 其他人员", words=TIER_WORDS),
    Column("职级", "position_grade", width=14, note="新人员必填，如 正科级、副科级、科员", max_length=50),
    Column("所在单位编号", "unit", "code", width=14, note="新人员必填；改为另一单位即登记调动"),
    Column("在编", "in_authority", "yes_no", required=False, width=8, note="是 / 否：是否属本局干部管理权限范围；新人员留空为“是”"),
    Column("调入日期", "unit_since", "date", required=False, width=14, note="调动生效日期，留空为导入当天；须晚于现单位的调入日期"),
    Column("离职日期", "left_on", "date", required=False, width=14, note="填写即登记离职（离册）；已登记的离职日期不能修改"),
))  # fmt: skip
HEAD_SHEET = Sheet(HEADS, (
    Column("单位编号", "unit", "code", width=14, note="必填：单位表或名册中的单位"),
    Column("负责人编号", "person", "code", width=14, note="必填：人员表或名册中的人员；改为另一人即登记负责人变更"),
    Column("任职日期", "effective_from", "date", required=False, width=14, note="变更生效日期，留空为导入当天；须晚于现任负责人的任职日期"),
))  # fmt: skip
SHEETS: tuple[Sheet, ...] = (UNIT_SHEET, PERSON_SHEET, HEAD_SHEET)

INSTRUCTIONS: tuple[str, ...] = (
    "名册导入说明",
    "1. 本文件含“单位”“人员”“负责人”三张工作表，第一行为表头，请勿修改表头文字；每行一条记录。",
    "2. 导入前系统逐行检查全部内容，任何一处有误则整份文件不导入，并列出每处问题所在的工作表、行和列。",
    "3. 与名册一致的行不产生任何变更，同一文件重复导入不会重复登记。留空的单元格表示不变（新增的单位、人员须填写必填列）。",
    "4. 人员的“所在单位编号”改为另一单位即登记调动，生效日期为“调入日期”（留空为导入当天）；“职务层次”“职级”改变即登记职务变更；“在编”改变即登记干部管理权限变更；填写“离职日期”即登记离职。",
    "5. “负责人”表中某单位的负责人改为另一人即登记负责人变更，生效日期为“任职日期”（留空为导入当天）。",
    "6. 姓名、性别、出生日期、入职日期、单位名称、单位类别、成立日期以及已登记的调入、任职、离职日期不能通过导入修改；与名册不一致时将报告为问题。",
    "7. 文件中没有列出的单位和人员不会被删除；人员离职请填写“离职日期”。",
    "8. 日期请写作 YYYY-MM-DD（如 2026-04-01），或使用 Excel 日期格式。编号为1至32位半角字母、数字、“-”或“_”。",
)


@dataclass(frozen=True)
class SheetRows:
    """One worksheet as read: its header (the first row's cells) and its non-blank rows, each with
    its row number in the sheet and its values by column title."""

    name: str
    header: tuple[str | None, ...]
    rows: tuple[tuple[int, dict[str, Any]], ...]


# -- the roster as it stands ----------------------------------------------------------------------


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class RosterSnapshot:
    """The roster as plain data. `units`: code -> {name, kind, registered_on, heads: [(from, person)]};
    `persons`: code -> {name, gender, birth_date, joined_on, left_on, tier, position_grade,
    in_authority, unit, unit_since} (the unit of the latest assignment, and since when)."""

    units: Mapping[str, Mapping[str, Any]]
    persons: Mapping[str, Mapping[str, Any]]

    @classmethod
    def from_rows(cls, units: Iterable[Mapping[str, Any]], persons: Iterable[Mapping[str, Any]]) -> RosterSnapshot:
        """From the read side's rows: a unit with its `heads` [{effective_from, person}], a person
        with its `assignments` [{effective_from, unit}] (projections' `unit(code)`, `person(code)`)."""
        unit_map = {
            u["code"]: {
                "name": u["name"], "kind": u["kind"], "registered_on": _date(u["registered_on"]),
                "heads": sorted((_date(h["effective_from"]), h["person"]) for h in u.get("heads") or ()),
            }
            for u in units
        }  # fmt: skip
        person_map = {}
        for p in persons:
            assignments = sorted((_date(a["effective_from"]), a["unit"]) for a in p.get("assignments") or ())
            since, unit = assignments[-1] if assignments else (_date(p["joined_on"]), p["unit"])
            person_map[p["code"]] = {
                "name": p["name"], "gender": p["gender"], "birth_date": _date(p["birth_date"]), "joined_on": _date(p["joined_on"]),
                "left_on": _date(p["left_on"]), "tier": p["tier"], "position_grade": p["position_grade"],
                "in_authority": bool(p["in_authority"]), "unit": unit, "unit_since": since,
            }  # fmt: skip
        return cls(unit_map, person_map)

    def head(self, unit: str) -> tuple[date, str] | None:
        """The unit's latest appointment (from, person), None for a unit without a head."""
        heads = self.units.get(unit, {}).get("heads") or []
        return heads[-1] if heads else None


EMPTY = RosterSnapshot({}, {})


def template_rows(snapshot: RosterSnapshot) -> dict[str, list[list[Any]]]:
    """The roster as the template's rows, sheet by sheet in column order: what an import of the
    unchanged template reads back as "no change"."""
    units = [[code, u["name"], KIND_WORDS.get(u["kind"], u["kind"]), u["registered_on"]] for code, u in sorted(snapshot.units.items())]
    persons = [
        [
            code, p["name"], GENDER_WORDS.get(p["gender"], p["gender"]), p["birth_date"], p["joined_on"], TIER_WORDS.get(p["tier"], p["tier"]),
            p["position_grade"], p["unit"], YES if p["in_authority"] else NO, p["unit_since"], p["left_on"],
        ]
        for code, p in sorted(snapshot.persons.items())
    ]  # fmt: skip
    heads = [[unit, head[1], head[0]] for unit in sorted(snapshot.units) if (head := snapshot.head(unit)) is not None]
    return {UNITS: units, PERSONS: persons, HEADS: heads}


# -- problems -------------------------------------------------------------------------------------

SHEET_ORDER = {s.name: i for i, s in enumerate(SHEETS)}


def problem(sheet: str, row: int | None, column: str | None, code: str, text: str) -> dict[str, Any]:
    """{sheet, row, column, code, message_zh}; the message names where: "人员 第7行 出生日期：…"."""
    where = sheet + (f" 第{row}行" if row is not None else "") + (f" {column}" if column else "")
    return {"sheet": sheet, "row": row, "column": column, "code": code, "message_zh": f"{where}：{text}"}


def _problem_order(p: Mapping[str, Any]) -> tuple[int, int, int]:
    sheet = next((s for s in SHEETS if s.name == p["sheet"]), None)
    column = next((i for i, col in enumerate(sheet.columns) if col.title == p["column"]), -1) if sheet else -1
    return SHEET_ORDER.get(p["sheet"], 99), p["row"] or 0, column


# -- reading cells ----------------------------------------------------------------------------------

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
DATE_HINT = "不是有效日期（应为 YYYY-MM-DD）"


class CellError(ValueError):
    """A cell that cannot be read as its column's kind; the message is Chinese."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime):
        value = value.date()
    text = str(value).strip()
    return text or None


def read_date(value: Any) -> date | None:
    """A date cell: an Excel date or date-time, a serial day number, or text YYYY-MM-DD (also
    YYYY/M/D, YYYY.M.D and YYYY年M月D日)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError(DATE_HINT)
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, Decimal):  # a number with a fraction is no day
        raise CellError(DATE_HINT)
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= 2_958_465:  # a serial day: Excel's 1900-01-01 .. 9999-12-31
            return _EXCEL_EPOCH + timedelta(days=value)
        raise CellError(DATE_HINT)
    match = _DATE_TEXT.match(str(value).strip())
    if match is None:
        raise CellError(DATE_HINT)
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(DATE_HINT) from None


def _read_choice(column: Column, value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    words = column.words or {}
    by_word = {word: code for code, word in words.items()} | {code: code for code in words} | _ALSO_READ.get(column.field, {})
    if text in by_word:
        return by_word[text]
    allowed = "、".join(f"“{w}”" for w in words.values())
    raise CellError(f"“{text[:20]}”不是可选的值（应为{allowed}）")


def _read_yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text is None:
        return None
    if text in (YES, "在编", "TRUE", "true"):
        return True
    if text in (NO, "不在编", "FALSE", "false"):
        return False
    raise CellError(f"“{text[:20]}”不是可选的值（应为“{YES}”或“{NO}”）")


def read_cell(column: Column, value: Any) -> Any:
    """A cell's value as its column's kind (None for a blank cell), or CellError."""
    if column.kind == "date":
        return read_date(value)
    if column.kind == "choice":
        return _read_choice(column, value)
    if column.kind == "yes_no":
        return _read_yes_no(value)
    text = _text(value)
    if text is None:
        return None
    if column.kind == "code" and not is_code(text):
        raise CellError(f"编号“{text[:40]}”不合规（应为1至32位半角字母、数字、“-”或“_”）")
    if column.max_length is not None and len(text) > column.max_length:
        raise CellError(f"不能超过 {column.max_length} 个字符")
    return text


# -- the plan --------------------------------------------------------------------------------------

# How each command is counted in the answer, and said in Chinese.
COUNTS: dict[type[c.Command], tuple[str, str]] = {
    c.RegisterUnit: ("units_registered", "登记单位"),
    c.EnrolPerson: ("persons_enrolled", "人员入册"),
    c.TransferPerson: ("transfers", "人员调动"),
    c.ChangePosition: ("positions_changed", "职务变更"),
    c.SetAuthority: ("authority_changes", "干部管理权限变更"),
    c.RecordDeparture: ("departures", "人员离职"),
    c.AppointHead: ("heads_appointed", "负责人变更"),
}
# The order the commands run in: a unit before its persons, a person before a head, a transfer
# before a departure.
ORDER = list(COUNTS)
ROLES: frozenset[Role] = frozenset.intersection(*(command.roles for command in COUNTS))


@dataclass(frozen=True)
class Planned:
    """A command and the cell it comes from; `columns` maps the command's fields to column titles
    (to place a refusal of the domain that names its field)."""

    command: c.Command
    sheet: str
    row: int
    column: str
    summary_zh: str
    columns: Mapping[str, str] = field(default_factory=dict)

    def change(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "command": type(self.command).__name__, "summary_zh": self.summary_zh}


@dataclass
class ImportPlan:
    commands: list[Planned] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {key: 0 for key, _ in COUNTS.values()}
        for planned in self.commands:
            counts[COUNTS[type(planned.command)][0]] += 1
        return counts

    def locate(self, refused: Mapping[str, Any]) -> dict[str, Any]:
        """A problem of `execute_batch` (its `index` in the batch) as a problem of the file."""
        planned = self.commands[refused["index"]]
        column = planned.columns.get(str(refused.get("field")), planned.column)
        return problem(planned.sheet, planned.row, column, refused["code"], refused["detail_zh"])


@dataclass
class _Record:
    row: int
    values: dict[str, Any]


class _Planner:
    """One pass over the file: read every cell, check every row, collect the changes."""

    def __init__(self, sheets: Mapping[str, SheetRows], roster: RosterSnapshot, today: date) -> None:
        self.sheets = sheets
        self.roster = roster
        self.today = today
        self.plan = ImportPlan()
        self.units: dict[str, _Record] = {}  # the file's, by code
        self.persons: dict[str, _Record] = {}

    # -- helpers ----------------------------------------------------------------------------

    def problem(self, sheet: Sheet, row: int | None, field_name: str | None, code: str, text: str) -> None:
        self.plan.problems.append(problem(sheet.name, row, sheet.title(field_name) if field_name else None, code, text))

    def command(self, sheet: Sheet, row: int, field_name: str, build: Callable[[], c.Command], summary: str, columns: Mapping[str, str]) -> None:
        """Build the command from the cell at `field_name`; `columns` maps its fields to the sheet's.
        A value its schema refuses (a backstop to the checks here) is a problem of its cell."""
        titles = {command_field: sheet.title(sheet_field) for command_field, sheet_field in columns.items()}
        try:
            command = build()
        except ValidationError as error:
            for e in error.errors():
                title = titles.get(str(e["loc"][0]) if e.get("loc") else "", sheet.title(field_name))
                self.plan.problems.append(problem(sheet.name, row, title, "INVALID_INPUT", _schema_message(e)))
            return
        self.plan.commands.append(Planned(command, sheet.name, row, sheet.title(field_name), summary, titles))

    def records(self, sheet: Sheet) -> list[_Record]:
        """The sheet's rows, every cell read. A cell that cannot be read is reported and marked
        unreadable (so is every cell of a missing column), and the row's other cells still checked."""
        rows = self.sheets.get(sheet.name)
        if rows is None:
            self.plan.problems.append(problem(sheet.name, None, None, "ROSTER_SHEET_MISSING", f"缺少工作表“{sheet.name}”（请使用导入模板）"))
            return []
        titles = [t for t in rows.header if t]
        for col in sheet.columns:
            if col.title not in titles:
                self.plan.problems.append(problem(sheet.name, 1, col.title, "ROSTER_COLUMN_MISSING", f"缺少列“{col.title}”（表头文字请勿修改）"))
            elif titles.count(col.title) > 1:
                self.plan.problems.append(problem(sheet.name, 1, col.title, "ROSTER_COLUMN_DUPLICATE", f"列“{col.title}”出现了 {titles.count(col.title)} 次"))
        found = [col for col in sheet.columns if titles.count(col.title) == 1]
        records = []
        for number, cells in rows.rows:
            values: dict[str, Any] = {col.field: _UNREADABLE for col in sheet.columns}  # a missing column: already reported
            for col in found:
                try:
                    values[col.field] = read_cell(col, cells.get(col.title))
                except CellError as error:
                    self.problem(sheet, number, col.field, "ROSTER_CELL_INVALID", str(error))
                    values[col.field] = _UNREADABLE
            records.append(_Record(number, values))
        return records

    def required(self, sheet: Sheet, record: _Record, what: str) -> bool:
        """Every required cell of a new record filled; each blank one is a problem."""
        ok = True
        for col in sheet.columns:
            if col.required and record.values.get(col.field, _UNREADABLE) is None:
                self.problem(sheet, record.row, col.field, "ROSTER_CELL_REQUIRED", f"{what}必须填写“{col.title}”")
                ok = False
        return ok and all(v is not _UNREADABLE for v in record.values.values())

    def unchangeable(
        self, sheet: Sheet, record: _Record, current: Mapping[str, Any], fields: Sequence[str], what: str, words: Mapping[str, Mapping[str, str]] | None = None
    ) -> None:
        """A filled cell that differs from the roster where no command changes it."""
        words = words or {}
        for name in fields:
            value = record.values.get(name)
            if value is None or value is _UNREADABLE or value == current[name]:
                continue
            shown = words.get(name, {}).get(current[name], current[name])
            col = sheet.title(name)
            self.problem(sheet, record.row, name, "ROSTER_FIELD_UNCHANGEABLE", f"{col}与名册不一致（名册中为“{shown}”），{what}的{col}不能通过导入修改")

    def unit_exists(self, code: str) -> bool:
        return code in self.units or code in self.roster.units

    def person_exists(self, code: str) -> bool:
        return code in self.persons or code in self.roster.persons

    def left_on(self, person: str) -> date | None:
        """The person's leaving date: the roster's, or the one this file records."""
        current = self.roster.persons.get(person, {}).get("left_on")
        if current is not None:
            return current
        record = self.persons.get(person)
        value = record.values.get("left_on") if record else None
        return value if isinstance(value, date) else None

    # -- the sheets -------------------------------------------------------------------------

    def run(self) -> ImportPlan:
        unit_records = self.records(UNIT_SHEET)
        person_records = self.records(PERSON_SHEET)
        head_records = self.records(HEAD_SHEET)
        self.index(UNIT_SHEET, unit_records, self.units)
        self.index(PERSON_SHEET, person_records, self.persons)
        for record in self.units.values():
            self.unit_row(record)
        for record in self.persons.values():
            self.person_row(record)
        seen: dict[str, int] = {}
        for record in head_records:
            self.head_row(record, seen)
        self.plan.commands.sort(key=lambda p: ORDER.index(type(p.command)))
        self.plan.problems.sort(key=_problem_order)
        self.plan.notes.extend(self.absent())
        return self.plan

    def index(self, sheet: Sheet, records: list[_Record], into: dict[str, _Record]) -> None:
        """The file's records by code; a blank or repeated code is a problem."""
        for record in records:
            code = record.values.get("code")
            if code is _UNREADABLE:
                continue
            if code is None:
                self.problem(sheet, record.row, "code", "ROSTER_CELL_REQUIRED", f"必须填写“{sheet.title('code')}”")
            elif code in into:
                self.problem(sheet, record.row, "code", "ROSTER_DUPLICATE", f"编号 {code} 与第{into[code].row}行重复")
            else:
                into[code] = record

    def unit_row(self, record: _Record) -> None:
        sheet, v = UNIT_SHEET, record.values
        code = v["code"]
        if code in self.roster.persons or code in self.persons:
            self.problem(sheet, record.row, "code", "ROSTER_CODE_TAKEN", f"编号 {code} 已是人员编号（单位与人员的编号不能相同）")
            return
        current = self.roster.units.get(code)
        if current is not None:
            self.unchangeable(sheet, record, current, ("name", "kind", "registered_on"), "已登记单位", {"kind": KIND_WORDS})
            return
        if not self.required(sheet, record, "新单位"):
            return
        summary = f"登记单位 {code} {v['name']}（{KIND_WORDS[v['kind']]}，成立于 {v['registered_on']}）"
        self.command(sheet, record.row, "code", lambda: c.RegisterUnit(code=code, name=v["name"], kind=v["kind"], registered_on=v["registered_on"]), summary,
                     {"code": "code", "name": "name", "kind": "kind", "registered_on": "registered_on"})  # fmt: skip

    def person_row(self, record: _Record) -> None:
        sheet, v = PERSON_SHEET, record.values
        code = v["code"]
        if code in self.roster.units:  # a unit of the file with this code is reported on its own row
            self.problem(sheet, record.row, "code", "ROSTER_CODE_TAKEN", f"编号 {code} 已是单位编号（单位与人员的编号不能相同）")
            return
        unit = v.get("unit")
        if isinstance(unit, str) and not self.unit_exists(unit):
            self.problem(sheet, record.row, "unit", "ROSTER_UNIT_UNKNOWN", f"单位 {unit} 既不在“单位”表中，也不在名册中")
            unit = _UNREADABLE
        current = self.roster.persons.get(code)
        if current is None:
            self.new_person(record, unit)
        else:
            self.known_person(record, current, unit)

    def new_person(self, record: _Record, unit: Any) -> None:
        sheet, v = PERSON_SHEET, record.values
        code = v["code"]
        complete = self.required(sheet, record, "新入册人员") and unit is not _UNREADABLE
        joined_on, since, left_on, birth = v.get("joined_on"), v.get("unit_since"), v.get("left_on"), v.get("birth_date")
        if isinstance(since, date) and isinstance(joined_on, date) and since != joined_on:
            self.problem(sheet, record.row, "unit_since", "ROSTER_DATE_INVALID", "新入册人员的调入日期应与入职日期相同（或留空）")
            complete = False
        if isinstance(birth, date) and isinstance(joined_on, date) and not WORKING_AGE_MIN <= age_on(birth, joined_on) <= WORKING_AGE_MAX:
            self.problem(sheet, record.row, "birth_date", "ROSTER_DATE_INVALID",
                         f"出生日期 {birth} 不合理：入职时（{joined_on}）年龄应在 {WORKING_AGE_MIN} 至 {WORKING_AGE_MAX} 周岁之间")  # fmt: skip
            complete = False
        if isinstance(left_on, date) and isinstance(joined_on, date) and left_on <= joined_on:
            self.problem(sheet, record.row, "left_on", "ROSTER_DATE_INVALID", f"离职日期应晚于入职日期（{joined_on}）")
            complete = False
        if not complete:
            return
        in_authority = True if v.get("in_authority") is None else v["in_authority"]
        summary = f"人员入册 {code} {v['name']}，{unit}，{TIER_WORDS[v['tier']]}，{v['position_grade']}，入职 {joined_on}"
        self.command(sheet, record.row, "code", lambda: c.EnrolPerson(
            code=code, name=v["name"], gender=v["gender"], birth_date=birth, unit=unit, tier=v["tier"],
            position_grade=v["position_grade"], joined_on=joined_on, in_authority=in_authority,
        ), summary, {f: f for f in ("code", "name", "gender", "birth_date", "unit", "tier", "position_grade", "joined_on", "in_authority")})  # fmt: skip
        if isinstance(left_on, date):
            self.departure(record, code, left_on)

    def known_person(self, record: _Record, current: Mapping[str, Any], unit: Any) -> None:
        sheet, v = PERSON_SHEET, record.values
        code = v["code"]
        self.unchangeable(sheet, record, current, ("name", "gender", "birth_date", "joined_on"), "已入册人员", {"gender": GENDER_WORDS})
        left_on = v.get("left_on")
        if isinstance(left_on, date) and current["left_on"] is not None and left_on != current["left_on"]:
            self.problem(sheet, record.row, "left_on", "ROSTER_FIELD_UNCHANGEABLE", f"离职日期与名册不一致（名册中为 {current['left_on']}），已登记的离职日期不能通过导入修改")
        self.transfer(record, current, unit)
        tier = v.get("tier") if v.get("tier") not in (None, _UNREADABLE) else current["tier"]
        grade = v.get("position_grade") if v.get("position_grade") not in (None, _UNREADABLE) else current["position_grade"]
        if (tier, grade) != (current["tier"], current["position_grade"]):
            summary = f"{code} {current['name']} 职务变更：{TIER_WORDS[current['tier']]}、{current['position_grade']} → {TIER_WORDS[tier]}、{grade}"
            column = "tier" if tier != current["tier"] else "position_grade"
            self.command(sheet, record.row, column, lambda: c.ChangePosition(person=code, tier=tier, position_grade=grade), summary,
                         {"tier": "tier", "position_grade": "position_grade"})  # fmt: skip
        authority = v.get("in_authority")
        if isinstance(authority, bool) and authority != current["in_authority"]:
            summary = f"{code} {current['name']} 设为{'属' if authority else '不属'}本局干部管理权限范围"
            self.command(sheet, record.row, "in_authority", lambda: c.SetAuthority(person=code, in_authority=authority), summary, {"in_authority": "in_authority"})
        if isinstance(left_on, date) and current["left_on"] is None:
            if left_on <= current["joined_on"]:
                self.problem(sheet, record.row, "left_on", "ROSTER_DATE_INVALID", f"离职日期应晚于入职日期（{current['joined_on']}）")
            else:
                self.departure(record, code, left_on)

    def transfer(self, record: _Record, current: Mapping[str, Any], unit: Any) -> None:
        """A unit other than the roster's: a transfer from 调入日期 (today when blank), after the
        current assignment and before leaving. The same unit with another 调入日期 is a problem."""
        sheet, v = PERSON_SHEET, record.values
        code, since = v["code"], v.get("unit_since")
        if since is _UNREADABLE or unit is _UNREADABLE:
            return
        if unit is None or unit == current["unit"]:
            if since is not None and since != current["unit_since"]:
                self.problem(sheet, record.row, "unit_since", "ROSTER_FIELD_UNCHANGEABLE",
                             f"所在单位未变，调入日期与名册不一致（名册中为 {current['unit_since']}），已登记的调入日期不能通过导入修改")  # fmt: skip
            return
        effective = since or self.today
        if effective <= current["unit_since"]:
            said = f"调入日期 {effective} " if since is not None else f"调入日期留空即为导入当天（{effective}），"
            self.problem(sheet, record.row, "unit_since", "ROSTER_DATE_INVALID", f"{said}应晚于现单位 {current['unit']} 的调入日期（{current['unit_since']}）")
            return
        leaving = self.left_on(code)
        if leaving is not None and effective >= leaving:
            self.problem(sheet, record.row, "unit_since", "ROSTER_DATE_INVALID", f"调入日期 {effective} 应早于离职日期（{leaving}）")
            return
        summary = f"{code} {current['name']} 自 {effective} 由 {current['unit']} 调入 {unit}"
        self.command(sheet, record.row, "unit", lambda: c.TransferPerson(person=code, unit=unit, effective_from=effective), summary,
                     {"unit": "unit", "effective_from": "unit_since", "person": "code"})  # fmt: skip

    def departure(self, record: _Record, code: str, left_on: date) -> None:
        summary = f"{code} 自 {left_on} 离职（离册）"
        self.command(PERSON_SHEET, record.row, "left_on", lambda: c.RecordDeparture(person=code, left_on=left_on), summary, {"left_on": "left_on", "person": "code"})

    def head_row(self, record: _Record, seen: dict[str, int]) -> None:
        sheet, v = HEAD_SHEET, record.values
        unit, person, since = v.get("unit"), v.get("person"), v.get("effective_from")
        for name, value in (("unit", unit), ("person", person)):
            if value is None:
                self.problem(sheet, record.row, name, "ROSTER_CELL_REQUIRED", f"必须填写“{sheet.title(name)}”")
        if not isinstance(unit, str) or not isinstance(person, str) or since is _UNREADABLE:
            return
        if unit in seen:
            self.problem(sheet, record.row, "unit", "ROSTER_DUPLICATE", f"单位 {unit} 与第{seen[unit]}行重复（每个单位只列现任负责人）")
            return
        seen[unit] = record.row
        ok = True
        if not self.unit_exists(unit):
            self.problem(sheet, record.row, "unit", "ROSTER_UNIT_UNKNOWN", f"单位 {unit} 既不在“单位”表中，也不在名册中")
            ok = False
        if not self.person_exists(person):
            self.problem(sheet, record.row, "person", "ROSTER_PERSON_UNKNOWN", f"人员 {person} 既不在“人员”表中，也不在名册中")
            ok = False
        if not ok:
            return
        current = self.roster.head(unit)
        if current is not None and current[1] == person:
            if since is not None and since != current[0]:
                self.problem(sheet, record.row, "effective_from", "ROSTER_FIELD_UNCHANGEABLE",
                             f"任职日期与名册不一致（名册中为 {current[0]}），现任负责人的任职日期不能通过导入修改")  # fmt: skip
            return
        effective = since or self.today
        if current is not None and effective <= current[0]:
            said = f"任职日期 {effective} " if since is not None else f"任职日期留空即为导入当天（{effective}），"
            self.problem(sheet, record.row, "effective_from", "ROSTER_DATE_INVALID", f"{said}应晚于现任负责人 {current[1]} 的任职日期（{current[0]}）")
            return
        leaving = self.left_on(person)
        if leaving is not None and effective >= leaving:
            self.problem(sheet, record.row, "person", "ROSTER_DATE_INVALID", f"人员 {person} 已于 {leaving} 离职，不能自 {effective} 任负责人")
            return
        before = f"（原负责人 {current[1]}）" if current is not None else ""
        summary = f"{unit} 自 {effective} 由 {person} 任主要负责人{before}"
        self.command(sheet, record.row, "person", lambda: c.AppointHead(unit=unit, person=person, effective_from=effective), summary,
                     {"unit": "unit", "person": "person", "effective_from": "effective_from"})  # fmt: skip

    def absent(self) -> list[str]:
        """What the roster has and the file does not: kept as it is, and said so."""
        notes = []
        units = sorted(set(self.roster.units) - set(self.units))
        if units and UNITS in self.sheets:
            notes.append(f"名册中有 {len(units)} 个单位未列入文件（{_some(units)}），导入不会删除单位。")
        persons = sorted(code for code, p in self.roster.persons.items() if code not in self.persons and p["left_on"] is None)
        if persons and PERSONS in self.sheets:
            notes.append(f"名册中有 {len(persons)} 名在册人员未列入文件（{_some(persons)}），导入不会删除人员，也不会登记离职；人员离职请填写“离职日期”。")
        return notes


class _Unreadable:
    """A cell that could not be read (already reported): neither blank nor a value."""

    def __repr__(self) -> str:
        return "<unreadable>"


_UNREADABLE: Any = _Unreadable()


def _some(codes: Sequence[str], shown: int = 10) -> str:
    return "、".join(codes[:shown]) + ("等" if len(codes) > shown else "")


def _schema_message(error: Mapping[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    if error.get("type") == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字符"
    if error.get("type") == "string_pattern_mismatch":
        return "编号应为1至32位半角字母、数字、“-”或“_”"
    message = str(error.get("msg", ""))
    return message.split(" / ", 1)[1] if " / " in message else f"内容不符合要求（{message}）"


def plan_import(sheets: Mapping[str, SheetRows], roster: RosterSnapshot, today: date) -> ImportPlan:
    """Every row checked, every problem listed, the changes as commands in the order they run."""
    return _Planner(sheets, roster, today).run()


# -- running it -----------------------------------------------------------------------------------

ACTION = "ImportRoster"


def require_importer(ledger: Ledger, actor: Actor, client: str | None = None) -> None:
    """R-ORG-4: only a role that may issue every roster command imports a roster (the office).
    A refusal is logged, as the ledger logs a refused command."""
    if actor.role in ROLES:
        return
    error = Forbidden(f"role {actor.role.value} may not import the roster", f"角色“{actor.role.value}”无权导入名册", role=actor.role.value, command=ACTION)
    refuse(ledger, actor, error, client)
    raise error


def refuse(ledger: Ledger, actor: Actor, error: DomainError, client: str | None = None) -> None:
    """Log a refused import in the refusal log and the audit log (nothing else is written)."""
    record = AuditRecord(
        at=ledger.clock.now_iso(), user_id=actor.user_id, role=actor.role.value, client=client,
        action=f"command:{ACTION}", target=None, outcome=REFUSED, code=error.code,
    )  # fmt: skip
    ledger.log_refusal(actor, ACTION, error.code, error.detail_en, record)


def apply_plan(ledger: Ledger, actor: Actor, plan: ImportPlan, client: str | None = None) -> int:
    """Run the plan's commands in one transaction (all or nothing) and answer how many events
    were written. A problem in the plan, or any command the domain refuses (mapped back to its row
    and column), refuses the whole import with every problem listed."""
    if plan.problems:
        error = RosterImportInvalid(plan.problems, plan.notes)
        refuse(ledger, actor, error, client)
        raise error
    if not plan.commands:
        return 0
    before = ledger.log_position()
    try:
        ledger.execute_batch([(actor, planned.command) for planned in plan.commands], every_problem=True)
    except BatchRefused as refused:  # logged by the ledger
        raise RosterImportInvalid(sorted((plan.locate(p) for p in refused.facts["problems"]), key=_problem_order), plan.notes) from None
    return ledger.log_position() - before


def import_roster(
    ledger: Ledger, actor: Actor, sheets: Mapping[str, SheetRows], roster: RosterSnapshot, *, dry_run: bool = False, client: str | None = None
) -> dict[str, Any]:
    """Check and (unless `dry_run`) import a roster file: the counts of each kind of change, the
    events written, the changes one by one and the notes."""
    require_importer(ledger, actor, client)
    plan = plan_import(sheets, roster, ledger.clock.today())
    if dry_run:
        if plan.problems:
            raise RosterImportInvalid(plan.problems, plan.notes)
        events = 0
        notes = ["预检：文件已逐行检查，未写入任何数据。", *plan.notes]
    else:
        events = apply_plan(ledger, actor, plan, client)
        notes = plan.notes if plan.commands else ["文件内容与名册一致，没有需要导入的变更。", *plan.notes]
    return {"dry_run": dry_run, **plan.counts(), "events": events, "changes": [p.change() for p in plan.commands], "notes": notes}
