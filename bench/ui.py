"""The web UI's weight and speed, and the README's screenshots (`make bench-ui`).

Starts `jixiao run` (the demo bureau) on a temp store, then:
* the gzip size of what the first page loads (index.html, its entry script, its modulepreloads and
  its CSS) and of the largest route chunk;
* the time to first render of the home page on loopback — from navigation to the workbench drawn,
  signed in, in Debian's chromium — median and spread of several runs, cold (no cache) and warm;
* screenshots of the home page, a sheet and the annual results into docs/screens/ (`--screenshots`).
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import ARGS, CHROMIUM, running_demo  # noqa: E402

DIST = ROOT / "web" / "dist"


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 9))


def bundle_sizes() -> None:
    index = (DIST / "index.html").read_text()
    first = [DIST / "index.html"] + [DIST / p.lstrip("/") for p in re.findall(r'(?:src|href)="(/assets/[^"]+)"', index)]
    total = sum(gz(p) for p in first)
    print(f"first page (index.html + entry + preloads + CSS): {total / 1024:.0f} KiB gzip")
    for p in first:
        print(f"  {p.relative_to(DIST)}: {gz(p) / 1024:.1f} KiB")
    routes = [p for p in (DIST / "assets").glob("*.js") if not re.match(r"(element-plus|echarts|vendor|index|rolldown)", p.name)]
    largest = max(routes, key=gz)
    print(f"largest route chunk: {largest.name} {gz(largest) / 1024:.1f} KiB gzip")
    echarts = next((DIST / "assets").glob("echarts-*.js"))
    print(f"echarts (loaded only by pages with charts): {gz(echarts) / 1024:.0f} KiB gzip")


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--screenshots", action="store_true")
    args = parser.parse_args()
    bundle_sizes()
    with running_demo(Path(tempfile.mkdtemp(prefix="jixiao-ui-"))) as demo:
        base = demo.base
        office = demo.accounts["office"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for label, warm in (("cold", False), ("warm", True)):
                times = []
                context = browser.new_context(base_url=base, viewport={"width": 1400, "height": 900})
                context.request.post("/auth/login", data={"login": office[0], "password": office[1]})
                page = context.new_page()
                for _ in range(args.runs):
                    if not warm:
                        page.context.clear_cookies()
                        context.close()
                        context = browser.new_context(base_url=base, viewport={"width": 1400, "height": 900})
                        context.request.post("/auth/login", data={"login": office[0], "password": office[1]})
                        page = context.new_page()
                    start = time.perf_counter()
                    page.goto("/?t=%d#/" % time.monotonic_ns())
                    page.locator("[data-test=home-page] .el-card").first.wait_for()
                    times.append((time.perf_counter() - start) * 1000)
                times.sort()
                print(f"home page first render, {label}: median {statistics.median(times):.0f} ms (min {times[0]:.0f}, max {times[-1]:.0f}; {len(times)} runs)")
                if args.screenshots and warm:
                    shots = ROOT / "docs" / "screens"
                    page.goto("/#/")
                    page.locator("[data-test=home-page] .el-card").first.wait_for()
                    page.wait_for_timeout(1000)  # Element Plus fades tags and spinners in and out
                    page.screenshot(path=str(shots / "home.png"))
                    page.goto("/#/sheets/B01:2026-Q3:key")
                    page.locator("[data-test=entry-table] .el-table__row").first.wait_for()
                    page.wait_for_timeout(1000)
                    page.screenshot(path=str(shots / "sheet.png"))
                    page.goto("/#/results")
                    page.locator("[data-test=unit-table] .el-table__row").first.wait_for()
                    page.wait_for_timeout(1000)
                    page.screenshot(path=str(shots / "results.png"))
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
