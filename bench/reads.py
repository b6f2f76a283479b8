"""Read throughput over HTTP (issue 14): requests per second and p99 of the reads users feel —
the annual summary, one person's annual result, one sheet — each as a ratio to GET /me (the
cheapest authenticated read) in the same run, the same server, the same clients.

Starts `jixiao run` (the demo bureau, `tests/e2e/conftest.running_demo`) on a store under var/bench/reads/, then drives it with wrk
(Debian's `wrk`: 2 threads, BENCH_READ_CLIENTS connections, default 16) — or, without wrk, with as
many Python client threads, which load the machine themselves and measure less — for
BENCH_READ_SECONDS per route (default 5), three rounds; prints the median of the rounds.
Target: each ratio ≥ 0.5.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import record, run_together  # noqa: E402
from tests.e2e.conftest import running_demo  # noqa: E402  (the demo server the UI tests use)

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_READ_CLIENTS", "16"))
SECONDS = float(os.environ.get("BENCH_READ_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_READ_ROUNDS", "3"))
STORE = ROOT / "var" / "bench" / "reads"


def _drive(base: str, token: str, path: str) -> tuple[float, float]:
    """(requests per second, p99 ms) of CLIENTS threads reading `path` for SECONDS."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def client() -> None:
        mine = []
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            while time.monotonic() < stop:
                t = time.perf_counter()
                r = http.get(path)
                mine.append(time.perf_counter() - t)
                assert r.status_code == 200, (path, r.status_code, r.text[:200])
        with lock:
            latencies.extend(mine)

    elapsed = run_together([client] * CLIENTS)
    latencies.sort()
    return len(latencies) / elapsed, latencies[int(len(latencies) * 0.99) - 1] * 1000


def _wrk(base: str, token: str, path: str) -> tuple[float, float]:
    """(requests per second, p99 ms) as wrk measures them."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{SECONDS:g}s", "--latency", "-H", f"Authorization: Bearer {token}", base + path],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{path}: {errors.group(1)} answers were not 200")
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    STORE.mkdir(parents=True, exist_ok=True)
    with running_demo(Path(tempfile.mkdtemp(dir=STORE))) as demo:
        base, token = demo.base, demo.accounts["office"][2]
        http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
        year = http.get("/me").json()["today"][:4]
        person = http.get(f"/results/{year}/persons").json()[0]["person"]
        sheet = f"{person}:{year}-03:monthly"
        routes = {
            "GET /me": "/me",
            f"GET /results/{year}/summary": f"/results/{year}/summary",
            f"GET /results/{year}/persons/{{code}}": f"/results/{year}/persons/{person}",
            "GET /sheets/{code}": f"/sheets/{sheet}",
        }
        drive = _wrk if shutil.which("wrk") else _drive
        tool = "wrk -t2" if drive is _wrk else "Python client threads (no wrk on PATH)"
        print(f"read throughput over HTTP ({tool}): {CLIENTS} connections, {SECONDS:g} s a route, median of {ROUNDS} rounds, one server process")
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in routes}
        for _ in range(ROUNDS):
            for name, path in routes.items():
                runs[name].append(drive(base, token, path))
        me = statistics.median(r for r, _ in runs["GET /me"])
        for name, measured in runs.items():
            rate = statistics.median(r for r, _ in measured)
            p99 = statistics.median(p for _, p in measured)
            target = "" if name == "GET /me" else f"  ratio {rate / me:.2f} (target ≥ 0.5: {'met' if rate / me >= 0.5 else 'NOT met'})"
            print(f"  {name:<40} {rate:8.0f} req/s  p99 {p99:7.1f} ms{target}")
            key = dict(zip(routes, (None, "read_summary", "read_person", "read_sheet")))[name]
            if key:
                record(key, rate, rate / me, 0.5, note=f"p99 {p99:.0f} ms; GET /me {me:,.0f} req/s")


if __name__ == "__main__":
    main()
