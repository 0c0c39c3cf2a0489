"""The plugin manager and ``kdc plugins``: entry points, disabling, misspellings, config checks.

Most tests run the real ``kdc`` entry point function (``kdc_core.cli.main``) with a kdc.toml in
a temporary folder, so they see exactly what a user would: the installed plugins, the exit
code and the message.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from kdc_core import __version__, hookimpl
from kdc_core.app import Kdc
from kdc_core.changes import ChangeSet
from kdc_core.cli import build_cli, main
from kdc_core.config import Settings, load_settings
from kdc_core.errors import ConfigError, PluginError
from kdc_core.interchange import Exporter, Importer
from kdc_core.plugins import make_plugin_manager

Run = Callable[..., tuple[int, str, str]]
SETTINGS_VARIABLES = (
    "KDC_CONFIG",
    "KDC_DATABASE_URL",
    "KDC_INSTANCE_PATH",
    "KDC_TIMEZONE",
    "KDC_BASE_URL",
    "KDC_DISABLED_PLUGINS",
)


@pytest.fixture(autouse=True)
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No kdc settings from the outside: an empty folder and no KDC_* setting variables."""
    monkeypatch.chdir(tmp_path)
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def kdc(capsys: pytest.CaptureFixture[str]) -> Run:
    """``kdc("plugins", "--json")`` → (exit code, stdout, stderr), through ``cli.main``."""

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        out, err = capsys.readouterr()
        code = exit_info.value.code
        return (code if isinstance(code, int) else (0 if code is None else 1)), out, err

    return run


def toml(tmp_path: Path, text: str = "") -> str:
    path = tmp_path / "kdc.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def settings(tmp_path: Path, **kw: Any) -> Settings:
    return Settings(
        database_url="sqlite://", instance_path=tmp_path, source="kdc.toml", environ={}, **kw
    )


def listed(out: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in json.loads(out)}


# -- kdc plugins ----------------------------------------------------------------------------------


def test_kdc_plugins_json_lists_the_builtin_plugins_enabled_with_their_hooks(kdc, tmp_path):
    code, out, err = kdc("--config", toml(tmp_path), "plugins", "--json")
    assert (code, err) == (0, "")
    plugins = listed(out)
    moderngov, popolo = plugins["moderngov"], plugins["popolo"]
    assert moderngov["enabled"] and popolo["enabled"]
    assert (moderngov["module"], popolo["module"]) == ("kdc_moderngov", "kdc_popolo")
    assert moderngov["version"] == popolo["version"] == __version__, "shipped with kdc-core"
    assert {"kdc_check_config", "kdc_register_importers"} <= set(moderngov["hooks"])
    assert popolo["hooks"] == ["kdc_register_exporters"]
    core = plugins["kdc_core.people.plugin"]
    assert (core["builtin"], core["enabled"], core["version"]) == (True, True, None)


def test_kdc_plugins_text_shows_state_and_hooks(kdc, tmp_path):
    code, out, _ = kdc("--config", toml(tmp_path, '[plugins]\ndisabled = ["popolo"]\n'), "plugins")
    assert code == 0
    lines = out.splitlines()
    assert f"popolo {__version__} [disabled]" in lines
    at = lines.index(f"moderngov {__version__} [enabled]")
    assert "    kdc_register_importers" in lines[at + 1 : at + 4]


# -- disabling ------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["kdc.toml", "KDC_DISABLED_PLUGINS"])
def test_a_disabled_plugin_is_listed_disabled_and_its_commands_are_gone(
    kdc, tmp_path, monkeypatch, how
):
    source = tmp_path / "councillors.xml"
    source.write_text("<councillors/>")
    enabled = toml(tmp_path)
    code, out, _ = kdc("--config", enabled, "import", "--help")
    assert code == 0 and "moderngov-councillors" in out
    assert kdc("--config", enabled, "import", "moderngov-councillors", "--help")[0] == 0

    if how == "kdc.toml":
        config = toml(tmp_path, '[plugins]\ndisabled = ["moderngov"]\n')
    else:
        config = toml(tmp_path)
        monkeypatch.setenv("KDC_DISABLED_PLUGINS", "moderngov")
    code, out, _ = kdc("--config", config, "plugins", "--json")
    assert code == 0
    moderngov = listed(out)["moderngov"]
    assert (moderngov["enabled"], moderngov["hooks"]) == (False, [])
    assert listed(out)["popolo"]["enabled"] is True

    code, out, err = kdc("--config", config, "import", "moderngov-councillors", str(source))
    assert code == 2
    assert "No such command 'moderngov-councillors'" in err
    assert "moderngov-councillors" not in kdc("--config", config, "import", "--help")[1]


def test_disabling_popolo_removes_kdc_export_popolo(kdc, tmp_path):
    config = toml(tmp_path, '[plugins]\ndisabled = ["popolo"]\n')
    code, _, err = kdc("--config", config, "export", "popolo")
    assert code == 2
    assert "No such command 'popolo'" in err


def test_a_disabled_plugin_does_not_check_its_config(kdc, tmp_path):
    """Disabling a plugin is the way out of its bad config, so its check must not run."""
    config = toml(
        tmp_path, '[plugins]\ndisabled = ["moderngov"]\n[plugins.moderngov]\ntimeout = "soon"\n'
    )
    assert kdc("--config", config, "plugins", "--json")[0] == 0


def test_disabling_an_unknown_plugin_is_an_error_naming_it(kdc, tmp_path):
    config = toml(tmp_path, '[plugins]\ndisabled = ["modern-gov"]\n')
    code, out, err = kdc("--config", config, "plugins")
    assert (code, out) == (2, "")
    assert f"Error: {config}: plugins.disabled names 'modern-gov', which is not installed" in err
    assert "moderngov" in err, "the message lists what is installed"
    with pytest.raises(ConfigError) as caught:
        make_plugin_manager(load_settings(config, environ={}))
    assert caught.value.key == "plugins.disabled"


# -- misspelt and malformed hook implementations -------------------------------------------------


class MisspeltHook:
    @hookimpl
    def kdc_register_comands(self, cli: click.Group) -> None:
        raise AssertionError("never called")


def test_a_misspelt_hookimpl_names_the_plugin_and_the_hook(tmp_path):
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(settings(tmp_path), [("typo", MisspeltHook())])
    message = str(caught.value)
    assert message.startswith("plugin typo implements unknown hook 'kdc_register_comands'")
    assert "kdc_register_commands" in message, "the message lists the real hooks"


def test_a_misspelt_hookimpl_in_an_installed_plugin_stops_the_cli(kdc, tmp_path, monkeypatch):
    """A real distribution on sys.path with a ``kdc`` entry point, as pip would install it."""
    site = tmp_path / "site"
    (site / "typo_plugin-0.1.dist-info").mkdir(parents=True)
    (site / "typo_plugin-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: typo-plugin\nVersion: 0.1\n"
    )
    (site / "typo_plugin-0.1.dist-info" / "entry_points.txt").write_text(
        "[kdc]\ntypo = typo_plugin\n"
    )
    (site / "typo_plugin.py").write_text(
        "from kdc_core import hookimpl\n\n\n@hookimpl\ndef kdc_register_comands(cli):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "typo_plugin", raising=False)

    code, out, err = kdc("--config", toml(tmp_path), "plugins")
    assert (code, out) == (2, "")
    assert err.startswith("Error: plugin typo implements unknown hook 'kdc_register_comands'")

    # Disabling it is the way out, and then it shows as disabled.
    code, out, _ = kdc("--config", toml(tmp_path, '[plugins]\ndisabled = ["typo"]\n'), "plugins")
    assert code == 0 and "typo 0.1 [disabled]" in out.splitlines()


class WrongArgument:
    @hookimpl
    def kdc_register_commands(self, group: click.Group) -> None:
        raise AssertionError("never called")


def test_a_hookimpl_with_an_argument_not_in_the_spec_names_the_plugin(tmp_path):
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(settings(tmp_path), [("mine", WrongArgument())])
    assert str(caught.value).startswith("plugin 'mine':")
    assert "kdc_register_commands" in str(caught.value) and "'group'" in str(caught.value)


def test_two_plugins_under_one_name_are_refused(tmp_path):
    with pytest.raises(PluginError, match="two plugins are registered under the name 'popolo'"):
        make_plugin_manager(settings(tmp_path), [("popolo", object())])


# -- config checks at startup ----------------------------------------------------------------------


def test_a_bad_moderngov_section_stops_the_cli_naming_the_key(kdc, tmp_path):
    config = toml(tmp_path, '[plugins.moderngov]\ntimeout = "soon"\n')
    code, out, err = kdc("--config", config, "plugins")
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: {config}: plugins.moderngov.timeout: ")
    assert "'soon'" in err


class StrictPlugin:
    """Checks ``[plugins.strict] colour`` and remembers the settings it was given."""

    def __init__(self) -> None:
        self.checked: list[Settings] = []

    @hookimpl
    def kdc_check_config(self, settings: Settings) -> None:
        self.checked.append(settings)
        colour = settings.plugin_config("strict").get("colour", "red")
        if colour not in ("red", "green"):
            raise ConfigError(
                f"{settings.source}: plugins.strict.colour must be red or green, not {colour!r}",
                key="plugins.strict.colour",
            )


def test_hook_kdc_check_config_gets_the_settings_and_can_stop_startup(tmp_path):
    strict = StrictPlugin()
    good = settings(tmp_path, plugin_sections={"strict": {"colour": "green"}})
    make_plugin_manager(good, [("strict", strict)])
    assert strict.checked == [good]

    bad = settings(tmp_path, plugin_sections={"strict": {"colour": "mauve"}})
    with pytest.raises(ConfigError) as caught:
        make_plugin_manager(bad, [("strict", StrictPlugin())])
    assert caught.value.key == "plugins.strict.colour"
    assert str(caught.value) == "kdc.toml: plugins.strict.colour must be red or green, not 'mauve'"


# -- the other startup and registration hooks ----------------------------------------------------


class StartupRecorder:
    def __init__(self) -> None:
        self.started: list[Kdc] = []

    @hookimpl
    def kdc_startup(self, kdc: Kdc) -> None:
        self.started.append(kdc)


def test_hook_kdc_startup_is_called_once_with_the_app_after_registration(tmp_path):
    recorder = StartupRecorder()
    s = settings(tmp_path)
    app = Kdc(s, make_plugin_manager(s, [("recorder", recorder)]))
    assert recorder.started == [app]
    assert "popolo" in app.exporters, "registries are filled before startup runs"


class HelloCommand:
    @hookimpl
    def kdc_register_commands(self, cli: click.Group) -> None:
        @cli.command("hello")
        @click.argument("name")
        def hello(name: str) -> None:
            """Say hello."""
            click.echo(f"Hello, {name}")


def test_hook_kdc_register_commands_adds_a_working_command(tmp_path):
    s = settings(tmp_path)
    app = Kdc(s, make_plugin_manager(s, [("hello", HelloCommand())]))
    result = CliRunner().invoke(build_cli(app), ["hello", "Kirklees"], obj=app)
    assert (result.exit_code, result.output) == (0, "Hello, Kirklees\n")
    plain = Kdc(s, make_plugin_manager(s))
    assert "hello" not in build_cli(plain).commands


def _load(source: str, settings: Settings) -> list[str]:
    return [source]


def _apply(uow: Any, records: Any) -> ChangeSet:
    return ChangeSet()


WARDS_CSV = Importer(name="wards-csv", help="Wards from a CSV file.", load=_load, apply=_apply)
WARDS_TXT = Exporter(name="wards-txt", help="Ward names, one a line.", export=lambda uow: "")


class Interchange:
    def __init__(self, importer: Importer, exporter: Exporter) -> None:
        self.importer, self.exporter = importer, exporter

    @hookimpl
    def kdc_register_importers(self, register: Callable[[Importer], None]) -> None:
        register(self.importer)

    @hookimpl
    def kdc_register_exporters(self, register: Callable[[Exporter], None]) -> None:
        register(self.exporter)


def test_hook_kdc_register_importers_makes_a_kdc_import_command(tmp_path):
    s = settings(tmp_path)
    app = Kdc(s, make_plugin_manager(s, [("mine", Interchange(WARDS_CSV, WARDS_TXT))]))
    assert app.importers["wards-csv"] is WARDS_CSV
    result = CliRunner().invoke(build_cli(app), ["import", "wards-csv", "--help"], obj=app)
    assert result.exit_code == 0
    assert "Wards from a CSV file." in result.output and "--dry-run" in result.output


def test_hook_kdc_register_exporters_makes_a_kdc_export_command(tmp_path):
    s = settings(tmp_path)
    app = Kdc(s, make_plugin_manager(s, [("mine", Interchange(WARDS_CSV, WARDS_TXT))]))
    assert {"popolo", "wards-txt"} <= set(app.exporters.names())
    assert app.exporters["wards-txt"] is WARDS_TXT
    result = CliRunner().invoke(build_cli(app), ["export", "--help"], obj=app)
    assert result.exit_code == 0
    assert "popolo" in result.output and "wards-txt" in result.output


def test_a_second_exporter_with_a_taken_name_is_refused(tmp_path):
    s = settings(tmp_path)
    clash = Exporter(name="popolo", help="Another Popolo.", export=lambda uow: "")
    pm = make_plugin_manager(s, [("mine", Interchange(WARDS_CSV, clash))])
    with pytest.raises(
        PluginError, match="two plugins register the exporter 'popolo': mine and popolo"
    ):
        Kdc(s, pm)


def test_disabling_a_core_module_is_refused_naming_it(kdc, tmp_path):
    """The core's own hook modules are not plugins one can turn off: refuse, don't ignore."""
    config = toml(tmp_path, '[plugins]\ndisabled = ["kdc_core.people.plugin"]\n')
    code, out, err = kdc("--config", config, "plugins")
    assert (code, out) == (2, "")
    assert "kdc_core.people.plugin is part of the core and cannot be disabled" in err
    with pytest.raises(ConfigError) as caught:
        make_plugin_manager(load_settings(config, environ={}))
    assert caught.value.key == "plugins.disabled"


def test_a_misspelt_plugin_section_is_an_error_naming_the_known_plugins(kdc, tmp_path):
    config = toml(tmp_path, "[plugins.modrngov]\ntimeout = 5\n")
    code, out, err = kdc("--config", config, "plugins")
    assert (code, out) == (2, "")
    assert "[plugins.modrngov]: no plugin is called 'modrngov'" in err
    assert "moderngov" in err and "enquiries" in err, "lists plugins and the core's sections"
    with pytest.raises(ConfigError) as caught:
        make_plugin_manager(load_settings(config, environ={}))
    assert caught.value.key == "plugins.modrngov"


def test_a_section_for_a_disabled_plugin_is_not_a_misspelling(kdc, tmp_path):
    config = toml(tmp_path, '[plugins]\ndisabled = ["smtp"]\n[plugins.smtp]\nport = 25\n')
    assert kdc("--config", config, "plugins")[0] == 0
