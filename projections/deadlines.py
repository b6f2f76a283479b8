"""Deadlines (时限) of R-CAL-3, as the office sees them: what was due when, what is done, what is
overdue and by how long. Computed from projected rows (sheets with their submission and
publication dates, periods with their windows, record-form filings, bonus claims) and the
working-day calendar of R-CAL-2; nothing here reads the event log."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Engine, select

from ledger.domain.calendar import WorkingDays
from ledger.domain.periods import annual_cutoff, parse_period
from ledger.domain.plan import DEFAULT_POLICY
from projections.history import Tables

KIND_ZH = {
    "unit_sheet_report": "考核部门报送单位考核表（窗口结束后3个工作日内）",
    "monthly_publication": "单位公布月度考核结果（次月3日前）",
    "record_forms": "报备季度月绩效考核备案表（季度结束后3个工作日内）",
    "bonus_claims": "加分申报（11月30日前）",
}
STATUS_ZH = {"met": "按时完成", "late": "逾期完成", "overdue": "已逾期未完成", "pending": "未到期"}


class Deadlines:
    def __init__(self, engine: Engine, as_of: int | None = None) -> None:
        self.engine = engine
        self.as_of = as_of
        self.tb = Tables(as_of)

    def at(self, position: int | None) -> "Deadlines":
        return self if position == self.as_of else Deadlines(self.engine, position)

    def calendar(self) -> WorkingDays:
        with self.engine.connect() as conn:
            local = {date.fromisoformat(r.day): bool(r.working) for r in conn.execute(select(self.tb.calendar_days))}
            years = frozenset(int(r.year) for r in conn.execute(select(self.tb.calendar_years)))
        return WorkingDays(local, years)

    def year(self, year: int, today: date, overdue_only: bool = False) -> dict[str, Any]:
        """Every R-CAL-3 deadline of `year` judged on `today`; `overdue_only` keeps the ones
        missed (overdue, or done late)."""
        cal = self.calendar()

        @lru_cache(maxsize=None)
        def after(day: date, n: int) -> tuple[date, bool]:
            return cal.add_working_days(day, n)

        with self.engine.connect() as conn:
            plan = conn.execute(select(self.tb.plans.c.policy).where(self.tb.plans.c.year == year)).first()
            policy = {**DEFAULT_POLICY, **(orjson.loads(plan.policy) if plan else {})}
            periods = {r.code: r for r in conn.execute(select(self.tb.periods).where(self.tb.periods.c.year == year))}
            sheets = list(
                conn.execute(
                    select(self.tb.sheets.c.code, self.tb.sheets.c.target_kind, self.tb.sheets.c.unit, self.tb.sheets.c.period, self.tb.sheets.c.submitted_on, self.tb.sheets.c.published_on).where(
                        self.tb.sheets.c.year == year
                    )
                )
            )
            filings = {(r.unit, r.quarter): r for r in conn.execute(select(self.tb.record_filings).where(self.tb.record_filings.c.quarter.like(f"{year}-Q%")))}
            units = [r.code for r in conn.execute(select(self.tb.units.c.code).order_by(self.tb.units.c.code))]
            late_claims = list(
                conn.execute(select(self.tb.bonus_claims.c.target, self.tb.bonus_claims.c.basis_ref, self.tb.bonus_claims.c.filed_on).where(
                    self.tb.bonus_claims.c.year == year, self.tb.bonus_claims.c.late.is_(True)
                ))
            )  # fmt: skip
        n = int(policy["report_deadline_working_days"])
        publish_day = int(policy["monthly_publish_by_day"])
        items: list[dict[str, Any]] = []

        def judge(kind: str, subject: str, period: str, deadline: date, warned: bool, done: str | None, **extra: Any) -> None:
            done_on = date.fromisoformat(done) if done else None
            if done_on is not None:
                status = "met" if done_on <= deadline else "late"
                end = done_on
            else:
                status = "overdue" if today > deadline else "pending"
                end = today
            late_by = max(0, (end - deadline).days) if status in ("late", "overdue") else 0
            items.append({
                "kind": kind, "kind_zh": KIND_ZH[kind], "subject": subject, "period": period, "deadline": deadline.isoformat(),
                "done_on": done, "status": status, "status_zh": STATUS_ZH[status], "late_days": late_by,
                "late_working_days": cal.working_days_between(deadline, end) if late_by else 0,
                "calendar_warning": warned, **extra,
            })  # fmt: skip

        monthly: dict[tuple[str, str], list[Any]] = {}
        for s in sheets:
            if s.target_kind == "unit":
                window = periods.get(s.period)
                if window is None:
                    continue
                deadline, warned = after(date.fromisoformat(window.window_closes), n)
                judge("unit_sheet_report", s.code, s.period, deadline, warned, s.submitted_on, unit=s.unit)
            else:
                monthly.setdefault((s.unit, s.period), []).append(s)
        for (unit, period), group in sorted(monthly.items()):
            month = parse_period(period)
            first_of_next = month.end + timedelta(days=1)
            deadline = first_of_next.replace(day=min(publish_day, 28))
            pending = [s.code for s in group if s.published_on is None]
            done = None if pending else max(s.published_on for s in group)
            judge("monthly_publication", unit, period, deadline, False, done, unit=unit, sheets=len(group), unpublished=len(pending))
        for code, row in sorted(periods.items()):
            if row.kind != "quarter":
                continue
            deadline, warned = after(parse_period(code).end, n)
            for unit in units:
                filing = filings.get((unit, code))
                judge("record_forms", unit, code, deadline, warned, filing.filed_on if filing else None, unit=unit)
        cutoff = annual_cutoff(year)
        for claim in late_claims:
            judge("bonus_claims", claim.target, str(year), cutoff, False, claim.filed_on, basis_ref=claim.basis_ref)
        if overdue_only:
            items = [i for i in items if i["status"] in ("overdue", "late")]
        items.sort(key=lambda i: (i["deadline"], i["kind"], i["subject"]))
        counts = {k: sum(1 for i in items if i["status"] == k) for k in STATUS_ZH}
        return {"year": year, "today": today.isoformat(), "counts": counts, "calendar_warning": any(i["calendar_warning"] for i in items), "items": items}
