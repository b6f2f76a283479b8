"""kill -9 under load: eight HTTP clients write to `jixiao serve` (one process, and `--workers 2`); the server is killed (SIGKILL, every process of it)
mid-load and `jixiao serve` restarted on the same store. Every acknowledged command is there, the
store verifies (`jixiao verify`, straight after the kill and at the end), `jixiao rebuild` gives
the projections the live projector kept, and the commands whose answer was lost are retried with
their Idempotency-Key: each is applied at most once.

One crash is staged per store kind (the `crash` fixture) and each test checks one part of it. The
commands whose answer was lost are the writers' requests in flight at the kill (timing decides
whether each was stored), and so that both cases are always there: three requests sent on
connections never read, seen stored before the kill, and three sent to the server stopped
(SIGSTOP) just before the kill, never stored.
"""

from __future__ import annotations

import json
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from projections.tables import entries
from tests.reliability.harness import WRITER, Deduction, Outcome, Seed, Server, Store, copy_store, last_position, plan, post, stored_deductions, write

WRITERS = 8
PER_WRITER = 400  # more than the writers send before the kill
KILL_AFTER = 1.5  # seconds of load before SIGKILL
UNREAD = 3  # requests whose answer is never read, seen stored before the kill
FROZEN = 3  # requests sent to the frozen server just before the kill: never stored


@dataclass
class Crash:
    store: Store
    start: dict[str, Any]  # /stats before the load
    outcome: Outcome  # what the writers saw before the kill
    unread: list[Deduction]  # sent, stored, answer never read
    frozen: list[Deduction] = field(default_factory=list)  # sent to the frozen server, never read
    verify_after_kill: Any = None  # `jixiao verify` on the store as the kill left it
    restarted: dict[str, Any] = field(default_factory=dict)  # /stats of the restarted server
    stored_at_restart: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # form no -> [(entry id, position)]
    retries: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)  # key -> [(status, body)] per round
    logged: list[tuple[int, str, str, Any]] = field(default_factory=list)  # the log's deductions after `start`, at the end
    events: int = 0
    projection_position: int = 0
    log_position: int = 0
    verify_at_end: Any = None
    before_rebuild: dict[str, Any] = field(default_factory=dict)
    rebuild: Any = None
    after_rebuild: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, printed with -s

    @property
    def lost(self) -> list[Deduction]:
        """Every command sent whose answer the client did not get."""
        return [*self.outcome.lost, *self.unread, *self.frozen]


def _ours(store: Store) -> dict[str, list[tuple[str, int]]]:
    """This run's entries in the projection: form number -> [(entry id, log position)]."""
    engine = store.engine()
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(entries.c.form_no, entries.c.entry_id, entries.c.recorded_position).where(entries.c.form_no.like("JC-t2-%")))
            found: dict[str, list[tuple[str, int]]] = {}
            for form_no, entry_id, position in rows:
                found.setdefault(form_no, []).append((entry_id, int(position)))
            return found
    finally:
        engine.dispose()


def _send_unread(server: Server, d: Deduction) -> socket.socket:
    """The command on a connection of its own whose answer is never read."""
    body = json.dumps(d.body(), ensure_ascii=False).encode()
    head = (
        f"POST /deductions HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nAuthorization: Bearer {server.store.tokens[WRITER]}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nIdempotency-Key: {d.key}\r\n\r\n"
    )
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(head.encode() + body)
    return sock


def _stage(store: Store, workers: int) -> Crash:
    clock = [time.monotonic()]

    def lap(step: str) -> None:
        now = time.monotonic()
        crash.timings[step], clock[0] = now - clock[0], now

    server = Server(store, "server-1", workers)
    crash = Crash(store, server.read("/stats"), Outcome(), [])
    lap("start")
    threads: list[Any] = []
    sockets: list[socket.socket] = []
    try:
        began = time.monotonic()
        threads = write(server, plan(store, "t2", WRITERS, PER_WRITER), crash.outcome)
        time.sleep(KILL_AFTER * 2 / 3)
        crash.unread = [d for mine in plan(store, "t2-unread", UNREAD, 1) for d in mine]
        sockets = [_send_unread(server, d) for d in crash.unread]
        deadline = time.monotonic() + 30
        while not all(d.form_no in _ours(store) for d in crash.unread):
            assert time.monotonic() < deadline, "the unread requests were not stored"
            time.sleep(0.05)
        time.sleep(max(0.0, KILL_AFTER - (time.monotonic() - began)))
        # SIGSTOP, then SIGKILL: the kill lands where the server stopped, and the requests sent
        # in between were in flight at the kill, never processed.
        server.freeze()
        crash.frozen = [d for mine in plan(store, "t2-frozen", FROZEN, 1) for d in mine]
        sockets += [_send_unread(server, d) for d in crash.frozen]
        server.kill()
    finally:
        server.stop()
    for thread in threads:
        thread.join(timeout=60)
    for sock in sockets:
        sock.close()
    print(
        f"\nkilled after {time.monotonic() - began:.1f} s: {len(crash.outcome.acked)} acknowledged, {len(crash.outcome.lost)} of the writers'"
        f" in flight, {len(crash.unread)} stored and never read, {len(crash.frozen)} sent to the frozen server ({store.dialect}, {workers} server process(es))"
    )
    lap("load and kill")
    crash.verify_after_kill = store.cli("verify")
    lap("verify")

    server = Server(store, "server-2", workers)
    try:
        lap("restart")
        crash.restarted = server.read("/stats")
        crash.stored_at_restart = _ours(store)
        with server.client(WRITER) as client:
            for _ in range(2):
                for d in crash.lost:
                    r = post(client, d)
                    crash.retries.setdefault(d.key, []).append((r.status_code, r.json()))
    finally:
        server.stop()
    lap("retries")

    service = store.open()
    try:
        crash.logged = stored_deductions(service, store, crash.start["position"])
        crash.events = service.queries.event_count()
        crash.projection_position = service.queries.projection_position()
        crash.log_position = last_position(service)
    finally:
        service.close()
    lap("read the log")
    crash.verify_at_end = store.cli("verify")
    lap("verify again")
    crash.before_rebuild = store.dump()
    lap("dump")
    crash.rebuild = store.cli("rebuild")
    lap("rebuild")
    crash.after_rebuild = store.dump()
    lap("dump again")
    print(", ".join(f"{step} {seconds:.1f} s" for step, seconds in crash.timings.items()))
    return crash


@pytest.fixture(scope="module", params=[1, 2], ids=["one-process", "two-workers"])
def crash(seed: Seed, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crash]:
    """One crash per store kind and per server shape: one process, or two (`--workers 2`, every
    process of the server killed at once)."""
    with copy_store(seed, tmp_path_factory.mktemp("crash")) as store:
        yield _stage(store, request.param)


def test_every_acknowledged_command_survives_kill_9(crash: Crash) -> None:
    acked = crash.outcome.acked
    assert acked and crash.outcome.lost, "the kill came before or after the load"
    assert crash.outcome.other == [], crash.outcome.other[:3]
    # The restarted server holds each acknowledged command once, as its answer said.
    for d, result in acked.values():
        assert crash.stored_at_restart.get(d.form_no) == [(result["entry_id"], result["position"])], d
    assert crash.restarted["events"] >= crash.start["events"] + len(acked) + len(crash.unread)
    # And so does the log at the end: every command sent, acknowledged or not, exactly once.
    counted = Counter(form for _, _, form, _ in crash.logged)
    assert [form for form, n in counted.items() if n != 1] == [], "a command stored twice"
    assert set(counted) == {d.form_no for d, _ in acked.values()} | {d.form_no for d in crash.lost}
    positions = {form: (position, entry_id) for position, entry_id, form, _ in crash.logged}
    for d, result in acked.values():
        assert positions[d.form_no] == (result["position"], result["entry_id"])
    assert crash.events == crash.start["events"] + len(crash.logged)
    assert crash.projection_position == crash.log_position
    if crash.store.dialect == "sqlite":  # PostgreSQL's sequence may skip the position of a transaction killed in flight
        assert crash.restarted["position"] == crash.restarted["events"] and crash.log_position == crash.events


def test_the_store_verifies_after_kill_9(crash: Crash) -> None:
    for run in (crash.verify_after_kill, crash.verify_at_end):
        assert run.returncode == 0, run.stdout + run.stderr
        assert "校验通过 OK" in run.stdout


def test_rebuild_after_kill_9_gives_the_projections_kept_live(crash: Crash) -> None:
    assert crash.rebuild.returncode == 0, crash.rebuild.stdout + crash.rebuild.stderr
    assert f"up to position {crash.log_position}" in crash.rebuild.stdout
    assert crash.before_rebuild.keys() == crash.after_rebuild.keys()
    differ = [table for table in crash.before_rebuild if crash.before_rebuild[table] != crash.after_rebuild[table]]
    assert differ == [], differ
    assert len(crash.after_rebuild["entries"]) > len(crash.logged)


def test_commands_whose_answer_was_lost_apply_at_most_once_when_retried(crash: Crash) -> None:
    stored = [d for d in crash.lost if d.form_no in crash.stored_at_restart]
    unstored = [d for d in crash.lost if d.form_no not in crash.stored_at_restart]
    print(f"\nretried {len(crash.lost)}: {len(stored)} stored before the kill (answer lost), {len(unstored)} not stored ({crash.store.dialect})")
    assert all(d in stored for d in crash.unread) and all(d in unstored for d in crash.frozen)
    for d in crash.lost:
        (status, first), (again_status, again) = crash.retries[d.key]
        assert (status, again_status) == (201, 201), (first, again)
        if d in stored:
            # The original result, replayed: the entry and the log position stored before the kill.
            [(entry_id, position)] = crash.stored_at_restart[d.form_no]
            assert (first["entry_id"], first["position"], first.get("replayed")) == (entry_id, position, True), (d, first)
        else:
            assert "replayed" not in first and first["position"] > crash.restarted["position"], first
        assert again == first | {"replayed": True}
    # Each applied once in the log, where its (first or replayed) answer says.
    positions = {form: (position, entry_id) for position, entry_id, form, _ in crash.logged}
    for d in crash.lost:
        first = crash.retries[d.key][0][1]
        assert positions[d.form_no] == (first["position"], first["entry_id"])
    assert crash.events == crash.restarted["events"] + len(unstored)

