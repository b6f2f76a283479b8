"""Questions across years (R-Q-3): a person's or a unit's results year by year, runs of 不称职,
bonuses carried from one year to the next, and a figure before and after a correction. Each reads
the annual projections (as of a position when the view is historical), never the log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ledger.domain.errors import EntryNotFound, PlanNotFound
from projections.view import View
from projections.tables import HISTORY

PERSON_FIELDS = ("unit", "tier", "annual_rate", "grade", "grade_zh", "cs_grade", "cs_grade_zh", "payout_yuan", "flags", "provisional")
UNIT_FIELDS = ("score", "outcome_zh", "meets_standard", "rank", "vetoed", "provisional")
MAX_YEARS = 30  # a span longer than this is refused by the API


class CrossYear:
    def __init__(self, view: View) -> None:
        self.view = view
        self._years: dict[int, dict[str, Any]] = {}

    def years(self) -> list[int]:
        q = self.view.queries
        return [r["year"] for r in q._all(select(q.tb.plans.c.year).order_by(q.tb.plans.c.year))]

    def _year(self, year: int) -> dict[str, Any]:
        if year not in self._years:
            self._years[year] = self.view.annual.year(year)
        return self._years[year]

    def person(self, code: str, first: int | None = None, last: int | None = None) -> dict[str, Any]:
        self.view.queries.person(code)  # PERSON_NOT_FOUND
        rows = []
        for year in self._span(first, last):
            r = self._year(year)["persons_by_code"].get(code)
            rows.append({"year": year, "assessed": r is not None, **({k: r[k] for k in PERSON_FIELDS} if r else {})})
        return {"person": code, "years": rows, "incompetent_runs": _runs([r["year"] for r in rows if r.get("cs_grade") == "incompetent"])}

    def unit(self, code: str, first: int | None = None, last: int | None = None) -> dict[str, Any]:
        self.view.queries.unit(code)  # UNIT_NOT_FOUND
        rows = []
        for year in self._span(first, last):
            u = next((x for x in self._year(year)["units"] if x["unit"] == code), None)
            rows.append({"year": year, "assessed": u is not None, **({k: u[k] for k in UNIT_FIELDS} if u else {})})
        return {"unit": code, "years": rows}

    def incompetent_runs(self, first: int | None = None, last: int | None = None, min_length: int = 2) -> list[dict[str, Any]]:
        """Persons graded 不称职 in `min_length` or more consecutive years (R-CS-1: two in a row → dismissal)."""
        years_of: dict[str, list[int]] = {}
        for year in self._span(first, last):
            for code, r in self._year(year)["persons_by_code"].items():
                if r["cs_grade"] == "incompetent":
                    years_of.setdefault(code, []).append(year)
        out = []
        for code, years in sorted(years_of.items()):
            for run in _runs(years):
                if len(run) >= min_length:
                    out.append({"person": code, "years": run})
        return out

    def carried_bonuses(self, year: int | None = None) -> list[dict[str, Any]]:
        """R-BONUS-3: claims on a basis earned in the year before, carried into `year`."""
        return [c for c in self.view.queries.bonus_claims(year=year) if c["carried_over"]]

    def correction(self, entry_id: str) -> dict[str, Any]:
        """The entry's sheet score and its target's annual figures just before and just after the
        correction (reversal or amendment) that removed it."""
        q = self.view.queries
        entry = q.entry(entry_id)
        if entry["status"] == "active":
            raise EntryNotFound(f"entry {entry_id} has not been corrected", f"扣分记录 {entry_id} 未被撤销或更正", entry_id=entry_id)
        history = HISTORY["entries"]  # versions are read directly: the correction is in the past of any view
        found = q._one(
            select(history.c.superseded_at).where(history.c.entry_id == entry_id, history.c.status == "active").order_by(history.c.superseded_at.desc()).limit(1)
        )
        if found is None:  # corrected before history was kept: rebuild the projections once
            raise EntryNotFound(f"no history for {entry_id}: run `jixiao rebuild` once", f"扣分记录 {entry_id} 无历史版本，请先执行 jixiao rebuild", entry_id=entry_id)
        at = int(found["superseded_at"])
        service_view = self.view
        year = int(entry["year"])

        def figures(position: int) -> dict[str, Any]:
            view = View(service_view.queries.at(position), service_view.annual.at(position), service_view.deadlines.at(position), position)
            sheet = view.queries.sheet(entry["sheet"])
            out: dict[str, Any] = {"position": position, "sheet_score": sheet["score"], "entry_status": view.queries.entry(entry_id)["status"]}
            try:
                results = view.annual.year(year)
            except PlanNotFound:  # no plan yet: only the sheet figure exists
                return out
            person = results["persons_by_code"].get(entry["target"])
            unit = next((u for u in results["units"] if u["unit"] == entry["target"]), None)
            if person:
                out["annual"] = {k: person[k] for k in ("annual_rate", "grade", "cs_grade", "payout_yuan")}
            if unit:
                out["annual"] = {k: unit[k] for k in ("score", "outcome_zh", "rank")}
            return out

        # An amendment takes the entry out at `at` and records its replacement in the same command,
        # at a later position: "after" is once the replacement counts (R-FIX-1).
        after = at if not entry.get("amended_by") else max(at, int(q.entry(entry["amended_by"])["recorded_position"]))
        return {"entry_id": entry_id, "corrected_at_position": at, "correction": entry["status"], "before": figures(at - 1), "after": figures(after)}

    def _span(self, first: int | None, last: int | None) -> list[int]:
        years = [y for y in self.years() if (first is None or y >= first) and (last is None or y <= last)]
        return years[-MAX_YEARS:]


def _runs(years: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and runs[-1][-1] == y - 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return runs
