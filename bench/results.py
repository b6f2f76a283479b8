"""The figures of one `make bench` run, kept in var/bench/results.json so the last step
(`bench/summary.py`) prints every row of issue 14's table as a ratio, together.

`make bench` empties the file first; each bench script records its rows as it measures them."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence

RESULTS = Path(__file__).resolve().parent.parent / "var" / "bench" / "results.json"


def _load() -> dict[str, Any]:
    try:
        return dict(json.loads(RESULTS.read_text()))
    except (FileNotFoundError, ValueError):
        return {}


def record(name: str, value: float, ratio: float | None, target: float | None, *, better: str = "higher", note: str = "") -> None:
    """One row: the measured value, its ratio to the row's baseline, and the target ratio (or
    bound, for latencies: `better="lower"`)."""
    rows = _load()
    rows[name] = {"value": value, "ratio": ratio, "target": target, "better": better, "note": note}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=1, ensure_ascii=False))


def recorded(name: str) -> float | None:
    row = _load().get(name)
    return None if row is None else float(row["value"])


def run_together(clients: Sequence[Callable[[], None]]) -> float:
    """Run each client in a thread of its own, all at once; the seconds from the first start to
    the last one done."""
    threads = [threading.Thread(target=client) for client in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def reset() -> None:
    RESULTS.unlink(missing_ok=True)
