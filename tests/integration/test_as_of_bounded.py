"""R-Q-3 as of a log position at a cost bounded by the rows asked (issue 14): `projections.history.at`
finds a row's version at P by a seek per key (the latest version with position <= P); these tests
hold it to the definition — the current row if written at or before P, else the version with
position <= P < superseded_at — on SQLite and PostgreSQL, and show that the work of a read as of
P does not grow with the number of versions written after P."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Table, select, text, union_all

from api.service import LedgerService
from projections import tables
from projections.history import at
from projections.tables import HISTORY, PROJECTED_TABLES
from tests.conftest import build_bureau
from tests.integration.test_live_equals_recomputation import _apply


def _by_range(table: Table, position: int) -> Any:
    """The definition, read the long way: every version whose span holds `position`."""
    history = HISTORY[table.name]
    columns = [c.name for c in table.columns]
    live = select(*[table.c[n] for n in columns]).where(table.c.position <= position)
    earlier = select(*[history.c[n] for n in columns]).where(history.c.position <= position, history.c.superseded_at > position)
    return union_all(live, earlier).subquery(table.name)


def _rows(engine: Engine, subquery: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return sorted((tuple(r) for r in conn.execute(select(subquery))), key=repr)


# Deductions on persons and units (with cascades to the responsible), reversals, amendments and
# democratic rates recorded again: rows with many versions in sheets, entries, the running sums
# and evaluations.
OPS: list[tuple[Any, ...]] = [
    ("person", "P02", 1, "5"), ("person", "P02", 1, "2.5"), ("unit", "B01", 1, "3"), ("democratic", "P02", 90),
    ("person", "P03", 2, "1"), ("reverse", 0), ("amend", 1, "1.25"), ("unit", "B02", 2, "4"), ("democratic", "P02", 95),
    ("person", "P02", 1, "0.5"), ("reverse", 2), ("amend", 4, "0.75"), ("person", "P06", 3, "2"), ("democratic", "P06", 80),
    ("unit", "B01", 3, "1.5"), ("reverse", 5), ("person", "P02", 2, "3"), ("amend", 8, "2"),
]


def test_every_table_as_of_every_position_equals_the_definition_R_Q_3(db_url: str) -> None:
    """Every projected table, as of every position of a log of deductions, cascades, reversals,
    amendments and rates recorded again, holds exactly the rows the definition picks out of its
    current rows and their versions (computed here in Python)."""
    service = LedgerService(db_url)
    try:
        build_bureau(service)
        _apply(service, OPS)
        last = service.queries.event_count()
        versioned = 0
        for table in PROJECTED_TABLES:
            columns = [c.name for c in table.columns]
            at_ = columns.index("position")
            history = HISTORY[table.name]
            current = _rows(service.engine, table)
            earlier = _rows(service.engine, select(*[history.c[n] for n in columns], history.c.superseded_at).subquery())
            if not current:
                continue
            versioned += bool(earlier)
            for position in range(0, last + 1):
                expected = [r for r in current if r[at_] <= position] + [v[:-1] for v in earlier if v[at_] <= position < v[-1]]
                assert _rows(service.engine, at(table, position)) == sorted(expected, key=repr), f"{table.name} as of {position}"
        assert versioned >= 5  # sheets, entries, annual_persons, evaluations, units…: versions were compared
    finally:
        service.close()


def test_a_row_written_twice_by_one_event_shows_its_last_version_R_Q_3(db_url: str) -> None:
    """A unit written at 1 ('a'), twice by the event at 5 ('b', then 'c') and again at 9 ('d'):
    its history holds (a, 1..5), (b, 5..5) and (c, 5..9). As of 5 to 8 it is 'c' — the tie on
    position 5 goes to the later version — as the definition says."""
    service = LedgerService(db_url)
    try:
        with service.engine.begin() as conn:
            conn.execute(text("INSERT INTO units (code, name, kind, registered_on, head, position) VALUES ('U1', 'a', 'branch', '2020-01-01', NULL, 1)"))
            for name, position in (("b", 5), ("c", 5), ("d", 9)):
                conn.execute(text("UPDATE units SET name = :name, position = :position WHERE code = 'U1'"), {"name": name, "position": position})
        shown = {}
        for position in range(0, 11):
            rows = _rows(service.engine, at(tables.units, position))
            assert rows == _rows(service.engine, _by_range(tables.units, position))
            shown[position] = [r[1] for r in rows]
        assert shown == {0: [], 1: ["a"], 2: ["a"], 3: ["a"], 4: ["a"], 5: ["c"], 6: ["c"], 7: ["c"], 8: ["c"], 9: ["d"], 10: ["d"]}
    finally:
        service.close()


def _store_with_versions(url: str, versions: int) -> LedgerService:
    """Three persons' running sums for 2026 written at 1-3; then P1's rewritten `versions` times,
    at positions 10, 11, …: every one of those versions is superseded after position 5."""
    service = LedgerService(url)
    with service.engine.begin() as conn:
        for n in (1, 2, 3):
            conn.execute(
                text("INSERT INTO annual_persons (year, person, months, months_published, monthly_total, deducted_total, position) VALUES (2026, :p, 1, 0, '100', '0', :n)"),
                {"p": f"P{n}", "n": n},
            )
        for k in range(versions):
            conn.execute(text("UPDATE annual_persons SET deducted_total = :d, position = :pos WHERE year = 2026 AND person = 'P1'"), {"d": str(k + 1), "pos": 10 + k})
    return service


def _sqlite_steps(engine: Engine, stmt: Any) -> tuple[int, list[tuple[Any, ...]]]:
    """The SQLite virtual-machine instructions a statement runs (counted in tens), and its rows."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.set_progress_handler(count, 10)
        try:
            rows = sorted((tuple(r) for r in conn.execute(stmt)), key=repr)
        finally:
            raw.set_progress_handler(None, 10)
    return steps[0], rows


def test_a_read_as_of_does_not_walk_the_versions_written_after_it(tmp_path: Any) -> None:
    """The year's running sums as of position 5, on a store where P1's row was rewritten 20 times
    after 5 and on one where it was rewritten 2,000 times: the same rows, and (SQLite's instruction
    count) nearly the same work — a seek per person, not a walk over the later versions, which is
    what the range form `position <= 5 < superseded_at` costs."""
    work, answers, walked = {}, {}, {}
    for versions in (20, 2000):
        service = _store_with_versions(f"sqlite:///{tmp_path / f'v{versions}.db'}", versions)
        try:
            ap = at(tables.annual_persons, 5)
            work[versions], answers[versions] = _sqlite_steps(service.engine, select(ap).where(ap.c.year == 2026))
            old = _by_range(tables.annual_persons, 5)
            walked[versions], expected = _sqlite_steps(service.engine, select(old).where(old.c.year == 2026))
            assert answers[versions] == expected
        finally:
            service.close()
    assert answers[20] == answers[2000] == [(2026, "P1", 1, 0, "100", "0", 1), (2026, "P2", 1, 0, "100", "0", 2), (2026, "P3", 1, 0, "100", "0", 3)]
    assert work[2000] <= work[20] * 1.5 + 10
    assert walked[2000] > walked[20] * 10  # the range form's work grows with the versions: the measure sees it


def _explain(conn: Any, stmt: Any, prefix: str) -> list[Any]:
    """`prefix` (EXPLAIN …) run on the statement as the dialect compiles it."""
    compiled = stmt.compile(dialect=conn.dialect)
    params = tuple(compiled.params[name] for name in compiled.positiontup) if compiled.positional else compiled.params
    return conn.exec_driver_sql(f"{prefix} {compiled}", params).fetchall()


def test_the_history_is_reached_only_by_the_seek_index(db_url: str) -> None:
    """The plan of the running sums as of a position, with 2,000 versions after it: the history
    table is read only through `ix_annual_persons_history_seek` and its primary key, one index
    step per person, never scanned — SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN ANALYZE."""
    service = _store_with_versions(db_url, 2000)
    try:
        ap = at(tables.annual_persons, 5)
        stmt = select(ap).where(ap.c.year == 2026)
        with service.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                plan = [row[-1] for row in _explain(conn, stmt, "EXPLAIN QUERY PLAN")]
                history = [line for line in plan if "t_then" in line or "t_seek" in line]
                assert len(history) == 2, plan
                assert "SEARCH t_then USING INTEGER PRIMARY KEY" in history[0], plan
                assert "SEARCH t_seek USING COVERING INDEX ix_annual_persons_history_seek (year=? AND person=? AND position<?)" in history[1], plan
                assert not any(line.startswith("SCAN") and "history" in line for line in plan), plan
                return
            conn.exec_driver_sql("ANALYZE annual_persons_history")
            [(found,)] = _explain(conn, stmt, "EXPLAIN (ANALYZE, FORMAT JSON)")
    finally:
        service.close()
    nodes: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        nodes.append(node)
        for child in node.get("Plans", []):
            walk(child)

    walk(found[0]["Plan"])
    on_history = [n for n in nodes if n.get("Relation Name") == "annual_persons_history"]
    assert on_history, nodes
    assert all(n["Node Type"] in ("Index Scan", "Index Only Scan") for n in on_history), on_history
    assert {n["Index Name"] for n in on_history} <= {"ix_annual_persons_history_seek", "annual_persons_history_pkey"}, on_history
    assert sum(n["Actual Rows"] * n["Actual Loops"] for n in on_history) <= 10, on_history  # not 2,000
