"""The house rules of the layout (docs/architecture.md), checked on the source: a reader can follow
the command path by imports, and the layers only import inward.

    api ──► projections ──► ledger.adapters ──► ledger.domain
     └────► ledger.application ──┘     ledger.clock, ledger.settings: anyone
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ledger", "projections", "api")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports (module level and inside functions; TYPE_CHECKING excluded)."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _our_modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _graph() -> dict[str, set[str]]:
    modules = _our_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                targets.add(imported)
        graph[name] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_among_our_modules() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check itself can fail: a made-up loop is found."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


ALLOWED = {
    # layer: the prefixes of our modules it may import
    "ledger.domain": ("ledger.domain",),
    "ledger.adapters": ("ledger.domain", "ledger.adapters", "ledger.clock", "ledger.settings"),
    "ledger.application": ("ledger.domain", "ledger.adapters", "ledger.application", "ledger.clock", "ledger.settings"),
    "ledger.accounts": ("ledger.domain", "ledger.adapters", "ledger.accounts", "ledger.clock", "ledger.settings"),
    "ledger.demo": ("ledger.domain", "ledger.application", "ledger.accounts", "ledger.clock", "ledger.demo"),
    "projections": ("ledger.domain", "ledger.adapters", "ledger.clock", "projections"),
    "ledger.clock": (),
    "ledger.settings": (),
}


def test_layers_import_only_inward() -> None:
    wrong = []
    for module, targets in _graph().items():
        layer = next((prefix for prefix in ALLOWED if module == prefix or module.startswith(prefix + ".")), None)
        if layer is None:
            continue  # api: the outermost layer may import everything
        for target in targets:
            if target != "ledger" and not any(target == p or target.startswith(p + ".") for p in ALLOWED[layer]):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_the_domain_imports_no_storage_or_web_library() -> None:
    """The domain is rules only: no SQL, no HTTP, no store."""
    forbidden = re.compile(r"^(sqlalchemy|fastapi|starlette|psycopg|sqlite3|alembic|uvicorn|eventsourcing\.(application|persistence|sqlite|postgres))\b")
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / "ledger" / "domain").rglob("*.py")
        for name in _imports(path)
        if forbidden.match(name)
    ]
    assert wrong == []


def test_migrations_import_no_live_code() -> None:
    """An old revision must do tomorrow what it did when written: it freezes its SQL."""
    wrong = [
        f"{path.name} imports {name}"
        for path in (ROOT / "migrations" / "versions").glob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in PACKAGES
    ]
    assert wrong == []


def test_the_wall_clock_is_read_only_by_the_clock() -> None:
    """No date.today()/datetime.now() outside ledger/clock.py: tests and demos fix "today"."""
    pattern = re.compile(r"\b(date\.today\(|datetime\.now\(|datetime\.utcnow\(|time\.time\()")
    wrong = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if path != ROOT / "ledger" / "clock.py"
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert wrong == []


def test_the_environment_is_read_only_by_the_settings() -> None:
    pattern = re.compile(r"\bos\.(environ|getenv)\b")
    wrong = [
        str(path.relative_to(ROOT))
        for package in (*PACKAGES, "migrations")
        for path in (ROOT / package).rglob("*.py")
        if pattern.search(path.read_text())
    ]
    assert wrong == []


def test_every_command_has_exactly_one_handler() -> None:
    """The command table (ledger/application/handlers/__init__.py) names a handler for every
    command class, and nothing registers itself as a side effect of an import."""
    from ledger.application import commands as c
    from ledger.application.handlers import HANDLERS

    commands = {cls for cls in vars(c).values() if isinstance(cls, type) and issubclass(cls, c.Command) and cls is not c.Command}
    assert set(HANDLERS) == commands
    assert all(callable(handler) for handler in HANDLERS.values())
