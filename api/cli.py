"""`jixiao`: the command line (命令行).

  jixiao run        start the service; an empty store gets the demo bureau first
  jixiao serve      start the service on the configured store as it is
  jixiao demo       build the demo bureau into an empty store
  jixiao rebuild    rebuild every projection from the event log
  jixiao user add   create a user with a role; prints the bearer token
  jixiao stats      counts of units, persons, sheets, entries and events
  jixiao verify     recompute the event log's hash chain (R-AUDIT-1); exit 1 when tampered

Settings come from the environment (ledger/settings.py): `JIXIAO_DATABASE_URL` (default
sqlite:///var/jixiao.db), `JIXIAO_TODAY` (fix the bureau's date, for demos).
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from ledger.domain.actors import Role
from api.service import LedgerService


def _service() -> LedgerService:
    return LedgerService()  # the store and the clock from the settings (JIXIAO_*)


def _on_roster(service: LedgerService, person: str) -> bool:
    from ledger.domain.errors import PersonNotFound

    try:
        service.queries.person(person)
    except PersonNotFound:
        return False
    return True


def _build_demo(service: LedgerService) -> None:
    from api.users import add_user
    from ledger.demo.bureau import build_demo, demo_users

    print("正在生成演示数据（演示工商局）… building the demo bureau …", flush=True)
    bureau = build_demo(service.ledger)
    for user_id, name, role, person in demo_users(bureau):
        add_user(service.engine, service.clock, service.key, user_id, name, role, person, token=f"{user_id}-token")
    stats = service.queries.summary()
    print(f"演示数据已生成: {stats['units']} 个单位, {stats['persons']} 名人员, {stats['sheets']} 张考核表, {stats['entries']} 条扣分记录, {stats['events']} 个事件")


def _print_tokens(service: LedgerService) -> None:
    from api.users import list_users

    demo = [u for u in list_users(service.engine) if u["user_id"].startswith("demo-")]
    if demo:
        print("演示用户令牌 demo bearer tokens (Authorization: Bearer <token>):")
        for u in demo:
            print(f"  {u['role']:<14} {u['user_id']}-token   {u['name']}{'  (' + u['person'] + ')' if u['person'] else ''}")


def _serve(service: LedgerService, host: str, port: int) -> None:
    import uvicorn

    from api.app import create_app

    print(f"绩效台账 serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True)
    uvicorn.run(create_app(service), host=host, port=port, log_level="info")


def _verify(service: LedgerService, expect: list[str], as_json: bool) -> int:
    import orjson

    expected = []
    for item in expect:
        position, _, digest = item.partition(":")
        if not position.isdigit() or len(digest) != 64:
            print(f"--expect takes POSITION:DIGEST (64 hex digits), not {item!r}", file=sys.stderr)
            return 2
        expected.append((int(position), digest.lower()))
    report = service.verify(expected)
    if as_json:
        print(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        print(f"检查事件 events checked: {report.events_checked}; 简报摘要 bulletin digests checked: {report.bulletins_checked}; 锚定记录 anchors checked: {report.anchors_checked}")
        print(f"日志摘要 log digest at {report.head_position}: {report.head_digest}")
        for p in report.problems:
            d = p.as_dict()
            print(f"  位置 position {d['position']}: {d['kind_zh']} ({d['kind']}) — {d['detail']}")
        if report.ok:
            print("校验通过 OK: the stored log matches its hash chain")
        else:
            print(f"校验失败 TAMPERED: first bad position {report.first_bad_position}")
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jixiao", description="绩效台账 Jixiao Ledger")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "serve"):
        p = sub.add_parser(name)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
    sub.add_parser("demo")
    sub.add_parser("rebuild")
    sub.add_parser("stats")
    ver = sub.add_parser("verify", help="check the stored event log against its hash chain and the bulletins' digests")
    ver.add_argument(
        "--expect", action="append", default=[], metavar="POSITION:DIGEST", help="a digest copied from a printed bulletin (repeatable)"
    )
    ver.add_argument("--json", action="store_true", help="print the report as JSON")
    user = sub.add_parser("user").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add")
    add.add_argument("user_id")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--person", default=None, help="the roster code of the person this user acts as")
    args = parser.parse_args(argv)

    service = _service()
    try:
        if args.command in ("run", "serve"):
            if args.command == "run" and service.queries.event_count() == 0:
                _build_demo(service)
            _print_tokens(service)
            _serve(service, args.host, args.port)
        elif args.command == "demo":
            if service.queries.event_count() != 0:
                print("the store is not empty; the demo is built only into an empty store", file=sys.stderr)
                return 1
            _build_demo(service)
            _print_tokens(service)
        elif args.command == "rebuild":
            print(f"rebuilt projections up to position {service.rebuild()}")
        elif args.command == "stats":
            for key, value in service.queries.summary().items():
                print(f"{key}: {value}")
        elif args.command == "verify":
            return _verify(service, args.expect, args.json)
        elif args.command == "user":
            from api.users import add_user

            if args.person is not None and not _on_roster(service, args.person):
                print(f"人员不在名册中：{args.person}（the person is not on the roster）", file=sys.stderr)
                return 2
            token = add_user(service.engine, service.clock, service.key, args.user_id, args.name, Role(args.role), args.person)
            print(token)
    finally:
        service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
