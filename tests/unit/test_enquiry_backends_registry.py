"""Casework backends are registered by name through a hook and chosen in kdc.toml."""

from __future__ import annotations

import pytest

from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.enquiries.backends import BackendType, SqlBackend, backend_for
from kdc_core.enquiries.rest import RestBackend
from kdc_core.errors import ConfigError, PluginError
from kdc_core.plugins import make_plugin_manager


class Dummy:
    """A backend type a third party might add."""

    @hookimpl
    def kdc_register_casework_backends(self, register):
        register(BackendType("dummy", lambda kdc, section: ("dummy", dict(section))))


def app(tmp_path, sections=None, extra=()) -> Kdc:
    settings = Settings(
        database_url="sqlite://",
        instance_path=tmp_path,
        environ={},
        plugin_sections=sections or {},
    )
    return Kdc(settings, make_plugin_manager(settings, extra))


def test_hook_kdc_register_casework_backends_collects_core_and_plugin_backends(tmp_path):
    kdc = app(tmp_path, extra=[("dummy", Dummy())])
    seen: list[str] = []
    kdc.pm.hook.kdc_register_casework_backends(register=lambda b: seen.append(b.name))
    assert sorted(seen) == ["dummy", "rest", "sql"]
    assert kdc.casework_backends.names() == ["dummy", "rest", "sql"]


def test_a_second_backend_with_a_taken_name_is_refused(tmp_path):
    class Clash:
        @hookimpl
        def kdc_register_casework_backends(self, register):
            register(BackendType("sql", lambda kdc, section: None))

    with pytest.raises(PluginError, match=r"'sql': clash and kdc_core\.enquiries\.plugin"):
        app(tmp_path, extra=[("clash", Clash())])


def test_the_sql_backend_is_the_default_and_kdc_toml_picks_another(tmp_path):
    assert isinstance(backend_for(app(tmp_path)), SqlBackend)
    rest = backend_for(
        app(tmp_path, {"enquiries": {"backend": "rest", "url": "http://127.0.0.1:9/api/"}})
    )
    assert isinstance(rest, RestBackend) and rest.url == "http://127.0.0.1:9/api/"
    dummy = app(tmp_path, {"enquiries": {"backend": "dummy"}}, extra=[("dummy", Dummy())])
    assert backend_for(dummy) == ("dummy", {"backend": "dummy"})


def test_an_unknown_backend_name_fails_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"plugins\.enquiries\.backend is 'crm'.*rest, sql"):
        backend_for(app(tmp_path, {"enquiries": {"backend": "crm"}}))


def test_the_rest_backend_needs_a_url_and_unknown_keys_are_named(tmp_path):
    with pytest.raises(ConfigError, match=r"plugins\.enquiries\.url"):
        app(tmp_path, {"enquiries": {"backend": "rest"}})
    with pytest.raises(ConfigError, match=r"plugins\.enquiries\.colour"):
        app(tmp_path, {"enquiries": {"colour": "red"}})
