"""Sign-in attempts per client address (入侵防范): a sliding window of one minute, in memory.

One process keeps its own counts (with `--workers N` each worker counts alone, so the limit is
N times as loose); the account lockout (ledger/accounts) is kept in the database and holds
across processes. A proxy in front may rate-limit as well (docs/operations.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque

from ledger.domain.errors import DomainError

WINDOW_SECONDS = 60.0
ADDRESSES_MAX = 10_000


class TooManyAttempts(DomainError):
    code = "TOO_MANY_ATTEMPTS"
    status = 429
    message_zh = "登录尝试过于频繁，请稍后再试"
    message_en = "Too many sign-in attempts from this address; wait and retry"


class AttemptLimit:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, address: str | None) -> None:
        """Count an attempt from `address`; refuse it beyond the limit (not counted then)."""
        now = time.monotonic()
        key = address or "-"
        with self._lock:
            if len(self._seen) >= ADDRESSES_MAX:
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - WINDOW_SECONDS}
            attempts = self._seen.setdefault(key, deque())
            while attempts and attempts[0] <= now - WINDOW_SECONDS:
                attempts.popleft()
            if len(attempts) >= self.per_minute:
                retry = max(1, int(attempts[0] + WINDOW_SECONDS - now) + 1)
                raise TooManyAttempts(
                    f"more than {self.per_minute} sign-in attempts a minute", f"登录尝试过于频繁，请{retry}秒后再试", retry_after_seconds=retry
                )
            attempts.append(now)
