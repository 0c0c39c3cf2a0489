"""The shape of the source tree: kdc_core has no import cycles and never imports the admin."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
CORE = SRC / "kdc_core"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES: dict[str, Path] = {
    _module_name(p): p for p in sorted(CORE.rglob("*.py")) if "migrations" not in p.parts
}


def _package(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _top_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: not in functions or classes, and not
    under ``if TYPE_CHECKING:``."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                yield from _top_level_imports(node.body)
            yield from _top_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _top_level_imports(block)
            for handler in node.handlers:
                yield from _top_level_imports(handler.body)
        elif isinstance(node, ast.With):
            yield from _top_level_imports(node.body)


def _every_import(tree: ast.Module) -> Iterator[str]:
    """Every module named by any import anywhere in the file."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module


def _edges(name: str, path: Path) -> set[str]:
    """The kdc_core modules ``name`` imports at import time.

    ``from pkg import x`` points at ``pkg.x`` when that is a module, else at ``pkg``. An edge
    to one of the module's own enclosing packages is left out: Python has started importing
    those before the module itself, so they cannot close a cycle the module could break.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = _package(name, path)
    found: set[str] = set()
    for node in _top_level_imports(tree.body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = _absolute(node, package)
        for alias in node.names:
            found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return {m for m in found if m in MODULES and m != name and m not in ancestors}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle in ``graph`` as a list of nodes (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for start in sorted(graph):
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    return None


def test_find_cycle_names_the_modules_in_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _find_cycle(graph) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_kdc_core_has_no_import_cycle() -> None:
    graph = {name: _edges(name, path) for name, path in MODULES.items()}
    cycle = _find_cycle(graph)
    assert cycle is None, "import cycle in kdc_core: " + " -> ".join(cycle or ())


@pytest.mark.parametrize("name", sorted(MODULES))
def test_kdc_core_never_imports_the_admin(name: str) -> None:
    """Not even inside a function: the admin depends on the core, never the other way.
    (A hook spec may name Flask-Admin's view type for the type checker, nothing more.)"""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    typing_only = {
        m
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for m in _every_import(ast.Module(body=node.body, type_ignores=[]))
    }
    wrong = sorted(
        m
        for m in _every_import(tree)
        if m.split(".")[0] == "kdc_admin"
        or (m.split(".")[0] == "flask_admin" and m not in typing_only)
    )
    assert not wrong, f"{name} imports {', '.join(wrong)}"


def test_no_commands_module_is_left() -> None:
    """Features split their click commands (cli.py) from their hook implementations."""
    assert not sorted(p.relative_to(SRC) for p in CORE.rglob("commands.py"))


def test_every_feature_with_hookimpls_has_a_plugin_module() -> None:
    """Hook implementations live in the feature's plugin.py, nowhere else."""
    misplaced = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            is_hookimpl = isinstance(node, ast.FunctionDef) and any(
                ast.unparse(d).endswith("hookimpl") for d in node.decorator_list
            )
            if is_hookimpl and path.name != "plugin.py":
                misplaced.append(f"{name}.{node.name}")
    assert not misplaced, "hookimpls outside a plugin.py: " + ", ".join(misplaced)
