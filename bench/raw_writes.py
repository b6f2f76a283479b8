"""Raw sqlite3 writing the rows a store holds: the floor under a bench row that writes them
(`bench/rebuild.py`: the rows a rebuild writes; `bench/command_rate.py`: the rows a bulk load
writes). No Python of ours, no rules, no triggers: the rows as they stand, copied with executemany
into an empty store of the same schema, in one transaction."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Sequence

from projections.rebuild import SQLITE_CACHE_KIB


def raw_copy(path: Path, tables: Sequence[str], indexes_after: Sequence[str] = ()) -> tuple[int, float]:
    """(rows, seconds) for raw sqlite3 to write every row of `tables` of the store at `path` into
    an empty store of the same schema beside it (WAL, the rebuild's page cache): one transaction,
    executemany per table, the indexes of `indexes_after` created after the rows and every other
    index before. The copy is removed afterwards."""
    later = set(indexes_after)
    source = sqlite3.connect(path)
    try:
        quoted = ", ".join(f"'{name}'" for name in tables)
        schema = source.execute(
            f"SELECT type, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ({quoted}) AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC"
        ).fetchall()  # tables first
        rows = {name: source.execute(f'SELECT * FROM "{name}"').fetchall() for name in tables}
    finally:
        source.close()
    target = path.with_name(path.stem + "-raw-copy.db")
    files = [target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")]
    for file in files:
        file.unlink(missing_ok=True)
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        for kind, table, statement in schema:
            if kind == "table" or table not in later:
                conn.execute(statement)
        conn.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        started = time.perf_counter()
        conn.execute("BEGIN")
        for name, table_rows in rows.items():
            if table_rows:
                conn.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(table_rows[0]))})', table_rows)
        for kind, table, statement in schema:
            if kind == "index" and table in later:
                conn.execute(statement)
        conn.execute("COMMIT")
        return sum(len(r) for r in rows.values()), time.perf_counter() - started
    finally:
        conn.close()
        for file in files:
            file.unlink(missing_ok=True)
