"""The command path over HTTP (issue 14): POST /deductions by BENCH_HTTP_CLIENTS concurrent clients
(default 8) against one `jixiao run` server on the demo store, commands per second as a ratio to
the in-process rate `bench/command_rate.py` measured in the same `make bench` run (read from
var/bench/results.json; target ≥ 0.5).

Then the same against `jixiao run --workers BENCH_HTTP_WORKERS` (default 2): several server
processes on the one SQLite file, each parsing, checking and answering requests on its own core,
writing one transaction at a time (a row of its own, against the same in-process rate).

Beside each, the floor under it: GET /me (signed in, no ledger work, no audit record) by the same
clients against the same server, in the same rounds. A command is a request that parses and checks
its body, runs the ledger and answers; the row's target is a rate no request route can pass if
it is above what the server answers with no work at all.

Each request is a supervision office's deduction of 0.01 on a person of the demo bureau (form
number given, R-SUP-1), every one with its own Idempotency-Key. Driven by wrk with a Lua script
when wrk is on the PATH, else by Python client threads. Median of BENCH_HTTP_ROUNDS rounds.
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
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import record, recorded, run_together  # noqa: E402
from tests.e2e.conftest import running_demo  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_HTTP_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", "2"))
STORE = ROOT / "var" / "bench" / "http"

LUA = """
counter = 0
request = function()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = string.format("%s-%d-%d", prefix, id, counter)
  return wrk.format("POST", path, nil, body)
end
setup = function(thread) thread:set("id", math.random(1, 1000000000)) end
"""


def _wrk(base: str, token: str, body: str | None) -> float:
    """POST /deductions with `body`, or GET /me when `body` is None."""
    script = None
    if body is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
            file.write(f'prefix = "{uuid.uuid4().hex[:8]}"\npath = "/deductions"\nbody = [[{body}]]\n{LUA}')
        script = file.name
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{CLIENTS}", f"-d{SECONDS:g}s", *(["-s", script] if script else []), "-H", f"Authorization: Bearer {token}", "-H", "Content-Type: application/json", base if script else base + "/me"],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        if script:
            os.unlink(script)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{'POST /deductions' if script else 'GET /me'}: {errors.group(1)} answers were not 2xx:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def _threads(base: str, token: str, body: str | None) -> float:
    """POST /deductions with `body`, or GET /me when `body` is None."""
    count = [0]
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def client() -> None:
        n = 0
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, timeout=30) as http:
            while time.monotonic() < stop:
                if body is None:
                    r = http.get("/me")
                else:
                    r = http.post("/deductions", content=body, headers={"Idempotency-Key": uuid.uuid4().hex})
                assert r.status_code < 300, r.text[:300]
                n += 1
        with lock:
            count[0] += n

    return count[0] / run_together([client] * CLIENTS)


def measure(workers: int) -> tuple[list[float], list[float], str]:
    """POST /deductions rates and GET /me rates, one of each per round, against the demo served by
    `workers` processes."""
    STORE.mkdir(parents=True, exist_ok=True)
    with running_demo(Path(tempfile.mkdtemp(dir=STORE)), workers=workers) as demo:
        token = demo.accounts["supervision"][2]
        office = httpx.Client(base_url=demo.base, headers={"Authorization": f"Bearer {demo.accounts['office'][2]}"})
        today = office.get("/me").json()["today"]
        person = office.get(f"/results/{today[:4]}/persons").json()[0]["person"]
        body = f'{{"person": "{person}", "points": "0.01", "basis": "效能监察抽查", "occurred_on": "{today}", "form_no": "JC-BENCH"}}'
        probe = httpx.post(demo.base + "/deductions", content=body, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        if probe.status_code >= 300:
            raise SystemExit(f"the bench's deduction is refused on the demo store: {probe.status_code} {probe.text[:300]}")
        drive = _wrk if shutil.which("wrk") else _threads
        rates, floors = [], []
        for _ in range(ROUNDS):
            rates.append(drive(demo.base, token, body))
            floors.append(drive(demo.base, token, None))
    return rates, floors, "wrk -t2" if drive is _wrk else "Python client threads"


def main() -> None:
    in_process = recorded("command_in_process_concurrent")
    for workers, name in ((1, "command_http"), (WORKERS, "command_http_workers")):
        rates, floors, tool = measure(workers)
        rate, floor = statistics.median(rates), statistics.median(floors)
        served = "one server process" if workers == 1 else f"{workers} server processes (--workers {workers})"
        print(f"command path over HTTP ({tool}, {CLIENTS} clients, {SECONDS:g} s, median of {ROUNDS}), {served}: POST /deductions {rate:,.0f}/s  [{', '.join(f'{r:,.0f}' for r in rates)}]")
        note = f"GET /me (no ledger work) on the same server, the same clients: {floor:,.0f}/s"
        if in_process:
            print(f"  ratio to the in-process rate of {in_process:,.0f}/s: {rate / in_process:.2f} (target ≥ 0.5)")
            note += f"; the target, {in_process / 2:,.0f}/s, is {in_process / 2 / floor:.2f} × that"
        print(f"  the floor: {note} [{', '.join(f'{r:,.0f}' for r in floors)}]")
        record(name, rate, in_process and rate / in_process, 0.5, note=note)


if __name__ == "__main__":
    main()
