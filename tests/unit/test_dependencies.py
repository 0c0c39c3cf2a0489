"""Everything the installed code imports is installed by ``pip install kdc-core``.

The test tools bring many packages into the development environment; code that imports one of
them without declaring it works in the tests and fails on a council's server. This parses every
module that ships (the test helpers in ``kdc_core.testing`` excepted) and checks each imported
top-level name against the standard library, kdc-core's own packages, and the packages its
dependencies (and optional extras) install, with their own dependencies in turn.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [ROOT / "src", ROOT / "admin", ROOT / "site", ROOT / "plugins"]


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match, requirement
    return match.group(0).lower().replace("_", "-")


def _installed_by(requirements: list[str]) -> set[str]:
    """Top-level module names the distributions (and what they require) provide."""
    providers = metadata.packages_distributions()
    by_dist: dict[str, set[str]] = {}
    for module, dists in providers.items():
        for dist in dists:
            by_dist.setdefault(dist.lower().replace("_", "-"), set()).add(module)
    seen: set[str] = set()
    todo = [_name(r) for r in requirements]
    while todo:
        dist = todo.pop()
        if dist in seen:
            continue
        seen.add(dist)
        try:
            needs = metadata.requires(dist) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_name(r) for r in needs if "extra ==" not in r]
    return {module for dist in seen for module in by_dist.get(dist, ())}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_shipped_code_imports_only_what_installing_kdc_core_installs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    declared = project["dependencies"] + [
        r for name, reqs in extras.items() if name != "dev" for r in reqs
    ]
    allowed = _installed_by(declared) | set(sys.stdlib_module_names) | {"__future__"}
    own = {p.name for folder in SHIPPED for p in folder.iterdir() if p.name.startswith("kdc_")}
    missing: dict[str, list[str]] = {}
    testing = ROOT / "src" / "kdc_core" / "testing"
    for folder in SHIPPED:
        for path in folder.rglob("*.py"):
            if testing in path.parents:
                continue
            for name in _imports(path) - allowed - own:
                missing.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert not missing, f"imported but not installed by kdc-core's dependencies: {missing}"
