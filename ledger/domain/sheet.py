"""Score sheets (考核评分表) and their entries, R-SHEET-1..4, R-FIX-1.

A sheet scores one target for one period on one track, on the 100-point scale. Its entries
are deductions (扣分). An entry is never edited or deleted: a correction reverses it (and,
for an amendment, records a linked replacement). Scores are derived in `projections/`.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import (
    EntryAlreadyReversed,
    EntryIsCascaded,
    EntryNotFound,
    ItemCapExceeded,
    ItemRequired,
    ItemUnknown,
    SheetClosed,
    SheetStateInvalid,
)
from ledger.domain.roster import NAMESPACE


class SheetStatus(str, Enum):
    OPEN = "open"  # 考核中
    SUBMITTED = "submitted"  # 已报送
    PUBLISHED = "published"  # 已公布


class Source(str, Enum):
    """Where an entry came from."""

    ASSESSMENT = "assessment"  # 考核部门对单位扣分 (R-SHEET-5)
    UNIT_REVIEW = "unit_review"  # 单位对本单位人员月度扣分
    SUPERVISION = "supervision"  # 效能监察扣分 (R-SUP-1)
    CASCADE = "cascade"  # 责任连带扣分 (R-CASCADE-1)
    MISSED_FINDING = "missed_finding"  # 应扣未扣：补扣当事人 (R-CASCADE-2)
    MISSED_DOUBLE = "missed_double"  # 应扣未扣：主要负责人加倍扣分 (R-CASCADE-2)


# Entries a person records by hand, on an open sheet, against the sheet's items.
DIRECT_SOURCES = {Source.ASSESSMENT, Source.UNIT_REVIEW}
# Entries that name no item: they follow another entry or a finding, not a detailed rule.
ITEMLESS_SOURCES = {Source.CASCADE, Source.MISSED_FINDING, Source.MISSED_DOUBLE}


@lru_cache(maxsize=65536)
def sheet_id(code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"sheet:{code}")


class Sheet(Aggregate):
    """One target's sheet for one period and track (百分制考核表)."""

    published_on: date | None = None  # the bureau's date of the latest publication

    @classmethod
    def create_id(cls, code: str, **_: Any) -> uuid.UUID:
        return sheet_id(code)

    @event("Opened")
    def __init__(
        self,
        code: str,
        target_kind: str,
        target: str,
        unit: str,
        period: str,
        track: str,
        items: list[dict[str, str]],
        actor: dict[str, Any],
    ) -> None:
        self.code = code
        self.target_kind = target_kind
        self.target = target
        self.unit = unit
        self.period = period
        self.track = track
        self.items = {i["code"]: Decimal(i["points_max"]) for i in items}
        self.status = SheetStatus.OPEN.value
        self.entries: dict[int, dict[str, Any]] = {}

    # -- queries ---------------------------------------------------------------------------

    def entry(self, no: int) -> dict[str, Any]:
        try:
            return self.entries[no]
        except KeyError:
            raise EntryNotFound(f"no entry {self.code}:{no}", f"扣分记录不存在：{self.code}:{no}", entry_id=f"{self.code}:{no}") from None

    def next_entry_id(self, offset: int = 0) -> str:
        return f"{self.code}:{len(self.entries) + 1 + offset}"

    def active_points(self, item: str | None = None) -> Decimal:
        return sum(
            (e["points"] for e in self.entries.values() if not e["reversed"] and (item is None or e["item"] == item)),
            Decimal(0),
        )

    # -- commands --------------------------------------------------------------------------

    def record_deduction(
        self,
        *,
        points: Decimal,
        item: str | None,
        basis: str,
        occurred_on: date,
        source: Source,
        form_no: str | None,
        attachments: list[str],
        cascaded_from: str | None,
        cascaded_to: list[str],
        amends: str | None,
        actor: dict[str, Any],
    ) -> str:
        """R-SHEET-3/4, R-SHEET-2: check, then record one deduction; returns its entry id.

        Hand-recorded entries (assessment, unit review) need an open sheet. Supervision
        (R-SUP-1, "at any time"), cascades, missed-deduction findings and amendments follow
        facts decided elsewhere, so they are accepted on a submitted or published sheet too
        and marked `late`, never lost (R-CAL-3).
        """
        late = self.status != SheetStatus.OPEN.value
        if late and source in DIRECT_SOURCES and amends is None:
            raise SheetClosed(
                f"sheet {self.code} is {self.status}", f"考核表 {self.code} 已{_STATUS_ZH[self.status]}，不能再登记扣分", sheet=self.code, status=self.status
            )
        self._check_item(item, points, source)
        entry_id = self.next_entry_id()
        self._deduction_recorded(
            no=len(self.entries) + 1,
            points=points,
            item=item,
            basis=basis,
            occurred_on=occurred_on,
            source=source.value,
            form_no=form_no,
            attachments=list(attachments),
            cascaded_from=cascaded_from,
            cascaded_to=list(cascaded_to),
            amends=amends,
            late=late,
            actor=actor,
        )
        return entry_id

    def _check_item(self, item: str | None, points: Decimal, source: Source) -> None:
        if source in ITEMLESS_SOURCES:
            return
        if item is None:
            if self.items and source in DIRECT_SOURCES:
                raise ItemRequired(f"sheet {self.code} defines items", f"考核表 {self.code} 定义了考核细则，须指明扣分项目", sheet=self.code, items=sorted(self.items))
            return
        if item not in self.items:
            raise ItemUnknown(f"sheet {self.code} has no item {item!r}", f"考核表 {self.code} 没有考核细则项目 {item!r}", sheet=self.code, item=item)
        already = self.active_points(item)
        if already + points > self.items[item]:
            raise ItemCapExceeded(
                f"item {item}: {already} already deducted + {points} > maximum {self.items[item]}",
                f"项目 {item} 已扣 {already} 分，再扣 {points} 分将超过该项分值 {self.items[item]} 分",
                item=item,
                points_max=str(self.items[item]),
                already=str(already),
                points=str(points),
            )

    @event("DeductionRecorded")
    def _deduction_recorded(
        self,
        no: int,
        points: Decimal,
        item: str | None,
        basis: str,
        occurred_on: date,
        source: str,
        form_no: str | None,
        attachments: list[str],
        cascaded_from: str | None,
        cascaded_to: list[str],
        amends: str | None,
        late: bool,
        actor: dict[str, Any],
    ) -> None:
        self.entries[no] = {
            "points": points,
            "item": item,
            "basis": basis,
            "occurred_on": occurred_on,
            "source": source,
            "form_no": form_no,
            "cascaded_from": cascaded_from,
            "cascaded_to": list(cascaded_to),
            "amends": amends,
            "reversed": False,
        }

    def reverse_entry(self, no: int, *, reason: str, decision_ref: str, amended_by: str | None, following: str | None, actor: dict[str, Any]) -> None:
        """R-FIX-1: the entry stops counting; the record of it stays.

        `following` names the entry whose correction carries this one along (a unit entry
        for its cascades, R-CASCADE-1). A cascaded entry is not corrected on its own.
        """
        e = self.entry(no)
        if e["reversed"]:
            raise EntryAlreadyReversed(f"entry {self.code}:{no} is already reversed", f"扣分记录 {self.code}:{no} 已撤销", entry_id=f"{self.code}:{no}")
        if e["cascaded_from"] and following is None:
            raise EntryIsCascaded(
                f"entry {self.code}:{no} follows {e['cascaded_from']}",
                f"扣分记录 {self.code}:{no} 随 {e['cascaded_from']} 变动，请更正该记录",
                entry_id=f"{self.code}:{no}",
                cascaded_from=e["cascaded_from"],
            )
        self._deduction_reversed(no=no, reason=reason, decision_ref=decision_ref, amended_by=amended_by, following=following, actor=actor)

    @event("DeductionReversed")
    def _deduction_reversed(self, no: int, reason: str, decision_ref: str, amended_by: str | None, following: str | None, actor: dict[str, Any]) -> None:
        self.entries[no]["reversed"] = True

    # -- lifecycle (R-SHEET-3) -------------------------------------------------------------

    def submit(self, actor: dict[str, Any], on: date | None = None) -> None:
        """`on` is the bureau's date of submission, checked against the R-CAL-3 deadline."""
        if self.status != SheetStatus.OPEN.value:
            raise SheetStateInvalid(f"sheet {self.code} is {self.status}, not open", f"考核表 {self.code} 当前为{_STATUS_ZH[self.status]}，不能报送", sheet=self.code, status=self.status)
        self._submitted(actor=actor, on=on)

    @event("Submitted")
    def _submitted(self, actor: dict[str, Any], on: date | None = None) -> None:
        self.status = SheetStatus.SUBMITTED.value

    def publish(self, actor: dict[str, Any], on: date | None = None) -> None:
        """`on` is the bureau's date of publication: R-CAL-3's deadline and R-DISPUTE-1's window."""
        if self.status != SheetStatus.SUBMITTED.value:
            raise SheetStateInvalid(f"sheet {self.code} is {self.status}, not submitted", f"考核表 {self.code} 当前为{_STATUS_ZH[self.status]}，须先报送再公布", sheet=self.code, status=self.status)
        self._published(actor=actor, on=on)

    @event("Published")
    def _published(self, actor: dict[str, Any], on: date | None = None) -> None:
        self.status = SheetStatus.PUBLISHED.value
        self.published_on = on

    def reopen(self, reason: str, decision_ref: str, actor: dict[str, Any]) -> None:
        """R-SHEET-3: reopening is a plan adjustment approved by the leading group (R-PLAN-2)."""
        if self.status == SheetStatus.OPEN.value:
            raise SheetStateInvalid(f"sheet {self.code} is already open", f"考核表 {self.code} 已处于考核中", sheet=self.code, status=self.status)
        self._reopened(reason=reason, decision_ref=decision_ref, actor=actor)

    @event("Reopened")
    def _reopened(self, reason: str, decision_ref: str, actor: dict[str, Any]) -> None:
        self.status = SheetStatus.OPEN.value


_STATUS_ZH = {"open": "考核中", "submitted": "报送", "published": "公布"}
