"""Registries are filled once, when the application object is made, and refuse a name twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.directory.values import DirectorySource
from kdc_core.enquiries.backends import BackendType
from kdc_core.errors import PluginError
from kdc_core.interchange import Exporter, Importer
from kdc_core.mail.delivery import Mailer
from kdc_core.newsletter.values import Section
from kdc_core.plugins import make_plugin_manager
from kdc_core.protocol.rules import Rule, Severity
from kdc_core.registry import Registry


def settings(tmp_path: Path) -> Settings:
    return Settings(database_url="sqlite://", instance_path=tmp_path, environ={})


def app(tmp_path: Path, *extra: tuple[str, Any]) -> Kdc:
    s = settings(tmp_path)
    return Kdc(s, make_plugin_manager(s, extra, load_entry_points=False))


# One value per registry, each named "twin".
TWINS: dict[str, Any] = {
    "kdc_register_protocol_rules": Rule(
        "twin", "7.4", Severity.INFO, "event", "T", lambda u, t: ()
    ),
    "kdc_register_newsletter_sections": Section(
        name="twin", title="Twin", topic="contacts", collect=lambda uow, wm: ()
    ),
    "kdc_register_mailers": Mailer(name="twin", help="Twin.", open=lambda settings: None),
    "kdc_register_casework_backends": BackendType("twin", lambda kdc, section: None),
    "kdc_register_directory_sources": DirectorySource(
        name="twin", help="Twin.", read=lambda args, settings: ()
    ),
    "kdc_register_importers": Importer(
        name="twin", help="Twin.", load=lambda source, settings: (), apply=lambda uow, r: None
    ),
    "kdc_register_exporters": Exporter(name="twin", help="Twin.", export=lambda uow: ""),
}


def plugin_registering(hook: str, value: Any) -> object:
    """A plugin object implementing ``hook`` by registering ``value``."""

    def impl(register: Callable[[Any], None]) -> None:
        register(value)

    impl.__name__ = hook
    return type("Twin", (), {hook: staticmethod(hookimpl(impl))})()


@pytest.mark.parametrize(
    ("hook", "kind"),
    [
        ("kdc_register_protocol_rules", "protocol rule"),
        ("kdc_register_newsletter_sections", "newsletter section"),
        ("kdc_register_mailers", "mailer"),
        ("kdc_register_casework_backends", "casework backend"),
        ("kdc_register_directory_sources", "directory source"),
        ("kdc_register_importers", "importer"),
        ("kdc_register_exporters", "exporter"),
    ],
)
def test_two_plugins_claiming_one_name_stop_startup_naming_both(tmp_path, hook, kind):
    first = plugin_registering(hook, TWINS[hook])
    second = plugin_registering(hook, TWINS[hook])
    with pytest.raises(PluginError) as caught:
        app(tmp_path, ("first-plugin", first), ("second-plugin", second))
    message = str(caught.value)
    assert f"two plugins register the {kind} 'twin'" in message
    assert "first-plugin" in message and "second-plugin" in message


def test_a_plugin_claiming_a_built_in_name_is_refused_naming_the_core_module(tmp_path):
    clash = plugin_registering("kdc_register_casework_backends", BackendType("sql", print))
    with pytest.raises(PluginError, match=r"'sql': clash and kdc_core\.enquiries\.plugin"):
        app(tmp_path, ("clash", clash))


def test_registries_are_built_once_with_the_core_s_own_entries(tmp_path):
    kdc = app(tmp_path)
    assert "sql" in kdc.casework_backends and "rest" in kdc.casework_backends
    assert kdc.casework_backends.owner("sql") == "kdc_core.enquiries.plugin"
    assert {"8.1", "9.1"} <= {r.clause for r in kdc.rules}, "briefing rules are collected too"
    assert kdc.sections.names(), "the built-in newsletter sections"
    assert kdc.rules is kdc.rules and kdc.sections is kdc.sections


def test_a_register_hook_may_leave_out_the_register_argument(tmp_path):
    class Quiet:
        @hookimpl
        def kdc_register_mailers(self) -> None:
            pass

    assert len(app(tmp_path, ("quiet", Quiet())).mailers) == 0


def test_a_registry_keeps_registration_order_and_lists_names_sorted():
    registry: Registry[Exporter] = Registry("exporter")
    for name in ("b", "a"):
        registry.register(Exporter(name=name, help="", export=lambda uow: ""))
    assert [e.name for e in registry] == ["b", "a"]
    assert registry.names() == ["a", "b"] and [e.name for e in registry.values()] == ["a", "b"]
    with pytest.raises(PluginError, match="two plugins register the exporter 'a'"):
        registry.register(Exporter(name="a", help="", export=lambda uow: ""))
