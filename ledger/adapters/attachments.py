"""Attachments (附件): the files behind a deduction's basis or a bonus claim's evidence.

A file is stored once, by its SHA-256, with its name, type, size and who uploaded it; a command
names it by the reference `<sha256>:<name>` (an entry's `attachments`, a claim's evidence `ref`),
so the event says exactly which bytes it rests on. Reading checks the content against its SHA-256
and the row against its MAC under the chain key: a file replaced in the database is not served.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ledger.adapters.seal import ChainKey
from ledger.adapters.tables import attachments
from ledger.domain.errors import InvalidInput, NotFound

NAME_MAX = 100
FIELDS = ("sha256", "name", "content_type", "size", "uploaded_by", "uploaded_at")


class AttachmentNotFound(NotFound):
    code = "ATTACHMENT_NOT_FOUND"
    message_zh = "附件不存在"
    message_en = "No such attachment"


@dataclass(frozen=True)
class Stored:
    sha256: str
    name: str
    size: int

    @property
    def ref(self) -> str:
        return f"{self.sha256}:{self.name}"


def clean_name(name: str | None) -> str:
    """The file's own name, without a path or control characters, at most 100 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if not base:
        raise InvalidInput("the file has no name", "附件缺少文件名", field="file")
    return base[-NAME_MAX:]


def store(engine: Engine, key: ChainKey, content: bytes, name: str | None, content_type: str | None, uploaded_by: str, at: str) -> Stored:
    """Keep the file (once: the same bytes uploaded again keep their first row)."""
    if not content:
        raise InvalidInput("the file is empty", "附件为空文件", field="file")
    sha = hashlib.sha256(content).hexdigest()
    row = {"sha256": sha, "name": clean_name(name), "content_type": (content_type or "application/octet-stream")[:100], "size": len(content),
           "uploaded_by": uploaded_by, "uploaded_at": at}  # fmt: skip
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    with engine.begin() as conn:
        conn.execute(insert(attachments).values(**row, content=content, mac=key.mac("attachment", *row.values())).on_conflict_do_nothing())
    return Stored(sha, row["name"], len(content))


def fetch(engine: Engine, key: ChainKey, sha256: str) -> dict[str, Any]:
    with engine.connect() as conn:
        found = conn.execute(select(attachments).where(attachments.c.sha256 == sha256)).first()
    if found is None:
        raise AttachmentNotFound(f"no attachment {sha256[:16]}…", f"附件不存在：{sha256[:16]}…", sha256=sha256)
    row = dict(found._mapping)
    if not key.check(row["mac"], "attachment", *(row[f] for f in FIELDS)) or hashlib.sha256(row["content"]).hexdigest() != sha256:
        raise AttachmentNotFound(f"attachment {sha256[:16]}… does not match its seal", f"附件校验失败：{sha256[:16]}…", sha256=sha256)
    return row


def verify_attachments(engine: Engine, key: ChainKey) -> list[tuple[str, str]]:
    problems = []
    with engine.connect() as conn:
        for r in conn.execute(select(attachments).order_by(attachments.c.uploaded_at)):
            m = r._mapping
            if not key.check(m["mac"], "attachment", *(m[f] for f in FIELDS)) or hashlib.sha256(m["content"]).hexdigest() != m["sha256"]:
                problems.append(("attachment_modified", f"attachment {m['sha256'][:16]}… ({m['name']}) does not match its seal or its content"))
    return problems
