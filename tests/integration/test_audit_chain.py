"""R-AUDIT-1: bulletins carry the event log's digest; `jixiao verify` catches any stored event
modified, deleted or inserted since, naming the first bad position.

The tamper tests edit the database directly (SQLite's file, or the PostgreSQL database), as
someone with access to it would, then run the same check the `jixiao verify` command runs.
Statements name the events table and its position column as `{events}` and `{position}`
(`stored_events`/`rowid` on SQLite, `jixiao_events`/`notification_id` on PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from api.cli import main as jixiao
from ledger.adapters import audit
from ledger.application import commands as c
from ledger.domain.errors import AlreadyExists, DomainError, Forbidden, PeriodNotOpen
from api.service import LedgerService
from tests.conftest import OFFICE, SUPERVISION, Bureau, tamper

DEDUCT = dict(points="1.5", basis="上班时间离岗", occurred_on=date(2026, 1, 12), form_no="JC-2026-001")


def _history(bureau: Bureau, n: int = 6) -> None:
    for i in range(n):
        bureau.run(SUPERVISION, c.RecordDeduction(person="P02", **{**DEDUCT, "form_no": f"JC-{i:03d}"}))


def _bulletin(bureau: Bureau, number: str = "2026-01") -> dict:
    return bureau.run(OFFICE, c.PublishBulletin(number=number, period="2026-Q1", title="2026年第1期简报", body="一季度考核情况通报"))


def _sql(service: LedgerService, statement: str, params: tuple = ()) -> int:
    """Runs one statement on the service's database directly; returns the rows it changed."""
    with tamper(service) as db:
        return int(db.execute(statement.format(events=db.events, position=db.position), params).rowcount)


def _rows(service: LedgerService, statement: str, params: tuple = ()) -> list:
    with tamper(service) as db:
        return list(db.execute(statement.format(events=db.events, position=db.position), params).fetchall())


def test_a_clean_log_verifies_and_the_bulletin_digest_is_the_chain_head_R_AUDIT_1(bureau: Bureau) -> None:
    """The bulletin's digest is the chain over every event stored before it, recomputed here
    link by link from the stored rows (genesis = 32 zero bytes)."""
    _history(bureau)
    published = _bulletin(bureau)
    service = bureau.service
    assert published["through_position"] == published["position"] - 1
    running = audit.GENESIS
    for n in service.ledger.recorder.select_notifications(start=1, limit=10_000, stop=published["through_position"]):
        running = audit.link(running, n.id, n.originator_id, n.originator_version, n.topic, n.state)
    assert published["digest"] == running.hex()
    stored = service.queries.bulletin("2026-01")
    assert (stored["digest"], stored["through_position"], stored["period"]) == (running.hex(), published["through_position"], "2026-Q1")
    report = service.ledger.verify()
    assert report.ok, report.as_dict()
    assert report.events_checked == service.queries.event_count()
    assert report.bulletins_checked == 1


def test_a_modified_event_is_caught_at_its_position_R_AUDIT_1(bureau: Bureau) -> None:
    """The changed row fails its own link; the bulletin published after it no longer matches."""
    _history(bureau)
    published = _bulletin(bureau)
    victim = bureau.service.queries.event_count() - 4
    # Someone turns a 1.5-point deduction into 0.5 points in the stored row.
    state = bytes(_rows(bureau.service, "SELECT state FROM {events} WHERE {position} = ?", (victim,))[0][0])
    assert b'"1.5"' in state or b"1.5" in state
    assert _sql(bureau.service, "UPDATE {events} SET state = ? WHERE {position} = ?", (state.replace(b"1.5", b"0.5"), victim)) == 1
    report = bureau.service.ledger.verify()
    assert not report.ok
    assert report.first_bad_position == victim
    assert [(p.position, p.kind) for p in report.problems if p.kind != "anchor_mismatch"] == [
        (victim, "modified"), (published["through_position"], "bulletin_mismatch"),
    ]  # fmt: skip
    # The anchor file sealed the head after the victim's command: it no longer matches either.
    assert [p.position >= victim for p in report.problems if p.kind == "anchor_mismatch"] == [True]


def test_a_deleted_event_is_caught_at_its_position_R_AUDIT_1(bureau: Bureau) -> None:
    _history(bureau)
    victim = bureau.service.queries.event_count() - 2
    assert _sql(bureau.service, "DELETE FROM {events} WHERE {position} = ?", (victim,)) == 1
    report = bureau.service.ledger.verify()
    assert report.first_bad_position == victim
    assert report.problems[0].kind == "deleted"


def test_an_event_inserted_behind_the_ledgers_back_is_caught_R_AUDIT_1(bureau: Bureau) -> None:
    """An inserted row has no chain link: it was not written by the ledger. Here it is a copy
    of a real deduction event given a new originator version, appended after the last one."""
    _history(bureau)
    last = _rows(bureau.service, "SELECT {position}, originator_id, originator_version, topic, state FROM {events} ORDER BY {position} DESC LIMIT 1")[0]
    _sql(
        bureau.service,
        "INSERT INTO {events} ({position}, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
        (last[0] + 1, last[1], last[2] + 1, last[3], last[4]),
    )
    report = bureau.service.ledger.verify()
    assert [(p.position, p.kind) for p in report.problems] == [(last[0] + 1, "inserted")]


def test_an_event_inserted_out_of_order_is_caught_R_AUDIT_1(bureau: Bureau) -> None:
    """A row squeezed in at an earlier position (after deleting the real one there) is both a
    deletion of the chained event and an event without its link."""
    _history(bureau)
    rows = _rows(bureau.service, "SELECT {position}, originator_id, originator_version, topic, state FROM {events} ORDER BY {position}")
    victim = rows[10]
    assert _sql(bureau.service, "DELETE FROM {events} WHERE {position} = ?", (victim[0],)) == 1
    _sql(
        bureau.service,
        "INSERT INTO {events} ({position}, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
        (victim[0], victim[1], victim[2], victim[3], bytes(victim[4]) + b" "),
    )
    report = bureau.service.ledger.verify()
    assert report.first_bad_position == victim[0]
    assert report.problems[0].kind == "modified"


def test_rewriting_the_chain_to_match_is_caught_by_the_bulletin_R_AUDIT_1(bureau: Bureau) -> None:
    """A tamperer who also recomputes every link after the changed event leaves each link
    consistent, but the log no longer gives the digest the bulletin printed."""
    _history(bureau)
    published = _bulletin(bureau)
    victim = published["through_position"] - 2
    service = bureau.service
    with tamper(service) as db:
        state = bytes(db.execute(f"SELECT state FROM {db.events} WHERE {db.position} = ?", (victim,)).fetchone()[0])
        assert state.replace(b"1.5", b"0.5") != state
        db.execute(f"UPDATE {db.events} SET state = ? WHERE {db.position} = ?", (state.replace(b"1.5", b"0.5"), victim))
        previous = bytes.fromhex(db.execute("SELECT digest FROM event_chain WHERE position = ?", (victim - 1,)).fetchone()[0])
        for position, oid, ver, topic, st in db.execute(
            f"SELECT {db.position}, originator_id, originator_version, topic, state FROM {db.events} WHERE {db.position} >= ? ORDER BY {db.position}", (victim,)
        ).fetchall():
            previous = audit.link(previous, position, uuid.UUID(str(oid)), ver, topic, bytes(st))  # the id as the ledger reads it
            db.execute("UPDATE event_chain SET digest = ? WHERE position = ?", (previous.hex(), position))
    report = service.ledger.verify()
    kinds = {p.kind for p in report.problems}
    assert "modified" not in kinds  # every link is consistent with its event again …
    assert {"bulletin_mismatch", "link_forged", "anchor_mismatch"} <= kinds  # … but not with the bulletin, the key or the anchors
    # A digest copied from the printed bulletin is checked the same way.
    assert not service.ledger.verify([(published["through_position"], published["digest"])]).ok


def test_the_chain_continues_across_a_restart_R_AUDIT_1(db_url: str) -> None:
    from tests.conftest import build_bureau

    service = LedgerService(db_url)
    bureau = build_bureau(service)
    _history(bureau, 2)
    service.close()
    service = LedgerService(db_url)
    try:
        bureau.service = service
        _history(bureau, 2)
        assert service.ledger.verify().ok
    finally:
        service.close()


def test_a_refused_command_leaves_no_link_behind_R_AUDIT_1(bureau: Bureau) -> None:
    """The chain head cached in memory is dropped when a command fails, so the next command's
    link follows the last stored one."""
    _history(bureau, 1)
    with pytest.raises(DomainError):
        bureau.run(SUPERVISION, c.RecordDeduction(person="NOBODY", **DEDUCT))
    _history(bureau, 1)
    assert bureau.service.ledger.verify().ok


@pytest.mark.parametrize(
    ("actor", "command", "error"),
    [
        (SUPERVISION, c.PublishBulletin(number="2026-09", period="2026-Q1", title="t", body="b"), Forbidden),
        (OFFICE, c.PublishBulletin(number="2026-09", period="2026-Q3", title="t", body="b"), PeriodNotOpen),
        (OFFICE, c.PublishBulletin(number="2026-01", period="2026-Q1", title="again", body="b"), AlreadyExists),
    ],
)
def test_bad_bulletins_are_refused_and_write_nothing_R_AUDIT_1(bureau: Bureau, actor, command, error) -> None:  # type: ignore[no-untyped-def]
    _bulletin(bureau)
    before = bureau.events()
    with pytest.raises(error):
        bureau.run(actor, command)
    assert bureau.events() == before


def test_jixiao_verify_passes_then_fails_on_a_tampered_copy_R_AUDIT_1(bureau: Bureau, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    _history(bureau)
    _bulletin(bureau)
    url = bureau.service.database.url
    bureau.service.close()
    monkeypatch.setenv("JIXIAO_DATABASE_URL", url)
    assert jixiao(["verify"]) == 0
    assert "校验通过" in capsys.readouterr().out
    assert _sql(bureau.service, "UPDATE {events} SET topic = topic || ' ' WHERE {position} = 5") == 1
    assert jixiao(["verify"]) == 1
    out = capsys.readouterr().out
    assert "first bad position 5" in out and "事件内容被修改" in out


def test_an_edit_that_turns_the_state_into_text_is_caught_R_AUDIT_1(bureau: Bureau) -> None:
    """An edit made in SQL alone. On SQLite, replace() on the BLOB column returns TEXT: the row is
    reported, verify does not crash. PostgreSQL keeps the column bytea, so the same edit goes
    through text and back."""
    _history(bureau)
    victim = bureau.service.queries.event_count() - 1
    edited = {
        "sqlite": "replace(state, '1.5', '0.5')",
        "postgresql": "convert_to(replace(convert_from(state, 'UTF8'), '1.5', '0.5'), 'UTF8')",
    }[bureau.service.database.dialect]
    assert _sql(bureau.service, f"UPDATE {{events}} SET state = {edited} WHERE {{position}} = ?", (victim,)) == 1
    report = bureau.service.ledger.verify()
    assert [(p.position, p.kind) for p in report.problems] == [(victim, "modified"), (victim, "anchor_mismatch")]


# -- without an outside digest: the keyed chain and the anchor file -----------------------------


def _rewrite_newest_event(service: LedgerService) -> int:
    """Edit the newest event and recompute its link with the public `audit.link`, as anyone
    with access to the database and this source could. Returns its position."""
    with tamper(service) as db:
        position, oid, ver, topic, state = db.execute(
            f"SELECT {db.position}, originator_id, originator_version, topic, state FROM {db.events} ORDER BY {db.position} DESC LIMIT 1"
        ).fetchone()
        edited = bytes(state).replace(b"1.5", b"0.5")
        assert edited != bytes(state)
        previous = bytes.fromhex(db.execute("SELECT digest FROM event_chain WHERE position = ?", (position - 1,)).fetchone()[0])
        db.execute(f"UPDATE {db.events} SET state = ? WHERE {db.position} = ?", (edited, position))
        link = audit.link(previous, position, uuid.UUID(str(oid)), ver, topic, edited)  # the id as the ledger reads it
        db.execute("UPDATE event_chain SET digest = ? WHERE position = ?", (link.hex(), position))
    return int(position)


def test_the_newest_event_rewritten_with_a_recomputed_link_is_caught_R_AUDIT_1(bureau: Bureau) -> None:
    """No bulletin after it: the link's MAC (keyed, the key is outside the database) and the
    anchor file catch it."""
    _history(bureau)
    victim = _rewrite_newest_event(bureau.service)
    report = bureau.service.ledger.verify()
    assert report.first_bad_position == victim
    assert {(p.position, p.kind) for p in report.problems} == {(victim, "link_forged"), (victim, "anchor_mismatch")}


def test_the_tail_cut_off_with_its_links_is_caught_R_AUDIT_1(bureau: Bureau) -> None:
    """Deleting the newest events and their links leaves a consistent chain that ends early: the
    anchor file remembers where it ended."""
    _history(bureau)
    head = bureau.service.queries.event_count()
    assert _sql(bureau.service, "DELETE FROM {events} WHERE {position} > ?", (head - 3,)) == 3
    assert _sql(bureau.service, "DELETE FROM event_chain WHERE position > ?", (head - 3,)) == 3
    report = bureau.service.ledger.verify()
    assert [(p.position, p.kind) for p in report.problems] == [(head - 2, "truncated")]
    assert "事件日志尾部被删除" in report.problems[0].as_dict()["kind_zh"]


def test_a_forged_anchor_line_is_reported_R_AUDIT_1(bureau: Bureau) -> None:
    _history(bureau, 1)
    with bureau.service.anchors.path.open("a") as f:
        f.write('{"kind":"events","position":1,"digest":"00","at":"2026-01-01","mac":"ff"}\n')
    assert [p.kind for p in bureau.service.ledger.verify().problems] == ["anchor_forged"]


def test_refusals_edited_or_deleted_are_caught_R_AUDIT_1_R_ORG_4(bureau: Bureau) -> None:
    """Refusals are chained and anchored: deleting them all, or rewriting one, is reported."""
    for _ in range(2):
        with pytest.raises(DomainError):
            bureau.run(SUPERVISION, c.RecordDeduction(person="NOBODY", **DEDUCT))
    assert bureau.service.ledger.verify().ok
    _sql(bureau.service, "UPDATE refusals SET code = 'OK' WHERE id = (SELECT MIN(id) FROM refusals)")
    assert [p.kind for p in bureau.service.ledger.verify().problems] == ["refusals_modified"]
    _sql(bureau.service, "DELETE FROM refusals")
    assert [p.kind for p in bureau.service.ledger.verify().problems] == ["refusals_deleted"]


def test_a_user_promoted_in_the_database_neither_signs_in_nor_passes_verify_R_AUDIT_1(bureau: Bureau) -> None:
    from ledger.accounts.sessions import BEARER
    from ledger.domain.actors import Actor, Role

    service, admin = bureau.service, Actor("u-admin", Role.SYSTEM_ADMIN)
    service.accounts.create(admin, None, "u-clerk", "办事员", Role.STAFF, "P02", initial_password="Clerk#2026x", must_change=False)
    principal, token = service.accounts.sign_in("u-clerk", "Clerk#2026x", None, BEARER)
    assert principal.actor.role is Role.STAFF
    assert service.verify().ok
    _sql(service, "UPDATE users SET role = 'leading_group' WHERE user_id = 'u-clerk'")
    assert service.accounts.by_bearer(token) is None  # the session's account no longer matches its seal
    assert [p.kind for p in service.verify().problems] == ["user_modified"]


def test_the_key_and_anchor_files_are_owner_only_and_the_key_is_needed_R_AUDIT_1(db_url: str) -> None:
    import stat

    from tests.conftest import build_bureau

    service = LedgerService(db_url)
    build_bureau(service)
    key_path, anchor_path = service.key.path, service.anchors.path
    service.close()
    assert key_path is not None
    assert stat.S_IMODE(key_path.stat().st_mode) == stat.S_IMODE(anchor_path.stat().st_mode) == 0o600
    key_path.unlink()  # lost: the store's links are sealed with it
    with pytest.raises(RuntimeError, match="链密钥文件缺失"):
        LedgerService(db_url)
    assert not key_path.exists()
