"""Importing a past year from a file of commands (ledger/application/history_import.py): every
line checked before anything is written, every rule run as the commands are loaded in batches,
the same events as entering them one by one."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import orjson

from api.service import LedgerService
from ledger.application import commands as c
from ledger.application.history_import import import_history
from tests.conftest import SUPERVISION, Bureau, build_bureau

ROOT = Path(__file__).resolve().parents[2]

SUP = {"user_id": "supervision", "role": "supervision"}


def _line(person: str, points: str, day: int, actor: dict[str, str] = SUP) -> str:
    fields = {"person": person, "points": points, "basis": "上班时间离岗", "occurred_on": f"2026-01-{day:02d}", "form_no": "JC-2026-001"}
    return orjson.dumps({"actor": actor, "command": "RecordDeduction", "fields": fields}).decode()


def _batch(bureau: Bureau):  # type: ignore[no-untyped-def]
    return lambda items: bureau.service.ledger.execute_batch(items, every_problem=True)


def test_a_file_of_commands_is_loaded_in_batches_with_the_same_events_as_one_by_one__R_SHEET_1(bureau: Bureau) -> None:
    before = bureau.events()
    lines = ["# 2026 年 1 月 效能监察扣分", *[_line("P02", "0.5", 5 + i) for i in range(5)], "", _line("P03", "1", 12)]
    report = import_history(_batch(bureau), lines, batch=2)
    assert report.ok and report.stored == 6 and report.lines == 6
    assert bureau.events() == before + 6
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "97.50"  # 100 − 5 × 0.5
    assert bureau.sheet("P03:2026-01:monthly")["score"] == "99.00"
    # The same as a command entered by hand: the next one numbers on from the imported entries.
    result = bureau.run(SUPERVISION, c.RecordDeduction(person="P02", points="0.5", basis="迟到", occurred_on=date(2026, 1, 20), form_no="JC-2026-002"))
    assert result["entry_id"] == "P02:2026-01:monthly:6"
    assert bureau.service.ledger.verify().ok


def test_every_bad_line_is_reported_and_nothing_is_written(bureau: Bureau) -> None:
    before = bureau.events()
    lines = [
        _line("P02", "0.5", 5),
        "{not json",
        orjson.dumps({"actor": SUP, "command": "EraseEverything", "fields": {}}).decode(),
        _line("P02", "0.5", 6, actor={"user_id": "x", "role": "boss"}),
        _line("P02", "half", 7).replace('"points":"half"', '"points":0.5'),
    ]
    report = import_history(_batch(bureau), lines)
    assert [(p.line, p.code) for p in report.problems] == [(2, "INVALID_JSON"), (3, "UNKNOWN_COMMAND"), (4, "INVALID_ACTOR"), (5, "INVALID_FIELDS")]
    assert all("第" in p.message_zh for p in report.problems)
    assert report.stored == 0 and bureau.events() == before


def test_a_refused_command_stops_the_import_at_its_batch_and_names_its_line__R_ORG_4(bureau: Bureau) -> None:
    before = bureau.events()
    lines = [_line("P02", "0.5", 5), _line("P02", "0.5", 6), _line("P02", "0.5", 7), _line("NOBODY", "0.5", 8)]
    report = import_history(_batch(bureau), lines, batch=2)
    assert report.stored == 2 and bureau.events() == before + 2  # the first batch stays stored
    assert [(p.line, p.code) for p in report.problems] == [(4, "PERSON_NOT_FOUND")]
    assert report.resume_line == 3
    # Put right and resumed from the batch's first line: loaded once.
    lines[3] = _line("P03", "0.5", 8)
    again = import_history(_batch(bureau), lines, batch=2, start_line=report.resume_line)
    assert again.ok and again.stored == 2
    assert bureau.sheet("P02:2026-01:monthly")["score"] == "98.50"  # 100 − 3 × 0.5, none twice


def test_jixiao_import_loads_a_file_and_says_where_to_resume(tmp_path: Path) -> None:
    """The command line: a refused line stops the import at its batch, names the line and the
    line to resume from, and exits 1; the resumed import loads the rest."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    service = LedgerService(url)
    build_bureau(service)
    before = service.queries.event_count()
    service.close()
    file = tmp_path / "2026-01.jsonl"
    file.write_text("\n".join([_line("P02", "0.5", 5), _line("P02", "0.5", 6), _line("NOBODY", "0.5", 7)]) + "\n", encoding="utf-8")
    env = {**os.environ, "JIXIAO_DATABASE_URL": url}
    cli = [sys.executable, "-m", "api.cli", "import", str(file), "--batch", "2"]
    stopped = subprocess.run(cli, env=env, capture_output=True, text=True, cwd=ROOT)
    assert stopped.returncode == 1, stopped.stderr
    assert "第 3 行" in stopped.stderr and "--start-line 3" in stopped.stderr
    assert "已导入 imported: 2 / 3" in stopped.stdout
    file.write_text(file.read_text(encoding="utf-8").replace('"NOBODY"', '"P03"'), encoding="utf-8")
    resumed = subprocess.run([*cli, "--start-line", "3"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert resumed.returncode == 0, resumed.stderr
    service = LedgerService(url)
    try:
        assert service.queries.event_count() == before + 3
        assert service.queries.sheet("P03:2026-01:monthly")["score"] == "99.50"
    finally:
        service.close()
