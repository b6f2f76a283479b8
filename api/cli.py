"""`jixiao`: the command line (命令行).

  jixiao run        start the service; an empty store gets the demo bureau first
  jixiao serve      start the service on the configured store as it is (--workers N: server processes)
  jixiao demo       build the demo bureau into an empty store
  jixiao rebuild    rebuild every projection from the event log
  jixiao user add   create an account with a role; prints its initial password
  jixiao user reset-password / list   from the server's console
  jixiao stats      counts of units, persons, sheets, entries and events
  jixiao verify     recompute the event log's hash chain (R-AUDIT-1); exit 1 when tampered
  jixiao import FILE    load history from a JSON-lines file of commands (ledger/application/history_import.py)
  jixiao backup PATH    copy the store (online, while the service runs) and its anchors to PATH
  jixiao restore PATH   restore a backup into the configured (empty) store, then verify it

Settings come from the environment (ledger/settings.py): `JIXIAO_DATABASE_URL` (default
sqlite:///var/jixiao.db), `JIXIAO_TODAY` (fix the bureau's date, for demos).

rebuild, verify, import, backup and restore show a progress bar on stderr when it is a terminal; what
they print on stdout (for scripts) is the same either way.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ledger.adapters.store import StoreUnusable
from ledger.domain.errors import StoreBusy
from ledger.domain.actors import Actor, Role
from api.service import LedgerService


def _service() -> LedgerService:
    """The store and the clock from the settings (JIXIAO_*). A store that cannot be served as it
    is (StoreUnusable): its message, no traceback, exit status 2."""
    try:
        return LedgerService()
    except StoreUnusable as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    except StoreBusy as error:  # another process holds the write lock (a rebuild): start-up writes wait on it
        print(f"{error.detail_zh}\n{error.detail_en}", file=sys.stderr)
        raise SystemExit(1) from None


def _build_demo(service: LedgerService) -> None:
    from ledger.demo.accounts import create_demo_accounts
    from ledger.demo.bureau import build_demo

    print("正在生成演示数据（演示工商局）… building the demo bureau …", flush=True)
    bureau = build_demo(service.ledger)
    create_demo_accounts(service.accounts, bureau)
    stats = service.queries.summary()
    print(f"演示数据已生成: {stats['units']} 个单位, {stats['persons']} 名人员, {stats['sheets']} 张考核表, {stats['entries']} 条扣分记录, {stats['events']} 个事件")


def _print_demo_accounts(service: LedgerService) -> bool:
    """Prints the demo accounts' passwords and API tokens; whether there are any."""
    from ledger.demo.accounts import demo_credentials

    found = demo_credentials(service.accounts)
    if found:
        print("演示账户（仅供演示，切勿用于生产环境）demo accounts — DEMO ONLY, never in production:")
        print(f"  {'角色 role':<18} {'登录名 login':<22} {'密码 password':<16} 接口令牌 API token (Authorization: Bearer …)")
        for c in found:
            print(f"  {c.role.value:<18} {c.user_id:<22} {c.password or '(已修改)':<16} {c.token or '(已吊销)'}")
    return bool(found)


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _serve(service: LedgerService, host: str, port: int, demo_accounts: bool, workers: int = 1) -> None:
    import uvicorn

    from api.app import create_app

    if demo_accounts and host not in LOOPBACK:
        print(
            f"警告：演示账户的密码已公开打印，却在非本机地址 {host} 上提供服务。请停用演示账户（系统管理 → 用户管理）或只在 127.0.0.1 上运行。\n"
            f"WARNING: serving demo accounts, whose passwords are printed, on the non-loopback address {host}.",
            file=sys.stderr, flush=True,
        )  # fmt: skip
    print(f"绩效台账 serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True)
    if workers > 1:
        # Each worker process builds its own service from the settings (api.app's lifespan);
        # this one has done the start-up work (migrations, chain backfill, the demo) already.
        print(f"{workers} 个服务进程共用一个存储 worker processes on one store ({service.database.dialect})", flush=True)
        from uvicorn.supervisors import Multiprocess

        from api.serving import TcpConfig

        config = TcpConfig("api.app:create_app", factory=True, workers=workers, host=host, port=port, log_level="info", proxy_headers=True)
        Multiprocess(config, sockets=[config.bind_socket()]).run()  # what uvicorn.run does for workers, with our socket
        return
    app = create_app(service)
    settle_heap()
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


def settle_heap() -> None:
    """Before serving: move everything the start-up built (modules, the service, its caches, the
    demo) out of the garbage collector's view (`gc.freeze`). A full collection otherwise walks
    that whole heap now and then in the middle of a request: on the 1M-event bench store a
    person's year ledger had p99 99 ms with it, 30 ms without (median 21 → 19 ms; measured,
    issue 14). Objects made later are collected as usual."""
    import gc

    gc.collect()
    gc.freeze()


@contextmanager
def _progress(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar (rich) on stderr while a long command runs. Yields the callback the ledger
    reports to, (done, total), or None when stderr is not a terminal: then nothing is drawn and
    the command runs as it always did (stdout, which scripts read, is never touched). A command
    that never reports (pg_dump, pg_restore) shows a spinner."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, redirect_stdout=False, redirect_stderr=False) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield report


def _verify(service: LedgerService, expect: list[str], as_json: bool) -> int:
    import orjson

    expected = []
    for item in expect:
        position, _, digest = item.partition(":")
        if not position.isdigit() or len(digest) != 64:
            print(f"--expect takes POSITION:DIGEST (64 hex digits), not {item!r}", file=sys.stderr)
            return 2
        expected.append((int(position), digest.lower()))
    with _progress("校验事件日志（事件）") as progress:
        report = service.verify(expected, progress)
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


CONSOLE = Actor(user_id="jixiao-cli", role=Role.SYSTEM_ADMIN)  # the server's console, in the audit log


def _user(service: LedgerService, args: argparse.Namespace) -> int:
    from ledger.accounts.users import STATUS_ZH, list_accounts
    from ledger.domain.errors import DomainError

    try:
        if args.user_command == "add":
            _, password = service.accounts.create_with_initial_password(CONSOLE, "console", args.user_id, args.name, Role(args.role), args.person)
            print(f"已创建用户 {args.user_id}，初始密码（仅显示一次，首次登录须修改）: {password}")
        elif args.user_command == "reset-password":
            _, password = service.accounts.reset_password(CONSOLE, "console", args.user_id)
            print(f"已重置 {args.user_id} 的密码（仅显示一次，下次登录须修改）: {password}")
        else:
            for a in list_accounts(service.engine):
                print(f"{a.user_id:<24} {a.role.value:<18} {STATUS_ZH[a.status]:<4} {a.name}")
    except DomainError as error:
        print(f"{error.detail_zh}（{error.code}）", file=sys.stderr)
        return 2
    return 0


def _backup_or_restore(command: str, path: Path) -> int:
    from ledger.adapters.backup import backup, restore
    from ledger.adapters.seal import default_paths
    from ledger.domain.errors import DomainError
    from ledger.settings import Settings

    settings = Settings()
    anchor_file = settings.anchor_file or default_paths(settings.database_url)[1]
    try:
        if command == "backup":
            with _progress("备份数据库（页）") as progress:
                files = backup(settings.database_url, anchor_file, path, progress)
            for written in files:
                print(f"备份已写入 written: {written}")
            print("链密钥不在备份中：请另行保管 the chain key is not in the backup; keep it apart (JIXIAO_CHAIN_KEY_FILE)")
            return 0
        with _progress("恢复数据库（页）") as progress:
            restore(path, settings.database_url, anchor_file, progress)
    except DomainError as error:
        print(f"{error.detail_zh} ({error.code})", file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError) as error:  # pg_dump / pg_restore missing or failed
        print(f"备份或恢复失败 failed: {error}", file=sys.stderr)
        return 1
    print(f"已恢复 restored {path} → {settings.database_url}")
    service = _service()
    try:
        return _verify(service, [], False)
    finally:
        service.close()


def _import(service: LedgerService, path: Path, start_line: int, batch: int) -> int:
    from ledger.application.history_import import import_history

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        print(f"无法读取文件 cannot read {path}: {error}", file=sys.stderr)
        return 1
    with _progress("导入历史数据（条）") as progress:
        report = import_history(lambda items: service.ledger.execute_batch(items, every_problem=True), lines, start_line=start_line, batch=batch, progress=progress)
    print(f"已导入 imported: {report.stored} / {report.lines} 条指令 commands; 日志位置 log position {service.ledger.log_position()}")
    if report.ok:
        return 0
    for problem in report.problems[:200]:
        print(f"  第 {problem.line} 行 line {problem.line}: {problem.message_zh}（{problem.code}）", file=sys.stderr)
    if len(report.problems) > 200:
        print(f"  …… 另有 {len(report.problems) - 200} 处问题 more problems", file=sys.stderr)
    if report.resume_line is not None:
        print(f"改正后从第 {report.resume_line} 行继续 after fixing, resume with: jixiao import {path} --start-line {report.resume_line}", file=sys.stderr)
    else:
        print("文件有误，未导入任何指令 nothing was imported: fix the lines above", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jixiao", description="绩效台账 Jixiao Ledger")
    sub = parser.add_subparsers(dest="command", required=True)
    serving = {
        "run": "start the service; an empty store gets the demo bureau first (prints its accounts)",
        "serve": "start the service on the configured store as it is (production)",
    }
    for name, text in serving.items():
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=1, help="server processes (SQLite: they read at once, and write one transaction at a time)")
    sub.add_parser("demo", help="build the demo bureau into an empty store and print its accounts")
    sub.add_parser("rebuild", help="replay the whole event log into the read models, in one transaction (with progress)")
    sub.add_parser("stats", help="counts of the store: events, units, persons, sheets, entries")
    ver = sub.add_parser("verify", help="check the stored event log against its hash chain and the bulletins' digests")
    ver.add_argument(
        "--expect", action="append", default=[], metavar="POSITION:DIGEST", help="a digest copied from a printed bulletin (repeatable)"
    )
    ver.add_argument("--json", action="store_true", help="print the report as JSON")
    user = sub.add_parser("user", help="accounts, from the server's console (the first system administrator)").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="create an account; prints its initial password (changed at first sign-in)")
    add.add_argument("user_id", help="the login name")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--person", default=None, help="the roster code of the person this user acts as")
    reset = user.add_parser("reset-password", help="a new initial password (also unlocks); prints it")
    reset.add_argument("user_id")
    user.add_parser("list", help="the accounts and their status")
    imp = sub.add_parser("import", help="load history (a past year) from a JSON-lines file of commands, every rule checked, in batches")
    imp.add_argument("path", type=Path)
    imp.add_argument("--start-line", type=int, default=1, help="resume from this line (printed when an import stops)")
    imp.add_argument("--batch", type=int, default=500, help="commands per transaction")
    sub.add_parser("backup", help="copy the store and its anchor file to PATH (SQLite online backup; pg_dump)").add_argument("path")
    sub.add_parser("restore", help="restore a backup into the configured store, which must be empty; then verify").add_argument("path")
    args = parser.parse_args(argv)
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args.command, Path(args.path))

    service = _service()
    try:
        if args.command in ("run", "serve"):
            if args.command == "run" and service.queries.event_count() == 0:
                _build_demo(service)
            _serve(service, args.host, args.port, demo_accounts=_print_demo_accounts(service), workers=args.workers)
        elif args.command == "demo":
            if service.queries.event_count() != 0:
                print("the store is not empty; the demo is built only into an empty store", file=sys.stderr)
                return 1
            _build_demo(service)
            _print_demo_accounts(service)
        elif args.command == "rebuild":
            with _progress("重建读模型（事件）") as progress:
                position = service.rebuild(progress)
            print(f"rebuilt projections up to position {position}")
        elif args.command == "import":
            return _import(service, args.path, args.start_line, args.batch)
        elif args.command == "stats":
            for key, value in service.queries.summary().items():
                print(f"{key}: {value}")
        elif args.command == "verify":
            return _verify(service, args.expect, args.json)
        elif args.command == "user":
            return _user(service, args)
    finally:
        service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
