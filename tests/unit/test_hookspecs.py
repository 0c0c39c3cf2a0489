"""Every hook spec is documented in its docstring and in docs/hooks.md, and has a test.

The test rule (checked by reading the test sources, so a new hook without a test fails here
whichever tests ran): a hook ``kdc_x`` is tested when some test module under ``tests/`` has a
test function named ``test_hook_kdc_x`` (or ``test_hook_kdc_x_<what it proves>``) and that
module exercises the hook, either by calling it (``….hook.kdc_x(``) or by implementing it
with ``@hookimpl`` (a test plugin whose calls the test then checks).
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from kdc_core import hook_relay, hookimpl, hookspecs
from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.plugins import PluginManager, check_pending

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
HOOKS_DOC = ROOT / "docs" / "hooks.md"

HOOKS = sorted(
    name
    for name, value in vars(hookspecs).items()
    if name.startswith("kdc_") and inspect.isfunction(value)
)


def test_every_kdc_function_in_hookspecs_is_a_hook_spec():
    assert len(HOOKS) >= 8
    for name in HOOKS:
        assert hasattr(getattr(hookspecs, name), "kdc_spec"), f"{name} lacks @hookspec"


# -- docstrings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HOOKS)
def test_hook_spec_docstring_has_a_summary_and_documents_every_parameter(name):
    spec = getattr(hookspecs, name)
    doc = inspect.getdoc(spec)
    assert doc, f"{name} has no docstring"
    summary = doc.splitlines()[0]
    assert summary.strip() and summary.rstrip().endswith("."), f"{name}: no one-line summary"
    signature = inspect.signature(spec)
    for param in signature.parameters:
        assert re.search(rf"^:param {param}:", doc, re.M), f"{name}: :param {param}: missing"
    if signature.return_annotation not in ("None", None, inspect.Signature.empty):
        assert ":returns:" in doc, f"{name} returns something but has no :returns:"
    if spec.kdc_spec.get("firstresult"):
        assert "Stops at first non-None result" in doc, f"{name}: say it is firstresult"


# -- docs/hooks.md --------------------------------------------------------------------------------


def documented_hooks(markdown: str) -> set[str]:
    """Hook names that are headings (``## `kdc_x` `` or ``## kdc_x``) in the markdown."""
    return set(re.findall(r"^#{2,3} `?(kdc_\w+)`?\s*$", markdown, re.M))


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_heading_in_docs_hooks_md(name):
    assert name in documented_hooks(HOOKS_DOC.read_text(encoding="utf-8"))


def test_docs_hooks_md_documents_no_hook_that_does_not_exist():
    stale = documented_hooks(HOOKS_DOC.read_text(encoding="utf-8")) - set(HOOKS)
    assert stale == set()


# -- every hook has a test ------------------------------------------------------------------------


def hooks_tested_in(source: str, hooks: Iterable[str]) -> set[str]:
    """The hooks that this test module has a ``test_hook_<hook>…`` test for and exercises."""
    tree = ast.parse(source)
    tests = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_hook_")
    }
    called = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "hook"
    }
    implemented = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(_is_hookimpl(d) for d in node.decorator_list)
    }
    return {
        hook
        for hook in hooks
        if any(t == f"test_hook_{hook}" or t.startswith(f"test_hook_{hook}_") for t in tests)
        and (hook in called or hook in implemented)
    }


def _is_hookimpl(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Name) and target.id == "hookimpl") or (
        isinstance(target, ast.Attribute) and target.attr == "hookimpl"
    )


def test_every_hook_spec_is_called_by_a_test():
    tested: set[str] = set()
    for path in sorted(TESTS.rglob("*.py")):
        tested |= hooks_tested_in(path.read_text(encoding="utf-8"), HOOKS)
    untested = sorted(set(HOOKS) - tested)
    assert untested == [], (
        f"no test_hook_<name> test calls or implements {', '.join(untested)}; "
        "see this module's docstring for the rule"
    )


def test_the_coverage_rule_needs_both_a_named_test_and_the_hook_in_use():
    named_only = "def test_hook_kdc_startup_runs():\n    assert 1 + 1 == 2\n"
    used_only = "@hookimpl\ndef kdc_startup(kdc):\n    pass\n\ndef test_startup():\n    pass\n"
    implemented = (
        "class P:\n    @kdc_core.hookimpl\n    def kdc_startup(self, kdc):\n        pass\n"
        "def test_hook_kdc_startup_runs():\n    pass\n"
    )
    called = "def test_hook_kdc_blueprints_collects(pm):\n    pm.hook.kdc_blueprints(kdc=1)\n"
    prefix_only = "def test_hook_kdc_startups():\n    pm.hook.kdc_startup(kdc=1)\n"
    assert hooks_tested_in(named_only, HOOKS) == set()
    assert hooks_tested_in(used_only, HOOKS) == set()
    assert hooks_tested_in(implemented, HOOKS) == {"kdc_startup"}
    assert hooks_tested_in(called, HOOKS) == {"kdc_blueprints"}
    assert hooks_tested_in(prefix_only, HOOKS) == set()


# -- the web hooks' calling convention ---------------------------------------------------------


class WebPlugin:
    """Answers the web hooks with plain markers, so the test sees what was collected."""

    def __init__(self, label: str, answer: bool = True) -> None:
        self.label, self.answer = label, answer
        self.asked: list[tuple[str, Any]] = []

    @hookimpl
    def kdc_blueprints(self, kdc: Kdc) -> list[str] | None:
        self.asked.append(("kdc_blueprints", kdc))
        return [f"{self.label}-feeds", f"{self.label}-unsubscribe"] if self.answer else None

    @hookimpl
    def kdc_admin_views(self, kdc: Kdc) -> list[str] | None:
        self.asked.append(("kdc_admin_views", kdc))
        return [f"{self.label}-status"] if self.answer else None


def only(*plugins: tuple[str, Any]) -> PluginManager:
    """A plugin manager holding just these plugins: no built-ins, nothing installed."""
    pm = PluginManager()
    for name, plugin in plugins:
        pm.register(plugin, name=name)
    check_pending(pm)
    return pm


@pytest.fixture
def web_app(tmp_path: Path) -> tuple[Kdc, list[WebPlugin]]:
    """An app whose plugin manager holds only three test plugins, so the answers are theirs."""
    plugins = [WebPlugin("one"), WebPlugin("quiet", answer=False), WebPlugin("two")]
    settings = Settings(database_url="sqlite://", instance_path=tmp_path, environ={})
    return Kdc(settings, only(*((p.label, p) for p in plugins))), plugins


def test_hook_kdc_blueprints_collects_every_plugins_answer_and_skips_none(web_app):
    app, plugins = web_app
    answers = app.pm.hook.kdc_blueprints(kdc=app)
    # pluggy asks the most recently registered plugin first.
    assert answers == [["two-feeds", "two-unsubscribe"], ["one-feeds", "one-unsubscribe"]]
    assert all(p.asked == [("kdc_blueprints", app)] for p in plugins)


def test_hook_kdc_admin_views_collects_every_plugins_answer_and_skips_none(web_app):
    app, plugins = web_app
    answers = app.pm.hook.kdc_admin_views(kdc=app)
    assert answers == [["two-status"], ["one-status"]]
    assert all(p.asked == [("kdc_admin_views", app)] for p in plugins)


class SignOn:
    """Answers ``kdc_authenticate`` with a fixed email address (or None)."""

    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.asked: list[Any] = []

    @hookimpl
    def kdc_authenticate(self, request: Any, kdc: Kdc) -> str | None:
        self.asked.append(request)
        return self.answer


def test_hook_kdc_authenticate_stops_at_the_first_answer(tmp_path):
    settings = Settings(database_url="sqlite://", instance_path=tmp_path, environ={})
    oldest, middle, newest = (
        SignOn("ann@example.gov.uk"),
        SignOn("bob@example.gov.uk"),
        SignOn(None),
    )
    app = Kdc(settings, only(("oldest", oldest), ("middle", middle), ("newest", newest)))
    request = object()
    # pluggy asks the most recently registered plugin first.
    assert app.pm.hook.kdc_authenticate(request=request, kdc=app) == "bob@example.gov.uk"
    assert (newest.asked, middle.asked, oldest.asked) == ([request], [request], [])

    silent = Kdc(settings, only(("none", SignOn(None))))
    assert silent.pm.hook.kdc_authenticate(request=request, kdc=silent) is None


def test_kdc_hooks_protocol_lists_every_hook_with_the_spec_s_parameters():
    """``kdc.hook`` is typed by ``KdcHooks``; it must not drift from the specs."""
    described = {
        name: fn for name, fn in vars(hook_relay.KdcHooks).items() if name.startswith("kdc_")
    }
    assert sorted(described) == HOOKS
    for name, method in described.items():
        params = [p for p in inspect.signature(method).parameters if p != "self"]
        assert params == list(inspect.signature(getattr(hookspecs, name)).parameters), name
