"""``[plugins.moderngov]`` is checked at startup; a bad key or value stops it, named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kdc_core.cli import main
from kdc_core.config import Settings, load_settings
from kdc_core.errors import ConfigError
from kdc_core.plugins import make_plugin_manager
from kdc_moderngov.config import ModernGovConfig


def settings(section: dict[str, Any] | None, environ: dict[str, str] | None = None) -> Settings:
    return Settings(
        database_url="sqlite://",
        instance_path=Path("instance"),
        plugin_sections={"moderngov": section} if section is not None else {},
        source="kdc.toml",
        environ=environ or {},
    )


def config_error(section: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        ModernGovConfig.from_settings(settings(section))
    return info.value


def test_no_section_gives_the_defaults():
    config = ModernGovConfig.from_settings(settings(None))
    assert config == ModernGovConfig(base_url=None, timeout=30.0)
    assert config.councillors_url is None


def test_base_url_and_timeout_are_read():
    config = ModernGovConfig.from_settings(
        settings({"base_url": "https://democracy.example.gov.uk/", "timeout": 5})
    )
    assert config.base_url == "https://democracy.example.gov.uk"
    assert config.timeout == 5.0
    assert config.councillors_url == (
        "https://democracy.example.gov.uk/mgWebService.asmx/GetCouncillorsByWard"
    )


def test_base_url_may_come_from_the_environment():
    config = ModernGovConfig.from_settings(
        settings({"base_url": {"$env": "MG_URL"}}, {"MG_URL": "http://127.0.0.1:8080"})
    )
    assert config.base_url == "http://127.0.0.1:8080"


def test_unknown_key_is_named():
    error = config_error({"base_url": "https://x.example", "timout": 5})
    assert error.key == "plugins.moderngov.timout"
    assert "plugins.moderngov.timout: unknown key" in str(error)
    assert "known: base_url, max_archive_share, timeout" in str(error)


def test_max_archive_share_defaults_to_a_tenth_and_is_checked():
    assert ModernGovConfig.from_settings(settings({})).max_archive_share == 0.10
    assert (
        ModernGovConfig.from_settings(settings({"max_archive_share": 0.5})).max_archive_share == 0.5
    )
    for value in (-0.1, 1.5, "half"):
        error = config_error({"max_archive_share": value})
        assert error.key == "plugins.moderngov.max_archive_share"
        assert "must be a number from 0 to 1" in str(error)


@pytest.mark.parametrize(
    "value", ["ftp://x.example", "democracy.example.gov.uk", "https://", 42, "https://x/?a=1"]
)
def test_bad_base_url_is_named(value):
    error = config_error({"base_url": value})
    assert error.key == "plugins.moderngov.base_url"
    assert str(error).startswith("kdc.toml: plugins.moderngov.base_url: must be")
    assert repr(value) in str(error)


@pytest.mark.parametrize("value", [0, -1, "30", True, float("nan")])
def test_bad_timeout_is_named(value):
    error = config_error({"timeout": value})
    assert error.key == "plugins.moderngov.timeout"
    assert "plugins.moderngov.timeout: must be a positive number of seconds" in str(error)


def test_bad_config_stops_the_plugin_manager_at_startup():
    with pytest.raises(ConfigError) as info:
        make_plugin_manager(settings({"timeout": -5}))
    assert info.value.key == "plugins.moderngov.timeout"


def test_bad_config_stops_the_kdc_command_with_a_message_naming_the_key(tmp_path, capsys):
    config = tmp_path / "kdc.toml"
    config.write_text('[plugins.moderngov]\nbase_url = "gopher://old.example"\n')
    with pytest.raises(SystemExit) as info:
        main(["--config", str(config), "plugins"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "plugins.moderngov.base_url: must be an http:// or https:// URL" in err
    assert str(config) in err


def test_good_config_lets_the_kdc_command_run(tmp_path, capsys):
    config = tmp_path / "kdc.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "db.sqlite3"}"\n'
        '[plugins.moderngov]\nbase_url = "https://democracy.example.gov.uk"\ntimeout = 2.5\n'
    )
    assert ModernGovConfig.from_settings(load_settings(config, environ={})).timeout == 2.5
    with pytest.raises(SystemExit) as info:
        main(["--config", str(config), "plugins"])
    assert info.value.code == 0
    assert "moderngov" in capsys.readouterr().out
