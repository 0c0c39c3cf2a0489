"""``kdc --help`` lists the commands without loading them, and lists exactly those that load.

The table in :mod:`kdc_core.cli_listing` is written by hand; these tests compare it with
the commands the plugins really register, so a command added, renamed or re-worded without
updating the table fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fresh_python import run_python
from kdc_core.app import Kdc
from kdc_core.cli import LazyCli, LazyCommand, build_cli
from kdc_core.cli_listing import COMMANDS, listing
from kdc_core.config import load_settings
from kdc_core.plugins import DEFAULT_PLUGINS, make_plugin_manager

#: Modules ``kdc --version`` and ``kdc --help`` must not import: each costs a good part of
#: the start-up budget, and no command has run yet.
HEAVY = ("sqlalchemy", "alembic", "flask", "flask_admin", "icalendar", "vobject", "ldap3")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KDC_CONFIG", raising=False)
    monkeypatch.delenv("KDC_DISABLED_PLUGINS", raising=False)
    path = tmp_path / "kdc.toml"
    path.write_text(f'database_url = "sqlite:///{tmp_path / "kdc.sqlite3"}"\n')
    return path


def loaded_group(config: Path) -> click.Group:
    settings = load_settings(config)
    return build_cli(Kdc(settings, make_plugin_manager(settings)))


def loaded_commands(config: Path) -> dict[str, click.Command]:
    """Every top-level command, imported (a lazily registered one is loaded)."""
    group = loaded_group(config)
    ctx = click.Context(group)
    commands = {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}
    assert not any(isinstance(c, LazyCommand) for c in commands.values())
    return {name: c for name, c in commands.items() if c is not None}


def short_helps(commands: dict[str, click.Command]) -> dict[str, str]:
    return {name: cmd.get_short_help_str(limit=1_000) for name, cmd in commands.items()}


def test_the_listing_names_every_loaded_command_with_its_short_help(config: Path):
    assert short_helps(listing(str(config))) == short_helps(loaded_commands(config))


def test_running_one_command_imports_no_other_core_commands_module(config: Path):
    script = (
        "import sys\n"
        "from kdc_core.cli import main\n"
        "try:\n"
        "    main(['outbox', '--help'])\n"
        "finally:\n"
        "    print(sorted(m for m in sys.modules if m.endswith('.cli') and m != 'kdc_core.cli'))\n"
    )
    done = run_python(script, cwd=config.parent, env={"KDC_CONFIG": str(config)})
    assert done.returncode == 0, done.stderr
    imported = done.stdout.strip().splitlines()[-1]
    assert "kdc_core.mail.cli" in imported
    for other in ("kdc_core.people.cli", "kdc_core.calendar.rota.cli", "kdc_admin.cli"):
        assert other not in imported


def test_a_command_imports_no_importer_and_no_calendar_command_it_does_not_run(config: Path):
    """Every command registers the importers and the calendar's subcommands; their parsers,
    icalendar and the calendar's services are imported only when one of them runs."""
    script = (
        "import sys\n"
        "from kdc_core.cli import main\n"
        "try:\n"
        "    main(['outbox', '--help'])\n"
        "finally:\n"
        "    print(sorted(sys.modules))\n"
    )
    done = run_python(script, cwd=config.parent, env={"KDC_CONFIG": str(config)})
    assert done.returncode == 0, done.stderr
    imported = set(json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"')))
    assert "kdc_moderngov.hooks" in imported and "kdc_ical.hooks" in imported
    for heavy in (
        "kdc_moderngov.plugin",
        "kdc_moderngov.meetings",
        "kdc_moderngov.committees",
        "kdc_ical.importer",
        "icalendar",
        "kdc_core.calendar.cli",
        "kdc_core.calendar.events",
        "kdc_caldav.commands",
    ):
        assert heavy not in imported


def test_the_calendar_subcommands_are_listed_with_their_own_short_help(config: Path):
    group = loaded_group(config).commands["calendar"]
    assert isinstance(group, click.Group)
    ctx = click.Context(group)
    for name in ("clashes", "open-day", "push"):
        stand_in = group.commands[name]
        assert isinstance(stand_in, LazyCommand)
        loaded = group.get_command(ctx, name)
        assert loaded is not None and not isinstance(loaded, LazyCommand)
        assert stand_in.get_short_help_str(1_000) == loaded.get_short_help_str(1_000)


def test_help_reads_the_same_lazily_as_with_every_command_loaded(config: Path):
    lazy = CliRunner().invoke(LazyCli(str(config)), ["--help"], prog_name="kdc", terminal_width=80)
    full = CliRunner().invoke(loaded_group(config), ["--help"], prog_name="kdc", terminal_width=80)
    assert lazy.exit_code == full.exit_code == 0
    assert "ward-emails" in lazy.output and "newsletter" in lazy.output
    assert lazy.output == full.output


def test_a_disabled_plugins_commands_are_not_listed(config: Path):
    config.write_text(config.read_text() + '[plugins]\ndisabled = ["ical", "example"]\n')
    listed = listing(str(config))
    assert "feeds" not in listed and "ward-emails" not in listed
    assert short_helps(listed) == short_helps(loaded_commands(config))


def test_every_plugin_in_the_table_is_one_kdc_core_has():
    from importlib.metadata import entry_points

    ours = {ep.name for ep in entry_points(group="kdc") if ep.dist and ep.dist.name == "kdc-core"}
    assert set(COMMANDS) <= set(DEFAULT_PLUGINS) | ours


def test_a_command_still_runs_through_the_lazy_group(config: Path):
    result = CliRunner().invoke(LazyCli(str(config)), ["plugins", "--json"], prog_name="kdc")
    assert result.exit_code == 0, result.output
    names = {p["name"] for p in json.loads(result.output)}
    assert {"ical", "kdc_core.newsletter.plugin"} <= names


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_import_no_database_web_or_calendar_library(config: Path, option: str):
    script = (
        "import atexit, json, sys\n"
        f"atexit.register(lambda: print(json.dumps(sorted(m for m in sys.modules "
        f"if m.split('.')[0] in {HEAVY!r}))))\n"
        "from kdc_core.cli import main\n"
        f"main([{option!r}])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    *shown, imported = done.stdout.strip().splitlines()
    assert shown, "nothing was printed before the module list"
    assert json.loads(imported) == []
