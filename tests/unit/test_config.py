"""Settings: defaults, kdc.toml, KDC_* overrides, secrets from the environment, clear errors."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from kdc_core.config import (
    DEFAULT_BASE_URL,
    DEFAULT_COUNCIL,
    DEFAULT_TIMEZONE,
    Settings,
    load_settings,
)
from kdc_core.errors import ConfigError


@pytest.fixture(autouse=True)
def in_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run each test in an empty folder, so no ./kdc.toml is picked up by accident."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def config_error(text: str, environ: dict[str, str] | None = None) -> ConfigError:
    path = write(Path("kdc.toml"), text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ=environ or {})
    return caught.value


def test_defaults_without_a_file_or_environment(tmp_path):
    settings = load_settings(environ={})
    assert settings.database_url == f"sqlite:///{tmp_path / 'instance' / 'kdc.sqlite3'}"
    assert settings.instance_path == tmp_path / "instance"
    assert settings.timezone == DEFAULT_TIMEZONE == "Europe/London"
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.council_name == DEFAULT_COUNCIL
    assert settings.disabled_plugins == frozenset()
    assert settings.plugin_config("moderngov") == {}
    assert settings.source == "defaults"


def test_values_come_from_the_file(tmp_path):
    path = write(
        tmp_path / "kdc.toml",
        """
database_url = "postgresql+psycopg://kdc@db.example/kdc"
instance_path = "/var/lib/kdc"
timezone = "Europe/Dublin"
base_url = "https://kdc.example.gov.uk/"

[council]
name = "Calderdale Council"

[plugins]
disabled = ["popolo"]

[plugins.moderngov]
base_url = "https://democracy.example.gov.uk"
timeout = 10
""",
    )
    settings = load_settings(path, environ={})
    assert settings.database_url == "postgresql+psycopg://kdc@db.example/kdc"
    assert settings.instance_path == Path("/var/lib/kdc")
    assert settings.timezone == "Europe/Dublin"
    assert str(settings.tz) == "Europe/Dublin"
    assert settings.base_url == "https://kdc.example.gov.uk"
    assert settings.council_name == "Calderdale Council"
    assert settings.disabled_plugins == {"popolo"}
    assert settings.plugin_config("moderngov") == {
        "base_url": "https://democracy.example.gov.uk",
        "timeout": 10,
    }
    assert settings.source == str(path)


def test_the_environment_wins_over_the_file(tmp_path):
    path = write(
        tmp_path / "kdc.toml",
        'database_url = "sqlite:///file.db"\ntimezone = "Europe/Dublin"\n'
        '[plugins]\ndisabled = ["popolo"]\n',
    )
    settings = load_settings(
        path,
        environ={
            "KDC_DATABASE_URL": "sqlite:///env.db",
            "KDC_INSTANCE_PATH": str(tmp_path / "elsewhere"),
            "KDC_TIMEZONE": "Europe/London",
            "KDC_BASE_URL": "https://env.example/",
            "KDC_DISABLED_PLUGINS": " moderngov , example,",
        },
    )
    assert settings.database_url == "sqlite:///env.db"
    assert settings.instance_path == tmp_path / "elsewhere"
    assert settings.timezone == "Europe/London"
    assert settings.base_url == "https://env.example"
    assert settings.disabled_plugins == {"popolo", "moderngov", "example"}


def test_the_instance_path_moves_the_default_database(tmp_path):
    settings = load_settings(environ={"KDC_INSTANCE_PATH": str(tmp_path / "data")})
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'kdc.sqlite3'}"


def test_kdc_config_names_the_file_and_dot_kdc_toml_is_the_fallback(tmp_path):
    write(tmp_path / "kdc.toml", 'timezone = "Europe/Paris"\n')
    other = write(tmp_path / "other.toml", 'timezone = "Europe/Berlin"\n')
    assert load_settings(environ={}).timezone == "Europe/Paris"
    assert load_settings(environ={"KDC_CONFIG": str(other)}).timezone == "Europe/Berlin"


def test_env_references_are_resolved_when_a_plugin_reads_its_section():
    path = write(
        Path("kdc.toml"),
        '[plugins.casework]\ntoken = { "$env" = "CASEWORK_TOKEN" }\n'
        'auth = { user = "kdc", password = { "$env" = "CASEWORK_PASSWORD" } }\n',
    )
    settings = load_settings(
        path, environ={"CASEWORK_TOKEN": "s3cret", "CASEWORK_PASSWORD": "pa55"}
    )
    assert settings.plugin_config("casework") == {
        "token": "s3cret",
        "auth": {"user": "kdc", "password": "pa55"},
    }
    assert "s3cret" not in path.read_text()


def test_a_missing_env_variable_is_named_with_the_key():
    path = write(
        Path("kdc.toml"), '[plugins.casework]\nauth = { password = { "$env" = "CW_PASSWORD" } }\n'
    )
    settings = load_settings(path, environ={})
    with pytest.raises(ConfigError) as caught:
        settings.plugin_config("casework")
    assert caught.value.key == "plugins.casework.auth.password"
    assert str(caught.value) == (
        "plugins.casework.auth.password: environment variable CW_PASSWORD is not set"
    )


def test_an_unknown_top_level_key_is_named():
    error = config_error('database_url = "sqlite://"\ndatabse = "typo"\n')
    assert error.key == "databse"
    assert "kdc.toml: unknown setting 'databse'" in str(error)
    assert "database_url" in str(error), "the message lists the known settings"


def test_bad_toml_names_the_file_and_the_line():
    error = config_error('timezone = "Europe/London"\nbase_url = \n')
    assert str(error).startswith("kdc.toml: not valid TOML:")
    assert "line 2" in str(error)


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"nowhere\.toml: config file not found"):
        load_settings(tmp_path / "nowhere.toml", environ={})


def test_an_unknown_timezone_is_named():
    error = config_error('timezone = "Europe/Huddersfield"\n')
    assert error.key == "timezone"
    assert "'Europe/Huddersfield' is not a known zone" in str(error)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('plugins = "moderngov"\n', "plugins"),
        ('[plugins]\ndisabled = "moderngov"\n', "plugins.disabled"),
        ("[plugins]\ndisabled = [1]\n", "plugins.disabled"),
        ('[plugins]\nmoderngov = "on"\n', "plugins.moderngov"),
        ('council = "Kirklees"\n', "council"),
    ],
)
def test_a_section_of_the_wrong_shape_is_named(text, key):
    error = config_error(text)
    assert error.key == key
    assert str(error).startswith("kdc.toml: ")


def test_settings_are_frozen():
    settings = load_settings(environ={})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        settings.timezone = "UTC"  # type: ignore[misc]
    assert settings.evolve(timezone="UTC").timezone == "UTC"
    assert isinstance(settings, Settings)


def test_monitoring_is_loopback_only_unless_widened(tmp_path):
    default = load_settings(None, environ={}).monitoring
    assert default.allows("127.0.0.1") and default.allows("::1")
    assert default.allows("::ffff:127.0.0.1")  # an IPv4 client on a dual-stack socket
    assert not default.allows("192.0.2.7") and not default.allows(None)
    assert not default.allows("not-an-address")

    path = write(tmp_path / "kdc.toml", '[monitoring]\nallow = ["10.20.0.0/16", "192.0.2.7"]\n')
    widened = load_settings(path, environ={}).monitoring
    assert widened.allows("10.20.99.1") and widened.allows("192.0.2.7")
    assert not widened.allows("10.21.0.1") and not widened.allows("127.0.0.1")

    anyone = write(tmp_path / "open.toml", "[monitoring]\nallow = []\n")
    assert load_settings(anyone, environ={}).monitoring.allows("203.0.113.9")


def test_a_monitoring_address_that_is_not_one_is_refused_by_key(tmp_path):
    path = write(tmp_path / "kdc.toml", '[monitoring]\nallow = ["10.0.0.0/33"]\n')
    with pytest.raises(ConfigError, match=r"monitoring\.allow"):
        load_settings(path, environ={})
