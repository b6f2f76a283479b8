"""Roster import (名册导入) at the ledger: a workbook of units, persons and heads checked row by row,
imported in one transaction (all or nothing) and idempotent; an updated sheet's transfers and new
heads become their events (R-ORG-1, R-ORG-2).

Files are the template itself (api/documents/roster_xlsx.py), edited with openpyxl as the office
would edit it in Excel, and read back by the same reader the upload route uses.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from api.documents import roster_xlsx
from api.routes.roster_import import roster_snapshot
from api.service import LedgerService
from ledger.application import commands as c
from ledger.application.roster_import import RosterImportInvalid, apply_plan, import_roster, plan_import, RosterSnapshot
from tests.conftest import OFFICE, Bureau

# -- the file, as the office edits it -----------------------------------------------------------


def template(service: LedgerService | None = None) -> Workbook:
    """The template, filled with the roster of `service` (blank without one), opened for editing."""
    content = roster_xlsx.template(roster_snapshot(service.queries) if service is not None else None)
    return load_workbook(BytesIO(content))


def saved(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def put(wb: Workbook, sheet: str, row: int, **cells: Any) -> None:
    """Write cells of `row` by column title."""
    ws = wb[sheet]
    titles = [c.value for c in ws[1]]
    for title, value in cells.items():
        ws.cell(row=row, column=titles.index(title) + 1, value=value)


def append(wb: Workbook, sheet: str, **cells: Any) -> int:
    row = wb[sheet].max_row + 1
    put(wb, sheet, row, **cells)
    return row


def row_of(wb: Workbook, sheet: str, code: str) -> int:
    return next(cell.row for cell in wb[sheet]["A"] if cell.value == code)


def run(service: LedgerService, content: bytes, **kwargs: Any) -> dict[str, Any]:
    return import_roster(service.ledger, OFFICE, roster_xlsx.read(content), roster_snapshot(service.queries), **kwargs)


def refused(service: LedgerService, content: bytes) -> list[dict[str, Any]]:
    before = service.queries.event_count()
    with pytest.raises(RosterImportInvalid) as error:
        run(service, content)
    assert service.queries.event_count() == before, "a refused import wrote events"
    return error.value.facts["problems"]


def where(problems: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(p["sheet"], p["row"], p["column"], p["code"]) for p in problems]


def events_after(service: LedgerService, position: int) -> list[str]:
    """The names of the events stored after `position` (Roster.PersonTransferred -> PersonTransferred)."""
    stored = service.ledger.recorder.select_notifications(start=position + 1, limit=10_000)
    return [n.topic.rsplit(".", 1)[-1] for n in stored]


def new_bureau_file() -> bytes:
    """A bureau of two units, four persons and two heads, typed into the blank template."""
    wb = template()
    append(wb, "单位", 单位编号="B01", 单位名称="城东分局", 单位类别="分局", 成立日期=date(2010, 1, 1))
    append(wb, "单位", 单位编号="D01", 单位名称="人教科", 单位类别="科室", 成立日期="2010-01-01")
    people = [
        ("P01", "张建国", "男", date(1975, 3, 1), "中层正职", "正科级", "B01"),
        ("P02", "李秀兰", "女", "1985-06-09", "其他人员", "科员", "B01"),
        ("P08", "黄丽", "女", date(1978, 2, 2), "中层正职", "正科级", "D01"),
        ("P09", "周涛", "男", "1986/5/5", "其他人员", "科员", "D01"),
    ]
    for code, name, gender, birth, tier, grade, unit in people:
        append(wb, "人员", 人员编号=code, 姓名=name, 性别=gender, 出生日期=birth, 入职日期=date(2012, 1, 1), 职务层次=tier, 职级=grade, 所在单位编号=unit)
    append(wb, "负责人", 单位编号="B01", 负责人编号="P01", 任职日期=date(2015, 1, 1))
    append(wb, "负责人", 单位编号="D01", 负责人编号="P08", 任职日期="2015-01-01")
    return saved(wb)


# -- a good file, and the same file again --------------------------------------------------------


def started(service: LedgerService) -> LedgerService:
    """A roster with its first unit, B01 as the file has it (so the file's import is a second one)."""
    service.ledger.execute(OFFICE, c.RegisterUnit(code="B01", name="城东分局", kind="branch", registered_on=date(2010, 1, 1)))
    return service


def test_a_good_file_registers_its_units_persons_and_heads_in_one_import__R_ORG_1_R_ORG_2(service: LedgerService) -> None:
    position = started(service).queries.projection_position()
    result = run(service, new_bureau_file())
    assert {k: v for k, v in result.items() if isinstance(v, int) and not isinstance(v, bool)} == {
        "units_registered": 1, "persons_enrolled": 4, "transfers": 0, "positions_changed": 0, "authority_changes": 0,
        "departures": 0, "heads_appointed": 2, "events": 7,
    }  # fmt: skip
    assert events_after(service, position) == ["UnitRegistered"] + ["PersonEnrolled"] * 4 + ["HeadAppointed"] * 2
    q = service.queries
    assert [(u["code"], u["kind"], u["head"], u["members"]) for u in q.units()] == [("B01", "branch", "P01", 2), ("D01", "department", "P08", 2)]
    p09 = q.person("P09")
    assert (p09["name"], p09["gender"], p09["birth_date"], p09["unit"], p09["tier"], p09["in_authority"]) == ("周涛", "male", "1986-05-05", "D01", "other", True)
    assert result["changes"][0] == {"sheet": "单位", "row": 3, "command": "RegisterUnit", "summary_zh": "登记单位 D01 人教科（科室，成立于 2010-01-01）"}


def test_importing_the_same_file_again_writes_no_event(service: LedgerService) -> None:
    content = new_bureau_file()
    run(started(service), content)
    before = service.queries.event_count()
    again = run(service, content)
    assert (again["events"], again["changes"], service.queries.event_count()) == (0, [], before)
    assert "没有需要导入的变更" in again["notes"][0]


def test_numbers_typed_into_cells_reach_the_rules_as_exact_numbers__R_ORG_1(service: LedgerService) -> None:
    """Excel keeps every number as a binary float; the reader turns a whole one into an int (a code
    typed as 1001, a date typed as its serial day 40179 = 2010-01-01) and any other into a Decimal,
    which no date can be: the unit is registered, the fractional date is a problem named by its cell."""
    wb = template()
    append(wb, "单位", 单位编号=1001, 单位名称="城东分局", 单位类别="分局", 成立日期=40179)
    row = append(wb, "单位", 单位编号="D01", 单位名称="人教科", 单位类别="科室", 成立日期=40179.5)
    cells = [cells for _, cells in roster_xlsx.read(saved(wb))["单位"].rows]
    assert [type(v).__name__ for c in cells for v in c.values() if isinstance(v, (int, float, Decimal))] == ["int", "int", "Decimal"]
    assert where(refused(service, saved(wb))) == [("单位", row, "成立日期", "ROSTER_CELL_INVALID")]
    wb["单位"].delete_rows(row)
    run(service, saved(wb))
    assert service.queries.unit("1001")["registered_on"] == "2010-01-01"


def test_a_new_bureau_imports_its_whole_first_roster_in_one_transaction__R_ORG_1(service: LedgerService) -> None:
    """On an empty store the first import registers every unit, enrols every person and appoints
    the heads in one batch: each command finds the roster the one before it made."""
    result = run(service, new_bureau_file())
    assert result["events"] == service.queries.event_count() > 0
    assert len(service.queries.units()) == result["units_registered"] > 1


def test_the_filled_template_imported_unchanged_changes_nothing(bureau: Bureau) -> None:
    """The template round-trips: the roster as downloaded reads back as "no change"."""
    before = bureau.events()
    result = run(bureau.service, saved(template(bureau.service)))
    assert (result["events"], result["changes"], bureau.events()) == (0, [], before)


# -- a file with errors: every problem, nothing written --------------------------------------------


def test_a_file_with_errors_in_three_rows_writes_nothing_and_names_each_cell(bureau: Bureau) -> None:
    wb = template(bureau.service)
    unit_row = append(wb, "单位", 单位编号="B03", 单位名称="城南分局", 单位类别="总局", 成立日期=date(2020, 1, 1))
    person_row = append(wb, "人员", 人员编号="P12", 姓名="钱多多", 性别="男", 出生日期="1990-13-01", 入职日期=date(2020, 1, 1), 职务层次="其他人员", 职级="科员", 所在单位编号="B03")
    head_row = row_of(wb, "负责人", "B02")
    put(wb, "负责人", head_row, 负责人编号="P99", 任职日期=date(2026, 7, 1))
    problems = refused(bureau.service, saved(wb))
    assert where(problems) == [
        ("单位", unit_row, "单位类别", "ROSTER_CELL_INVALID"),
        ("人员", person_row, "出生日期", "ROSTER_CELL_INVALID"),
        ("负责人", head_row, "负责人编号", "ROSTER_PERSON_UNKNOWN"),
    ]
    assert problems[1]["message_zh"] == f"人员 第{person_row}行 出生日期：不是有效日期（应为 YYYY-MM-DD）"
    assert problems[0]["message_zh"] == f"单位 第{unit_row}行 单位类别：“总局”不是可选的值（应为“分局”、“科室”）"
    assert bureau.service.queries.refusals()[0]["code"] == "ROSTER_IMPORT_INVALID"


def test_a_new_record_missing_a_required_cell_and_a_repeated_code_are_problems(bureau: Bureau) -> None:
    wb = template(bureau.service)
    blank = append(wb, "人员", 人员编号="P12", 姓名="钱多多", 性别="男", 出生日期=date(1990, 1, 1), 职务层次="其他人员", 职级="科员", 所在单位编号="B01")
    again = append(wb, "人员", 人员编号="P02")
    taken = append(wb, "单位", 单位编号="P03", 单位名称="编号冲突", 单位类别="科室", 成立日期=date(2020, 1, 1))
    problems = refused(bureau.service, saved(wb))
    assert where(problems) == [
        ("单位", taken, "单位编号", "ROSTER_CODE_TAKEN"),
        ("人员", blank, "入职日期", "ROSTER_CELL_REQUIRED"),
        ("人员", again, "人员编号", "ROSTER_DUPLICATE"),
    ]
    assert problems[2]["message_zh"] == f"人员 第{again}行 人员编号：编号 P02 与第{row_of(wb, '人员', 'P02')}行重复"


def test_what_no_command_changes_is_a_problem_not_ignored(bureau: Bureau) -> None:
    """A person's name and birth date, a unit's name, a recorded assignment date: no event changes
    them, so a file that differs is refused rather than half applied."""
    wb = template(bureau.service)
    p03 = row_of(wb, "人员", "P03")
    put(wb, "人员", p03, 姓名="王小伟", 出生日期=date(1990, 1, 21))
    put(wb, "人员", row_of(wb, "人员", "P04"), 调入日期=date(2013, 1, 1))  # same unit, another date
    put(wb, "单位", row_of(wb, "单位", "B01"), 单位名称="城东新区分局")
    problems = refused(bureau.service, saved(wb))
    assert {(p["sheet"], p["column"], p["code"]) for p in problems} == {
        ("单位", "单位名称", "ROSTER_FIELD_UNCHANGEABLE"), ("人员", "姓名", "ROSTER_FIELD_UNCHANGEABLE"),
        ("人员", "出生日期", "ROSTER_FIELD_UNCHANGEABLE"), ("人员", "调入日期", "ROSTER_FIELD_UNCHANGEABLE"),
    }  # fmt: skip
    name = next(p for p in problems if p["column"] == "姓名")
    assert name["message_zh"] == f"人员 第{p03}行 姓名：姓名与名册不一致（名册中为“王伟”），已入册人员的姓名不能通过导入修改"


def test_a_renamed_header_and_a_missing_sheet_are_reported_at_row_one(bureau: Bureau) -> None:
    wb = template(bureau.service)
    wb["人员"]["B1"] = "名字"
    del wb["负责人"]
    problems = refused(bureau.service, saved(wb))
    assert where(problems) == [("人员", 1, "姓名", "ROSTER_COLUMN_MISSING"), ("负责人", None, None, "ROSTER_SHEET_MISSING")]


# -- an updated sheet: its changes become their events ---------------------------------------------


def test_a_transfer_and_a_new_head_in_the_sheet_become_their_events__R_ORG_1_R_ORG_2(bureau: Bureau) -> None:
    wb = template(bureau.service)
    put(wb, "人员", row_of(wb, "人员", "P03"), 所在单位编号="B02", 调入日期=date(2026, 4, 1))
    put(wb, "负责人", row_of(wb, "负责人", "B02"), 负责人编号="P06", 任职日期="2026-07-01")
    content = saved(wb)
    position = bureau.service.queries.projection_position()
    result = run(bureau.service, content)
    assert (result["transfers"], result["heads_appointed"], result["events"]) == (1, 1, 2)
    assert events_after(bureau.service, position) == ["PersonTransferred", "HeadAppointed"]
    q = bureau.service.queries
    assert [(a["effective_from"], a["unit"]) for a in q.person("P03")["assignments"]] == [("2012-01-01", "B01"), ("2026-04-01", "B02")]
    assert q.unit_of_person("P03", date(2026, 3, 31)) == "B01"
    assert [(h["effective_from"], h["person"]) for h in q.unit("B02")["heads"]] == [("2015-01-01", "P05"), ("2026-07-01", "P06")]
    assert q.units_headed_by("P05", date(2026, 6, 30)) == {"B02"}
    again = run(bureau.service, content)
    assert (again["events"], events_after(bureau.service, position)) == (0, ["PersonTransferred", "HeadAppointed"])


def test_tier_authority_departure_and_a_new_person_become_their_events__R_ORG_2(bureau: Bureau) -> None:
    wb = template(bureau.service)
    put(wb, "人员", row_of(wb, "人员", "P04"), 职务层次="中层正职", 职级="正科级")
    put(wb, "人员", row_of(wb, "人员", "P07"), 在编="否")
    put(wb, "人员", row_of(wb, "人员", "P11"), 离职日期=date(2026, 6, 30))
    append(wb, "人员", 人员编号="P12", 姓名="钱多多", 性别="男", 出生日期=date(1998, 1, 1), 入职日期=date(2026, 3, 1), 职务层次="其他人员", 职级="科员", 所在单位编号="D02", 在编="是")
    position = bureau.service.queries.projection_position()
    result = run(bureau.service, saved(wb))
    assert events_after(bureau.service, position) == ["PersonEnrolled", "PositionChanged", "AuthoritySet", "PersonLeft"]
    assert (result["persons_enrolled"], result["positions_changed"], result["authority_changes"], result["departures"]) == (1, 1, 1, 1)
    q = bureau.service.queries
    assert (q.person("P04")["tier"], q.person("P04")["position_grade"]) == ("middle_head", "正科级")
    assert (q.person("P07")["in_authority"], q.person("P11")["left_on"], q.person("P12")["unit"]) == (False, "2026-06-30", "D02")


def test_a_transfer_dated_before_the_current_assignment_is_refused_at_its_cell__R_ORG_2(bureau: Bureau) -> None:
    """The sheet keeps the current unit's 调入日期 (2012-01-01): a transfer must come after it."""
    wb = template(bureau.service)
    row = row_of(wb, "人员", "P03")
    put(wb, "人员", row, 所在单位编号="B02")
    problems = refused(bureau.service, saved(wb))
    assert where(problems) == [("人员", row, "调入日期", "ROSTER_DATE_INVALID")]
    assert problems[0]["message_zh"] == f"人员 第{row}行 调入日期：调入日期 2012-01-01 应晚于现单位 B01 的调入日期（2012-01-01）"


def test_a_dry_run_lists_the_changes_and_writes_nothing(bureau: Bureau) -> None:
    wb = template(bureau.service)
    put(wb, "人员", row_of(wb, "人员", "P03"), 所在单位编号="B02", 调入日期=date(2026, 4, 1))
    before = bureau.events()
    result = run(bureau.service, saved(wb), dry_run=True)
    assert (result["dry_run"], result["transfers"], result["events"], bureau.events()) == (True, 1, 0, before)
    assert result["changes"] == [{"sheet": "人员", "row": row_of(wb, "人员", "P03"), "command": "TransferPerson", "summary_zh": "P03 王伟 自 2026-04-01 由 B01 调入 B02"}]


def test_a_person_missing_from_the_file_is_kept_and_a_note_says_so(bureau: Bureau) -> None:
    wb = template(bureau.service)
    wb["人员"].delete_rows(row_of(wb, "人员", "P07"))
    put(wb, "人员", row_of(wb, "人员", "P06"), 在编="否")
    result = run(bureau.service, saved(wb))
    assert result["authority_changes"] == 1 and bureau.service.queries.person("P07")["left_on"] is None
    assert result["notes"] == ["名册中有 1 名在册人员未列入文件（P07），导入不会删除人员，也不会登记离职；人员离职请填写“离职日期”。"]


def test_a_refusal_of_the_domain_is_placed_at_the_row_it_comes_from(bureau: Bureau) -> None:
    """The roster changed after the file was checked (here: checked against an empty roster): the
    domain refuses in the one transaction, each refusal mapped back to its sheet, row and column."""
    wb = template(bureau.service)
    plan = plan_import(roster_xlsx.read(saved(wb)), RosterSnapshot({}, {}), date(2026, 11, 26))
    assert plan.problems == [] and len(plan.commands) == 4 + 11 + 4
    before = bureau.events()
    with pytest.raises(RosterImportInvalid) as error:
        apply_plan(bureau.service.ledger, OFFICE, plan)
    problems = error.value.facts["problems"]
    assert bureau.events() == before
    assert where(problems)[:2] == [("单位", 2, "单位编号", "ALREADY_EXISTS"), ("单位", 3, "单位编号", "ALREADY_EXISTS")]
    assert len(problems) == 4 + 11 + 4
    assert problems[0]["message_zh"] == "单位 第2行 单位编号：编码已被单位使用：'B01'"
