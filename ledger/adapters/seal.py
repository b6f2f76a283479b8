"""Seals (密封): what makes the ledger's own records tamper-evident without an outside digest.

Two things kept outside the database, so that write access to the database file is not enough
to rewrite history unnoticed:

* the **chain key** (`ChainKey`): 32 random bytes in a file the service creates owner-only
  (0600). Every hash-chain link, refusal and user row carries an HMAC-SHA256 under this key;
  someone who edits a row and recomputes the public SHA-256 link cannot recompute its MAC.
* the **anchor file** (`AnchorFile`): an append-only file of JSON lines, each a sealed head of a
  chain (the event log after every command, the refusal log after every refusal). A log cut back
  behind an anchor, or rewritten before one, no longer gives the anchored digest.

What they do not protect against: an attacker who also holds the key file and can rewrite the
anchor file (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import orjson

KEY_BYTES = 32


def _fields(*parts: Any) -> bytes:
    """Length-prefixed fields: no two different tuples encode alike."""
    out = bytearray()
    for part in parts:
        data = part if isinstance(part, (bytes, bytearray)) else ("" if part is None else str(part)).encode("utf-8", "surrogatepass")
        out += len(data).to_bytes(8, "big") + data
    return bytes(out)


def _owner_only_file(path: Path, content: bytes) -> None:
    """Create `path` with mode 0600 (its folder 0700 if new); never overwrite."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)


class ChainKey:
    """The HMAC key of the chains, read from its file (created on first use)."""

    def __init__(self, key: bytes, path: Path | None = None) -> None:
        if len(key) < KEY_BYTES:
            raise ValueError("the chain key must have at least 32 bytes")
        self._key = key
        self.path = path
        # HMAC's keyed state, computed once: each MAC starts from a copy (one per command).
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    @classmethod
    def load_or_create(cls, path: Path) -> tuple["ChainKey", bool]:
        """(the key, whether it was created just now)."""
        created = False
        if not path.exists():
            _owner_only_file(path, secrets.token_hex(KEY_BYTES).encode() + b"\n")
            created = True
        key = bytes.fromhex(path.read_text().strip())
        return cls(key, path), created

    def mac(self, *parts: Any) -> str:
        h = self._keyed.copy()
        h.update(_fields(*parts))
        return h.hexdigest()

    def check(self, mac: str | None, *parts: Any) -> bool:
        return mac is not None and hmac.compare_digest(mac, self.mac(*parts))


@dataclass(frozen=True)
class Anchor:
    kind: str  # events | refusals
    position: int
    digest: str
    at: str
    mac: str


class AnchorFile:
    """Append-only file of sealed chain heads (JSON lines)."""

    def __init__(self, path: Path, key: ChainKey) -> None:
        self.path = path
        self.key = key
        self._fd: int | None = None

    def ensure(self) -> bool:
        """Create the file (owner-only) if missing; True when created just now."""
        if self.path.exists():
            return False
        _owner_only_file(self.path, b"")
        return True

    def append(self, kind: str, position: int, digest: str, at: str, mac: str | None = None) -> None:
        """Append a sealed head. For the event log the caller may pass the head link's own MAC,
        which is the line's (`_anchor_fields`): one HMAC per command, not two. A line whose MAC
        does not match is `anchor_forged`."""
        line = {"kind": kind, "position": position, "digest": digest, "at": at, "mac": mac or self.key.mac(*_anchor_fields(kind, position, digest))}
        # O_APPEND: each line lands whole at the end, whatever else appends. No fsync: the
        # database commit before it is durable, and an anchor lost in a crash is only an anchor
        # less (never one ahead of the log). The file stays open between commands.
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(self._fd, orjson.dumps(line) + b"\n")

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def read(self) -> Iterator[tuple[int, Anchor | None, str]]:
        """(line number, the anchor or None when the line is not a valid sealed anchor, the text)."""
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            for number, raw in enumerate(f, start=1):
                text = raw.decode("utf-8", "replace").strip()
                if not text:
                    continue
                try:
                    d = orjson.loads(text)
                    anchor = Anchor(str(d["kind"]), int(d["position"]), str(d["digest"]), str(d["at"]), str(d["mac"]))
                except (ValueError, KeyError, TypeError):
                    yield number, None, text
                    continue
                valid = (anchor.kind in SELF_SEALED and anchor.mac == anchor.digest) or self.key.check(
                    anchor.mac, *_anchor_fields(anchor.kind, anchor.position, anchor.digest)
                )
                yield number, (anchor if valid else None), text


def _anchor_fields(kind: str, position: int, digest: str) -> tuple[Any, ...]:
    """What an anchor line's MAC covers: for the event log, the same fields as the link's own MAC
    (so the link's MAC is the line's); for other logs, the log's name too."""
    return ("link", position, digest) if kind == "events" else ("anchor", kind, position, digest)


# Logs whose head digest is itself a MAC under the key (a record's chained seal): their anchor
# line carries that MAC as its own. A forged line cannot name a seal the log does not hold, so
# verify finds it as the log's head missing (`audit_deleted`), not as a bad line.
SELF_SEALED = frozenset({"audit"})


def default_paths(database_url: str) -> tuple[Path, Path]:
    """Where the key and the anchor file live unless the settings say otherwise: beside a SQLite
    store (`var/jixiao.db` → `var/jixiao.chain-key`, `var/jixiao.anchors`), else in `var/`."""
    if database_url.startswith("sqlite:///"):
        db = Path(database_url.split(":///", 1)[1])
        return db.with_name(db.stem + ".chain-key"), db.with_name(db.stem + ".anchors")
    return Path("var/jixiao-pg.chain-key"), Path("var/jixiao-pg.anchors")


def chained_rows(cursor: Any, table: str, columns: Sequence[str], batch: int = 5000) -> Iterator[Any]:
    """The rows of a chained log (`id`, the columns, `mac`) in order, a batch at a time."""
    last = 0
    while True:
        cursor.execute(f"SELECT id, {', '.join(columns)}, mac FROM {table} WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
        rows = cursor.fetchall()
        if not rows:
            return
        yield from rows
        last = int(rows[-1]["id"])


def verify_chained_log(
    rows: Iterable[Mapping[str, Any]],
    key: ChainKey,
    seal: str,
    columns: Sequence[str],
    anchor_file: AnchorFile | None,
    anchor_kind: str,
    name: Callable[[Mapping[str, Any]], str],
) -> list[tuple[str, str]]:
    """(kind, detail) for each row of an HMAC-chained log (refusals, the audit log) edited or
    inserted behind the application's back (`<anchor_kind>_modified`), and for rows deleted since
    the last anchored head (`<anchor_kind>_deleted`). `seal` is the MAC's domain; `name` names a row."""
    problems: list[tuple[str, str]] = []
    previous = ""
    macs: dict[int, str] = {}
    for row in rows:
        if not key.check(row["mac"], seal, previous, *(row[c] for c in columns)):
            problems.append((f"{anchor_kind}_modified", f"{name(row)} does not match its seal"))
        previous = row["mac"] or ""
        macs[int(row["id"])] = previous
    anchored = [a for _, a, _ in (anchor_file.read() if anchor_file else ()) if a is not None and a.kind == anchor_kind]
    if anchored:
        last = max(anchored, key=lambda a: a.position)
        if macs.get(last.position) != last.digest:
            problems.append((f"{anchor_kind}_deleted", f"{seal} record {last.position}, anchored at {last.at}, is missing or changed"))
    return problems
