"""Sheet queries (考核表): sheets with their live scores, entries with their cascades, and a
target's scoring ledger (评分登记表) for a year (R-SHEET-1..4, R-CASCADE-1, R-Q-1)."""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Callable

import orjson
from sqlalchemy import select

from ledger.adapters.attachments import AttachmentNotFound
from ledger.adapters.store import Reader, fetch_one, fetch_rows
from ledger.adapters.tables import attachments
from ledger.domain.errors import EntryNotFound, SheetNotFound
from projections.history import in_key_range_at
from projections.query_base import PAGE_MAX, QueryBase
from projections.tables import entries, sheets


# Live reads of the sheet page (the sheet, its entries) and of whose a sheet or entry is, on the
# driver: through SQLAlchemy's statement layer, building and running each cost more than the read
# itself (measured, issue 14).
SHEET_BY_CODE = f"SELECT {', '.join(c.name for c in sheets.c)} FROM sheets WHERE code = ?"
ENTRIES_IN_RANGE = f"SELECT {', '.join(c.name for c in entries.c)} FROM entries WHERE entry_id >= ? AND entry_id < ?"
SHEET_OWNER = "SELECT target, unit FROM sheets WHERE code = ?"
ENTRY_OWNER = "SELECT target, unit FROM entries WHERE entry_id = ?"
ENTRIES_BY_ID = f"SELECT {', '.join(c.name for c in entries.c)} FROM entries WHERE entry_id IN"
OPEN_DISPUTE = ("filed", "reviewed")  # R-DISPUTE-1: filed, or reviewed and awaiting the decision
_OPEN_DISPUTED_IN_RANGE = f"entry_id >= ? AND entry_id < ? AND dispute IN ({', '.join(repr(s) for s in OPEN_DISPUTE)})"
DISPUTED_SHEETS = f"SELECT DISTINCT sheet FROM entries WHERE {_OPEN_DISPUTED_IN_RANGE}"
# As of a position: the range form bounded by the key range (0.6 ms against 3 ms through `at`,
# 2,200 entries of a person's year, bench/as_of.py's store).
DISPUTED_SHEETS_AS_OF = in_key_range_at(entries, "sheet", _OPEN_DISPUTED_IN_RANGE)


def entry_out(row: dict[str, Any]) -> dict[str, Any]:
    return _entry_in_place(dict(row))


def _entry_in_place(row: dict[str, Any]) -> dict[str, Any]:
    """An entry row as the queries show it, converted in the dict it was read into."""
    row["attachments"] = orjson.loads(row["attachments"])
    row["cascaded_to"] = orjson.loads(row["cascaded_to"])
    row["late"] = bool(row["late"])
    # R-DISPUTE-1: while a dispute is open the entry still counts and is shown as disputed.
    row["disputed"] = row.get("dispute") in OPEN_DISPUTE
    return row


def _page_ids(book: list[dict[str, Any]], limit: int, offset: int) -> list[str]:
    """The ids of the ledger's entries `offset` .. `offset + limit - 1`, from its sheets alone:
    a sheet's entries are numbered 1 .. its `entries_total` (none is ever removed; a reversal
    keeps its number), and the ledger lists them sheet by sheet (period, track), then by number."""
    ids: list[str] = []
    skip = offset
    for sheet in book:
        total = int(sheet["entries_total"])
        if skip >= total:
            skip -= total
            continue
        take = min(total - skip, limit - len(ids))
        ids += [f"{sheet['code']}:{no}" for no in range(skip + 1, skip + take + 1)]
        skip = 0
        if len(ids) == limit:
            break
    return ids


def sheet_out(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["items"] = orjson.loads(row["items"])
    row.pop("aggregate_id", None)
    return row


def _after(prefix: str) -> str:
    """The least string after every string that starts with `prefix` (':' < ';', '-' < '.' in
    code-point order), so `prefix <= key < _after(prefix)` is a primary-key range."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class SheetQueries(QueryBase):
    unit_or_person: Callable[[str], dict[str, Any]]  # RosterQueries, in the composed `Queries`

    def sheets(
        self,
        *,
        period: str | None = None,
        track: str | None = None,
        unit: str | None = None,
        target: str | None = None,
        year: int | None = None,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        sheets = self.tb.sheets
        stmt = select(sheets).order_by(sheets.c.period, sheets.c.track, sheets.c.target).limit(min(limit, PAGE_MAX)).offset(offset)
        for column, value in (("period", period), ("track", track), ("unit", unit), ("target", target), ("year", year), ("status", status)):
            if value is not None:
                stmt = stmt.where(sheets.c[column] == value)
        return [sheet_out(r) for r in self._all(stmt)]

    def sheet(self, code: str) -> dict[str, Any]:
        if self.as_of is None:  # live, the sheet page: both reads on one connection, on the driver (store.Reader)
            with Reader(self.engine) as read:
                row = read.one(SHEET_BY_CODE, (code,))
                entries = [] if row is None else self._entries_with_prefix(f"{code}:", read)
        else:
            row = self._one(select(self.tb.sheets).where(self.tb.sheets.c.code == code))
            entries = [] if row is None else self._entries_with_prefix(f"{code}:")
        if row is None:
            raise SheetNotFound(f"no sheet {code}", f"考核表不存在：{code}", sheet=code)
        out = sheet_out(row)
        out["entries"] = entries
        out["provisional"] = any(e["disputed"] for e in entries)
        return out

    def _entries_with_prefix(self, prefix: str, read: Reader | None = None) -> list[dict[str, Any]]:
        """Entries whose id starts with `prefix` (ids are `<target>:<period>:<track>:<no>`),
        read as a primary-key range: ':' < ';' and '-' < '.' in code-point order. Live, on
        `read` when the caller has one open."""
        upper = _after(prefix)
        entries = self.tb.entries
        if self.as_of is None:  # live: straight on the driver (store.Reader)
            keys, rows = fetch_rows(read or self.engine, ENTRIES_IN_RANGE, (prefix, upper))
        else:
            with self.engine.connect() as conn:
                result = conn.execute(select(entries).where(entries.c.entry_id >= prefix, entries.c.entry_id < upper))
                keys = tuple(result.keys())
                rows = result.all()
        # A person's year can hold thousands of entries (issue 14): sorted as tuples, one dict
        # each, converted in place — the same rows in the same order as sorting the dicts.
        rows.sort(key=itemgetter(keys.index("period"), keys.index("track"), keys.index("no")))
        return [_entry_in_place(dict(zip(keys, row))) for row in rows]

    def entry(self, entry_id: str) -> dict[str, Any]:
        entries = self.tb.entries
        row = self._one(select(entries).where(entries.c.entry_id == entry_id))
        if row is None:
            raise EntryNotFound(f"no entry {entry_id}", f"扣分记录不存在：{entry_id}", entry_id=entry_id)
        out = entry_out(row)
        children = self._all(select(entries).where(entries.c.entry_id.in_(out["cascaded_to"]))) if out["cascaded_to"] else []
        order = {e: i for i, e in enumerate(out["cascaded_to"])}
        out["cascades"] = [entry_out(e) for e in sorted(children, key=lambda e: order[e["entry_id"]])]
        return out

    def year_sheets(self, target: str, year: int) -> list[dict[str, Any]]:
        """The target's sheets of the year, by period and track (without provisional flags)."""
        sheets = self.tb.sheets
        # The sheet codes `<target>:<year>-…` as a primary-key range too: as of a past position
        # the key range is what reaches the index (projections/history.py); the target and year
        # conditions keep the answer exactly the target's sheets of the year.
        prefix = f"{target}:{year}-"
        found = self._all(
            select(sheets)
            .where(sheets.c.target == target, sheets.c.year == year, sheets.c.code >= prefix, sheets.c.code < _after(prefix))
            .order_by(sheets.c.period, sheets.c.track)
        )
        return [sheet_out(r) for r in found]

    def ledger(self, target: str, year: int, *, limit: int | None = None, offset: int = 0) -> dict[str, Any]:
        """The target's scoring ledger (评分登记表) for a year: every sheet, and its entries with
        their status (active, reversed, amended), cascade links and finding sources — all of
        them, or the page of `limit` entries from `offset` in the ledger's order (period, track,
        number). `entries_total` counts them all."""
        prefix = f"{target}:{year}-"
        book = self.year_sheets(target, year)
        entries = self._entries_with_prefix(prefix) if limit is None else self._entries_by_id(_page_ids(book, limit, offset))
        if not book:
            self.unit_or_person(target)  # an unknown target is not found; a known one has an empty year
        disputed = self._disputed_sheets(prefix)
        for sheet in book:
            sheet["provisional"] = sheet["code"] in disputed
        total = sum(int(s["entries_total"]) for s in book)
        return {"target": target, "year": year, "sheets": book, "entries": entries, "entries_total": total, "offset": offset}

    def _entries_by_id(self, ids: list[str]) -> list[dict[str, Any]]:
        """The entries of `ids`, in that order: each found by its primary key (as of a past
        position, one seek each), so a page costs the same whatever the length of the year."""
        if not ids:
            return []
        if self.as_of is None:
            keys, rows = fetch_rows(self.engine, f"{ENTRIES_BY_ID} ({', '.join('?' * len(ids))})", ids)
        else:
            with self.engine.connect() as conn:
                result = conn.execute(select(self.tb.entries).where(self.tb.entries.c.entry_id.in_(ids)))
                keys = tuple(result.keys())
                rows = result.all()
        order = {entry_id: i for i, entry_id in enumerate(ids)}
        at = keys.index("entry_id")
        rows.sort(key=lambda row: order[row[at]])
        return [_entry_in_place(dict(zip(keys, row))) for row in rows]

    def _disputed_sheets(self, prefix: str) -> set[str]:
        """The sheets among `<prefix>…` with an entry under an open dispute (R-DISPUTE-1: the
        sheet's figures are provisional until it is decided)."""
        upper = _after(prefix)
        if self.as_of is None:
            return {row[0] for row in fetch_rows(self.engine, DISPUTED_SHEETS, (prefix, upper))[1]}
        p = int(self.as_of)
        return {row[0] for row in fetch_rows(self.engine, DISPUTED_SHEETS_AS_OF, (prefix, upper, p, prefix, upper, p, p))[1]}

    # -- whose a sheet or entry is: narrow lookups for the read policy (api/policy.py) ------------

    def sheet_owner(self, code: str) -> dict[str, Any]:
        """The sheet's target and the unit it belongs to (checked before every read of a sheet:
        live, on the driver)."""
        sheets = self.tb.sheets
        if self.as_of is None:
            row = fetch_one(self.engine, SHEET_OWNER, (code,))
        else:
            row = self._one(select(sheets.c.target, sheets.c.unit).where(sheets.c.code == code))
        if row is None:
            raise SheetNotFound(f"no sheet {code}", f"考核表不存在：{code}", sheet=code)
        return row

    def entry_owner(self, entry_id: str) -> dict[str, Any]:
        """The entry's target and the unit it belongs to (checked before every read of an entry:
        live, on the driver)."""
        entries = self.tb.entries
        if self.as_of is None:
            row = fetch_one(self.engine, ENTRY_OWNER, (entry_id,))
        else:
            row = self._one(select(entries.c.target, entries.c.unit).where(entries.c.entry_id == entry_id))
        if row is None:
            raise EntryNotFound(f"no entry {entry_id}", f"扣分记录不存在：{entry_id}", entry_id=entry_id)
        return row

    def attachment_owner(self, sha256: str) -> dict[str, Any] | None:
        """The target and unit of the first entry or bonus claim resting on an attachment (its
        reference `<sha256>:<name>` in the entry's attachments or the claim's evidence); None when
        nothing refers to it yet; ATTACHMENT_NOT_FOUND when no such file was uploaded."""
        if self._one(select(attachments.c.sha256).where(attachments.c.sha256 == sha256)) is None:
            raise AttachmentNotFound(f"no attachment {sha256[:16]!r}", f"附件不存在：{sha256[:16]}", sha256=sha256[:64])
        entries, claims = self.tb.entries, self.tb.bonus_claims
        row = self._one(select(entries.c.target, entries.c.unit).where(entries.c.attachments.contains(f'"{sha256}:')).limit(1))
        if row is not None:
            return row
        claim = self._one(select(claims.c.target).where(claims.c.evidence.contains(f'"{sha256}:')).limit(1))
        return None if claim is None else {"target": claim["target"], "unit": None}

    def first_sheet_unit(self, target: str, year: int) -> str | None:
        """The unit of the target's first sheet of the year (by period, then track); None for a
        year without sheets."""
        sheets = self.tb.sheets
        row = self._one(
            select(sheets.c.unit).where(sheets.c.target == target, sheets.c.year == year).order_by(sheets.c.period, sheets.c.track).limit(1)
        )
        return None if row is None else str(row["unit"])
