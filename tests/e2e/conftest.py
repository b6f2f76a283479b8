"""The web UI in a real browser: Playwright for Python driving Debian's chromium (no browser
download), against `jixiao run` — the demo bureau on a temp SQLite store — as a person uses it.

The server is started once for the session; its printed demo accounts are what the tests sign in
with. A failed test leaves a screenshot in test-results/. Without /usr/bin/chromium the tests are
skipped, except in CI (`CI=true`), where `.ci/run` installs it and a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from tests.conftest import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("JIXIAO_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "test-results"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]  # fmt: skip

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium for the UI tests")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)


class Demo:
    """The running demo service: its base URL and the demo accounts it printed."""

    def __init__(self, base: str, accounts: dict[str, tuple[str, str, str]]) -> None:
        self.base = base
        self.accounts = accounts  # role -> (login, password, API token)

    def api(self, role: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        token = self.accounts[role][2]
        return httpx.request(method, self.base + path, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs)


@contextmanager
def running_demo(folder: Path, workers: int = 1) -> Iterator[Demo]:
    """`jixiao run` (the demo bureau) on a store in `folder`, on a free loopback port, in `workers`
    server processes; stopped after."""
    port = free_port()
    env = {**os.environ, "JIXIAO_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}", "JIXIAO_LOGIN_ATTEMPTS_PER_MINUTE": "1000"}
    log = open(folder / "server.log", "w+")
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "run", "--port", str(port), "--workers", str(workers)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, base, folder / "server.log", seconds=240)  # the demo is built first
        log.seek(0)
        accounts = {m[0]: (m[1], m[2], m[3]) for m in re.findall(r"^\s+(\w+)\s+(demo-[\w-]+)\s+(\S+)\s+(jx_demo_\w+)$", log.read(), re.M)}
        assert len(accounts) == 10, accounts
        yield Demo(base, accounts)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("e2e")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.failed_call = report.failed  # type: ignore[attr-defined]


@pytest.fixture
def page(browser: Any, demo: Demo, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=demo.base, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    if getattr(request.node, "failed_call", False):
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def sign_in(page: Any, demo: Demo, role: str) -> None:
    login, password, _ = demo.accounts[role]
    page.context.clear_cookies()
    page.goto(f"/?as={role}#/login")  # a new query string: the page loads afresh, nobody signed in
    page.locator("input[data-test=login]").fill(login)
    page.locator("input[data-test=password]").fill(password)
    page.locator("[data-test=submit]").click()
    page.locator("[data-test=user-menu]").wait_for()
