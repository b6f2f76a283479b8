"""Fixtures of the reliability tests (tests/reliability/harness.py holds the parts): the demo
bureau built once per session and store kind, a copy of it per test, and `jixiao serve` on it."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.reliability.harness import STORES, Seed, Server, Store, copy_store, seeded


@pytest.fixture(scope="session", params=STORES)
def seed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seed]:
    with seeded(request.param, tmp_path_factory.mktemp(f"reliability-seed-{request.param}")) as built:
        yield built


@pytest.fixture
def store(seed: Seed, tmp_path: Path) -> Iterator[Store]:
    with copy_store(seed, tmp_path) as copied:
        yield copied


@pytest.fixture
def serve(store: Store) -> Iterator[Callable[..., Server]]:
    """Starts `jixiao serve` on the test's store (again after a kill), in `workers` server
    processes; every server started is stopped at the end."""
    started: list[Server] = []

    def start(workers: int = 1) -> Server:
        started.append(Server(store, f"server-{len(started) + 1}", workers))
        return started[-1]

    yield start
    for server in started:
        server.stop()
