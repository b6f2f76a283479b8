"""The clock (时钟): the one place the service reads the wall clock.

Rules that depend on when a command is issued (a bonus claim after 30 November is late, a
dispute window closes) ask the clock for "today", which is the date in Beijing (the bureau's
day), not the server's. Tests and demos fix it (`Clock(today=...)`, or `JIXIAO_TODAY`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


class Clock:
    def __init__(self, today: date | None = None) -> None:
        self.fixed_today = today

    def today(self) -> date:
        """The bureau's date: fixed, or today in Beijing."""
        if self.fixed_today is not None:
            return self.fixed_today
        return datetime.now(BEIJING).date()

    def now(self) -> datetime:
        """The present moment in UTC, for record timestamps (never fixed: a record keeps when it
        was really written)."""
        return datetime.now(timezone.utc)

    def now_iso(self) -> str:
        return self.now().isoformat()

    def __repr__(self) -> str:
        return f"Clock(today={self.fixed_today!r})"
