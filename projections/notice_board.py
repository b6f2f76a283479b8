"""The notice board (公示栏): the published list of a notice, and what changed since.

The list is the results as they stood when noticed — or, once confirmed, when confirmed — read
from the projections as of that log position (R-Q-3; no event is replayed). Each row also
carries the current figures when a later correction (R-FIX-1) changed them, so the board shows
both: 公示/确认时 and 现在.

Everyone in the bureau reads the public list: units' scores and outcomes, persons' grades (never
their payouts). The oversight roles read `changes`, every figure that differs, payouts included.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.domain.notice import NoticeKind
from projections.annual import AnnualResults
from projections.queries import Queries
from projections.query_base import PAGE_MAX, paged

UNIT_PUBLIC = ("score", "outcome_zh", "rank")
PERSON_PUBLIC = ("grade_zh", "cs_grade_zh")
UNIT_FIGURES = ("score", "outcome_zh", "rank", "vetoed")
PERSON_FIGURES = ("annual_rate", "grade_zh", "cs_grade_zh", "quota_place", "payout_yuan")
MONTH_PUBLIC = ("score",)
MONTH_FIGURES = ("score", "deducted", "entries_active")

STAGE_ZH = {"scheduled": "待公示", "open": "公示中", "ended": "公示期满，待确认", "confirmed": "已确认"}


def stage(notice: dict[str, Any], today: date) -> str:
    if notice["status"] == "confirmed":
        return "confirmed"
    if today < date.fromisoformat(notice["starts_on"]):
        return "scheduled"
    return "open" if today <= date.fromisoformat(notice["ends_on"]) else "ended"


def _differences(then: dict[str, Any], now: dict[str, Any] | None, fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    if now is None:
        return {}
    return {f: {"then": then.get(f), "now": now.get(f)} for f in fields if then.get(f) != now.get(f)}


class NoticeBoard:
    def __init__(self, queries: Queries, annual: AnnualResults) -> None:
        self.queries = queries
        self.annual = annual

    def notice(self, scope: str) -> dict[str, Any]:
        notice = self.queries.notice(scope)
        notice["stage"] = stage(notice, self.queries.clock.today())
        notice["stage_zh"] = STAGE_ZH[notice["stage"]]
        # the list's figures stand at the confirmation once confirmed, else at the notice
        notice["basis_position"] = notice["confirmed_position"] if notice["status"] == "confirmed" else notice["noticed_position"]
        notice["changed_after_zh"] = "确认后" if notice["status"] == "confirmed" else "公示后"
        return notice

    def _rows(self, notice: dict[str, Any], position: int | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(units, persons) of the notice's results as of `position` (None: as the view stands)."""
        if notice["kind"] == NoticeKind.ANNUAL.value:
            result = self.annual.at(position if position is not None else self.annual.as_of).year(notice["year"])
            return list(result["units"]), list(result["persons"])
        queries = self.queries.at(position if position is not None else self.queries.as_of)
        sheets = paged(lambda offset: queries.sheets(period=notice["scope"], track="monthly", limit=PAGE_MAX, offset=offset))
        return [], [{**s, "person": s["target"]} for s in sheets]

    def board(self, scope: str) -> dict[str, Any]:
        """The public list (公示名单): every member of staff may read it."""
        notice = self.notice(scope)
        units_then, persons_then = self._rows(notice, notice["basis_position"])
        units_now, persons_now = self._rows(notice, None)
        unit_names = {u["code"]: u["name"] for u in self.queries.units()}
        person_names = self._person_names()
        now_unit = {u["unit"]: u for u in units_now}
        now_person = {p["person"]: p for p in persons_now}
        annual = notice["kind"] == NoticeKind.ANNUAL.value
        person_fields = PERSON_PUBLIC if annual else MONTH_PUBLIC
        units = [
            {"unit": u["unit"], "name": u["name"], "kind": u["kind"], **{f: u[f] for f in UNIT_PUBLIC}, "provisional": u["provisional"],
             "changed": _differences(u, now_unit.get(u["unit"]), UNIT_PUBLIC)}
            for u in sorted(units_then, key=lambda u: (u["rank"] is None, u["rank"] or 0, u["unit"]))
        ]  # fmt: skip
        persons = [
            {"person": p["person"], "name": person_names.get(p["person"], p["person"]),
             "unit": p["unit"], "unit_name": unit_names.get(p["unit"], p["unit"]), **{f: p.get(f) for f in person_fields},
             "provisional": bool(p.get("provisional")), "changed": _differences(p, now_person.get(p["person"]), person_fields)}
            for p in sorted(persons_then, key=lambda p: (p["unit"], p["person"]))
        ]  # fmt: skip
        return {**notice, "units": units, "persons": persons}

    def changes(self, scope: str) -> dict[str, Any]:
        """Every figure that differs now from the confirmed (or noticed) results, with both values:
        for the office, the leading group and the other oversight roles."""
        notice = self.notice(scope)
        units_then, persons_then = self._rows(notice, notice["basis_position"])
        units_now, persons_now = self._rows(notice, None)
        annual = notice["kind"] == NoticeKind.ANNUAL.value
        now_unit = {u["unit"]: u for u in units_now}
        now_person = {p["person"]: p for p in persons_now}
        person_names = self._person_names()
        unit_changes = [
            {"unit": u["unit"], "name": u["name"], "changed": d}
            for u in units_then if (d := _differences(u, now_unit.get(u["unit"]), UNIT_FIGURES))
        ]  # fmt: skip
        person_changes = [
            {"person": p["person"], "name": person_names.get(p["person"], p["person"]), "unit": p["unit"], "changed": d}
            for p in persons_then if (d := _differences(p, now_person.get(p["person"]), PERSON_FIGURES if annual else MONTH_FIGURES))
        ]  # fmt: skip
        return {**notice, "units": unit_changes, "persons": person_changes}

    def _person_names(self) -> dict[str, str]:
        return {p["code"]: p["name"] for p in self.queries.all_persons()}
