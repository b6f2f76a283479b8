"""The last step of `make bench`: every row of issue 14's table, as measured in this run (the
figures each bench script recorded in var/bench/results.json), with its ratio and target."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import _load  # noqa: E402

ROWS = [
    ("read_summary", "GET /results/{y}/summary", "req/s", "× GET /me"),
    ("read_person", "GET /results/{y}/persons/{code}", "req/s", "× GET /me"),
    ("read_sheet", "GET /sheets/{code}", "req/s", "× GET /me"),
    ("command_in_process", "command path, one deduction, one client", "/s", "× raw single-row commits"),
    ("command_in_process_concurrent", "command path, 8 clients in process (group commit)", "/s", "× raw single-row commits"),
    ("command_http", "the same over HTTP, 8 clients", "/s", "× in-process (8 clients)"),
    ("command_http_workers", "the same over HTTP, 8 clients, --workers 2", "/s", "× in-process (8 clients)"),
    ("bulk_load", "bulk load, 500 commands per transaction", "events/s", "× raw batched inserts"),
    ("rebuild", "jixiao rebuild", "events/s", "× target 100k events/s"),
    ("as_of_annual_p99", "1M store: whole-bureau annual results as of, p99", "ms", "ms (bound)"),
    ("ledger_now_p99", "1M store: a person's year ledger (a page) now, p99", "ms", "ms (bound)"),
    ("ledger_as_of_p99", "1M store: a person's year ledger (a page) as of, p99", "ms", "ms (bound)"),
]


def main() -> None:
    rows = _load()
    print()
    print("issue 14's table, this run:")
    print(f"  {'figure':<52} {'measured':>16} {'ratio / bound':>14} {'target':>8}  met")
    for key, name, unit, _ in ROWS:
        row = rows.get(key)
        if row is None:
            print(f"  {name:<52} {'(not measured)':>16}")
            continue
        value, ratio, target, lower = row["value"], row["ratio"], row["target"], row["better"] == "lower"
        if lower:
            met = value <= target
            print(f"  {name:<52} {value:>13,.1f} {unit:<2} {'≤':>14} {target:>8g}  {'yes' if met else 'NO'}")
        else:
            met = ratio is not None and ratio >= target
            shown = "—" if ratio is None else f"{ratio:.2f}"
            print(f"  {name:<52} {value:>10,.0f} {unit:<8}{shown:>11} {'≥ ' + format(target, 'g'):>11}  {'yes' if met else 'NO'}")
        if row.get("note"):
            print(f"  {'':<52} {row['note']}")


if __name__ == "__main__":
    main()
