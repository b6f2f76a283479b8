"""Backup and restore of a store (备份与恢复).

A backup is the database — SQLite through its online backup API, so the service may keep running
and writing; PostgreSQL through `pg_dump --format=custom` — and, beside it (`<path>.anchors`), the
anchor file of sealed log heads (R-AUDIT-1). The anchors are copied first: every head they hold
is then in the database copy, so the restored store verifies clean. The chain key is not in the
backup: it is the secret that proves the log, kept apart (JIXIAO_CHAIN_KEY_FILE); a restored store
needs the same key to verify.

Restore writes into an empty target only (an existing store is never overwritten by accident).

Both take an optional `progress(done, total)`: on SQLite, pages copied of the database's pages,
after each step of the backup API; pg_dump and pg_restore report nothing (the caller shows that
it is working, not how far).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Callable

from ledger.domain.errors import Conflict, InvalidInput

SQLITE = "sqlite:///"
STEP_PAGES = 4096  # pages copied per step of SQLite's backup API (16 MiB at the default page size)

Progress = Callable[[int, int], None]  # (pages copied, pages in the database)


class BackupRefused(Conflict):
    code = "BACKUP_REFUSED"
    message_zh = "备份或恢复未执行"
    message_en = "The backup or restore was not done"


def _sqlite_path(url: str) -> Path | None:
    return Path(url[len(SQLITE):]) if url.startswith(SQLITE) else None


def _pg_url(url: str) -> str:
    """A SQLAlchemy URL as libpq takes it (postgresql+psycopg:// → postgresql://)."""
    scheme, rest = url.split("://", 1)
    if not scheme.startswith("postgresql"):
        raise InvalidInput(f"not a SQLite or PostgreSQL store: {scheme}", f"不支持的数据库：{scheme}")
    return "postgresql://" + rest


def anchors_of(path: Path) -> Path:
    return path.with_name(path.name + ".anchors")


class _Restarted(Exception):
    """The source changed between two steps of a stepwise copy (SQLite starts it again)."""


def _copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress | None) -> None:
    """SQLite's online backup of `source` into `target`. With `progress`, step by step, reporting
    each step; if the service writes meanwhile SQLite would start the copy again, and again, so
    on the first restart the copy is done in one step instead (as without `progress`)."""
    if progress is None:
        source.backup(target)  # one step: a consistent copy while the service writes
        return
    last = [-1]

    def step(status: int, remaining: int, total: int) -> None:
        if remaining > last[0] >= 0:
            raise _Restarted()
        last[0] = remaining
        progress(total - remaining, total)

    try:
        source.backup(target, pages=STEP_PAGES, progress=step)
    except _Restarted:
        source.backup(target)
        pages = source.execute("PRAGMA page_count").fetchone()[0]
        progress(pages, pages)


def backup(database_url: str, anchor_file: Path, target: Path, progress: Progress | None = None) -> list[Path]:
    """Copy the store to `target` (and its anchors to `<target>.anchors`); returns the files written."""
    if target.exists():
        raise BackupRefused(f"{target} exists", f"备份文件已存在：{target}（不会覆盖）", path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    written = []
    if anchor_file.exists():
        _owner_only(anchors_of(target))
        shutil.copyfile(anchor_file, anchors_of(target))  # first: the database copy then holds every head it names
        written.append(anchors_of(target))
    db = _sqlite_path(database_url)
    _owner_only(target)  # a backup holds personal data, as the store does: the owner's only (0600)
    if db is not None:
        source = sqlite3.connect(db)
        copy = sqlite3.connect(target)
        try:
            _copy_sqlite(source, copy, progress)  # online: consistent while the service writes
        finally:
            copy.close()
            source.close()
    else:
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _pg_url(database_url)], check=True)
    written.insert(0, target)
    return written


def _owner_only(path: Path) -> None:
    """Create `path` empty with mode 0600 before anything writes it (the copy then keeps the mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    path.chmod(0o600)


def _empty_sqlite(db: Path) -> bool:
    if not db.exists():
        return True
    with sqlite3.connect(db) as conn:
        return not conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()


def _empty_postgres(url: str) -> bool:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").fetchone()[0] == 0  # type: ignore[index]


def restore(source: Path, database_url: str, anchor_file: Path, progress: Progress | None = None) -> None:
    """Restore a backup into the configured store, which must be empty (a new SQLite file, or a
    new PostgreSQL database), and its anchors to the configured anchor file."""
    if not source.exists():
        raise BackupRefused(f"no backup at {source}", f"找不到备份文件：{source}", path=str(source))
    if anchor_file.exists() and anchor_file.stat().st_size > 0:
        raise BackupRefused(f"{anchor_file} exists", f"目标锚点文件已存在：{anchor_file}（只恢复到新的存储）", path=str(anchor_file))
    db = _sqlite_path(database_url)
    if db is not None:
        if not _empty_sqlite(db):
            raise BackupRefused(f"{db} is not empty", f"目标数据库不是空的：{db}（只恢复到新的存储）", path=str(db))
        db.parent.mkdir(parents=True, exist_ok=True)
        backup_copy = sqlite3.connect(source)
        target = sqlite3.connect(db)
        try:
            _copy_sqlite(backup_copy, target, progress)
        finally:
            target.close()
            backup_copy.close()
    else:
        url = _pg_url(database_url)
        if not _empty_postgres(url):
            raise BackupRefused("the database is not empty", "目标数据库不是空的（只恢复到新建的数据库）")
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", str(source)], check=True)
    if anchors_of(source).exists():
        anchor_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(anchors_of(source), anchor_file)
