"""Importing history (历史数据导入): a past year taken from the office's files, loaded as the
commands that would have recorded it — every rule checked, the same events written as if each had
been entered by hand — in batches of many commands per transaction (`Ledger.execute_batch`), so a
year of history costs one commit per batch instead of one per command.

The file is JSON lines (UTF-8), one command per line, in the order they happened:

    {"actor": {"user_id": "zhang.san", "role": "supervision"}, "command": "RecordDeduction",
     "fields": {"person": "P0001", "points": "0.5", "basis": "上班时间离岗", "occurred_on": "2025-03-12", "form_no": "JC-2025-031"}}

`actor.person` names the roster person a user acts as (an assessor, a unit head). Blank lines
and lines starting with `#` are skipped.

Every line is read and checked first — JSON, a known command, its fields, a known role — and
every problem is reported at once as (line, code, message); nothing is written while any line is
wrong. Then the batches run in order; the rules are checked as they run (each against the state
the commands before it left). A refused command refuses its whole batch (nothing of that batch
is written, every refused item listed); the batches before it stay stored, and the import can be
resumed from the batch's first line (`start_line`) once the line is put right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import orjson
from pydantic import ValidationError

from ledger.application import commands as c
from ledger.domain.actors import Actor, Role
from ledger.domain.errors import DomainError

BATCH = 500  # commands per transaction: one commit each (bench/command_rate.py measures the rate)
COMMANDS: dict[str, type[c.Command]] = {cls.__name__: cls for cls in c.Command.__subclasses__()}


@dataclass(frozen=True)
class LineProblem:
    line: int
    code: str
    message_zh: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "message_zh": self.message_zh}


@dataclass
class ImportReport:
    """What an import did: the commands stored and — when it stopped — the problems found and
    the line to resume from."""

    lines: int = 0
    stored: int = 0
    problems: list[LineProblem] = field(default_factory=list)
    resume_line: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def read_lines(lines: Iterable[str], start_line: int = 1) -> tuple[list[tuple[int, Actor, c.Command]], list[LineProblem]]:
    """Every command of the file from `start_line` on, with its line number; and every problem."""
    parsed: list[tuple[int, Actor, c.Command]] = []
    problems: list[LineProblem] = []
    for number, text in enumerate(lines, start=1):
        text = text.strip()
        if number < start_line or not text or text.startswith("#"):
            continue
        try:
            item = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            problems.append(LineProblem(number, "INVALID_JSON", f"第 {number} 行不是有效的 JSON：{error}"))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("actor"), dict) or not isinstance(item.get("fields", {}), dict):
            problems.append(LineProblem(number, "INVALID_LINE", f"第 {number} 行须为 {{\"actor\": {{…}}, \"command\": …, \"fields\": {{…}}}}"))
            continue
        cls = COMMANDS.get(str(item.get("command")))
        if cls is None:
            problems.append(LineProblem(number, "UNKNOWN_COMMAND", f"第 {number} 行的指令“{item.get('command')}”不存在"))
            continue
        actor = item["actor"]
        try:
            who = Actor(user_id=str(actor["user_id"]), role=Role(actor["role"]), person=actor.get("person"))
        except (KeyError, ValueError):
            problems.append(LineProblem(number, "INVALID_ACTOR", f"第 {number} 行的操作人须有 user_id 和有效的 role（{'、'.join(r.value for r in Role)}）"))
            continue
        try:
            command = cls.model_validate(item.get("fields", {}))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            problems.append(LineProblem(number, "INVALID_FIELDS", f"第 {number} 行 {cls.__name__} 的字段 {where} 不符合要求：{first['msg']}"))
            continue
        parsed.append((number, who, command))
    return parsed, problems


def import_history(
    execute_batch: Callable[[Sequence[tuple[Actor, c.Command]]], list[dict[str, Any]]],
    lines: Iterable[str],
    *,
    start_line: int = 1,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every line, then run the commands `batch` at a time through `execute_batch`
    (`Ledger.execute_batch(…, every_problem=True)`, so a refused batch names every refused line).
    `progress(commands done, commands)` after each batch."""
    parsed, problems = read_lines(lines, start_line)
    report = ImportReport(lines=len(parsed), problems=problems)
    if problems:
        return report
    for first in range(0, len(parsed), batch):
        chunk = parsed[first : first + batch]
        try:
            results = execute_batch([(actor, command) for _, actor, command in chunk])
        except DomainError as error:
            items = error.facts.get("problems") or [{"index": 0, "code": error.code, "detail_zh": error.detail_zh}]
            report.problems = [LineProblem(chunk[p["index"]][0], p["code"], f"第 {chunk[p['index']][0]} 行：{p['detail_zh']}") for p in items]
            report.resume_line = chunk[0][0]
            return report
        report.stored += len(results)
        if progress is not None:
            progress(report.stored, len(parsed))
    return report
