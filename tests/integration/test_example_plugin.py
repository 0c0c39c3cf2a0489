"""The example third-party plugin, loaded through its installed ``kdc`` entry point."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import json
from pathlib import Path
from typing import Any

import pytest

from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.changes import ChangeSet
from kdc_core.config import Settings
from kdc_core.db.people import CouncillorRow, WardRow
from kdc_core.errors import ConfigError
from kdc_core.plugins import make_plugin_manager


def _example_entry_point() -> md.EntryPoint:
    found = [ep for ep in md.entry_points(group="kdc") if ep.name == "example"]
    if not found:
        pytest.fail(
            "the example plugin is not installed: pip install -e examples/kdc-example-plugin",
            pytrace=False,
        )
    return found[0]


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path) -> Settings:
    """Settings with a change log configured for the example plugin."""
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        plugin_sections={"example": {"log_file": "logs/changes.log"}},
        environ={},
    )


@pytest.fixture
def almondbury(kdc_app):
    with kdc_app.unit_of_work(source="test") as uow:
        ward = WardRow(name="Almondbury", slug="almondbury")
        dalton = WardRow(name="Dalton", slug="dalton")
        uow.session.add_all(
            [
                CouncillorRow(name="Ann Lee", ward=ward, email="ann.lee@example.gov.uk"),
                CouncillorRow(name="Bea Hirst", ward=ward, email="bea.hirst@example.gov.uk"),
                CouncillorRow(name="Cal Moss", ward=ward),
                CouncillorRow(
                    name="Old Hand",
                    ward=ward,
                    email="old.hand@example.gov.uk",
                    archived_at=dt.datetime(2024, 5, 3, tzinfo=dt.UTC),
                ),
                CouncillorRow(name="Raj Patel", ward=dalton, email="raj.patel@example.gov.uk"),
            ]
        )
    return "Almondbury"


def test_the_installed_entry_point_shows_in_kdc_plugins(kdc_run):
    ep = _example_entry_point()
    assert ep.value == "kdc_example_plugin"
    assert ep.dist is not None and ep.dist.name == "kdc-example-plugin"
    plugins = {p["name"]: p for p in json.loads(kdc_run("plugins", "--json").output)}
    assert plugins["example"] == {
        "name": "example",
        "version": "0.1.0",
        "enabled": True,
        "builtin": False,
        "module": "kdc_example_plugin",
        "hooks": ["kdc_changes_committed", "kdc_check_config", "kdc_register_commands"],
    }


def test_ward_emails_prints_active_councillors_emails_one_per_line(kdc_run, almondbury):
    _example_entry_point()
    result = kdc_run("ward-emails", "almondbury")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["ann.lee@example.gov.uk", "bea.hirst@example.gov.uk"]
    assert result.stderr == "note: Cal Moss has no email address\n"


def test_ward_emails_names_an_unknown_ward_and_fails(kdc_run, almondbury):
    _example_entry_point()
    result = kdc_run("ward-emails", "Atlantis")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no ward called 'Atlantis' (wards: Almondbury, Dalton)" in result.stderr


def test_ward_emails_has_help(kdc_run):
    _example_entry_point()
    result = kdc_run("ward-emails", "--help")
    assert result.exit_code == 0
    assert "one per line" in result.output


class Listener:
    """A second plugin on the same hook, to compare with what the example plugin logged."""

    def __init__(self) -> None:
        self.seen: list[ChangeSet] = []

    @hookimpl
    def kdc_changes_committed(self, changes: ChangeSet, kdc: Kdc) -> None:
        self.seen.append(changes)


@pytest.fixture
def listener() -> Listener:
    return Listener()


@pytest.fixture
def kdc_extra_plugins(listener: Listener) -> list[tuple[str, Any]]:
    return [("listener", listener)]


def test_hook_kdc_changes_committed_logs_a_line_per_change_for_every_commit(
    kdc_app, listener, tmp_path
):
    _example_entry_point()
    log = tmp_path / "instance" / "logs" / "changes.log"
    with kdc_app.unit_of_work(source="test") as uow:
        uow.session.add(WardRow(name="Golcar", slug="golcar"))
    with kdc_app.unit_of_work(source="cli") as uow:
        uow.people.ward_row("Golcar").ons_code = "E05001395"
    with kdc_app.unit_of_work(source="test", dry_run=True) as uow:
        uow.session.add(WardRow(name="Lindley", slug="lindley"))
    lines = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
    golcar = lines[0][4]
    assert golcar.isdigit()
    assert [line[1:] for line in lines] == [
        ["test", "ward", "added", golcar, "Golcar", ""],
        ["cli", "ward", "updated", golcar, "Golcar", "ons_code"],
    ]
    for line in lines:
        dt.datetime.strptime(line[0], "%Y-%m-%dT%H:%M:%SZ")
    # Every plugin on the hook got the same two change sets, and nothing for the dry run.
    logged = [(c.source, c.entity, c.action.value, str(c.key)) for s in listener.seen for c in s]
    assert logged == [tuple(line[1:5]) for line in lines]
    assert [len(s) for s in listener.seen] == [1, 1]


def _settings(tmp_path: Path, section: dict, environ: dict | None = None) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        instance_path=tmp_path,
        plugin_sections={"example": section},
        source="kdc.toml",
        environ=environ or {},
    )


@pytest.mark.parametrize(
    ("section", "key", "words"),
    [
        ({"log_file": 42}, "plugins.example.log_file", "must be a file path, not 42"),
        ({"log_file": "  "}, "plugins.example.log_file", "must be a file path"),
        ({"logfile": "x.log"}, "plugins.example.logfile", "unknown key"),
        ({"log_file": "."}, "plugins.example.log_file", "is a folder"),
    ],
)
def test_a_bad_example_section_stops_startup_naming_the_key(tmp_path, section, key, words):
    _example_entry_point()
    with pytest.raises(ConfigError) as caught:
        make_plugin_manager(_settings(tmp_path, section))
    assert caught.value.key == key
    assert key in str(caught.value) and words in str(caught.value)
    assert str(caught.value).startswith("kdc.toml: ")


def test_the_log_file_can_come_from_the_environment(tmp_path):
    _example_entry_point()
    from kdc_example_plugin import ExampleConfig

    section = {"log_file": {"$env": "EXAMPLE_LOG"}}
    settings = _settings(tmp_path, section, {"EXAMPLE_LOG": "/var/log/kdc/changes.log"})
    assert ExampleConfig.from_settings(settings).log_file == Path("/var/log/kdc/changes.log")
    with pytest.raises(ConfigError, match="EXAMPLE_LOG is not set"):
        make_plugin_manager(_settings(tmp_path, section))


def test_disabling_the_example_plugin_removes_its_command(tmp_path):
    _example_entry_point()
    from click.testing import CliRunner

    from kdc_core.app import Kdc
    from kdc_core.cli import build_cli

    settings = _settings(tmp_path, {}).evolve(disabled_plugins=frozenset({"example"}))
    kdc = Kdc(settings, make_plugin_manager(settings))
    result = CliRunner().invoke(build_cli(kdc), ["ward-emails", "Almondbury"], obj=kdc)
    assert result.exit_code == 2
    assert "No such command 'ward-emails'" in result.output
