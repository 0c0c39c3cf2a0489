"""``[plugins.caldav]``: checked at startup with messages naming the key; calendar URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kdc_caldav.config import load_config
from kdc_caldav.push import server_marks
from kdc_core.config import Settings
from kdc_core.errors import ConfigError
from kdc_core.plugins import make_plugin_manager

GOOD = {
    "url": "https://dav.example.gov.uk/dav/",
    "username": "kdc-calendars",
    "password": {"$env": "CALDAV_PW"},
}


def _settings(section: dict | None, environ: dict | None = None) -> Settings:
    return Settings(
        database_url="sqlite://",
        instance_path=Path("/nonexistent"),
        plugin_sections={} if section is None else {"caldav": section},
        environ={"CALDAV_PW": "pw"} if environ is None else environ,
        source="kdc.toml",
    )


def test_no_section_means_no_push_and_no_error():
    assert load_config(_settings(None)) is None


def test_a_good_section_becomes_a_frozen_config_with_the_secret_from_the_environment():
    config = load_config(_settings(GOOD))
    assert config is not None
    assert config.password == "pw" and "pw" not in repr(config)
    assert config.calendar_url(7, "Ann Lee") == (
        "https://dav.example.gov.uk/dav/kdc-calendars/ann-lee/"
    )


def test_per_councillor_paths_override_the_template_and_ids_can_name_calendars():
    section = {
        **GOOD,
        "calendar_path": "/cal/cllr-{councillor_id}/",
        "calendars": {"Ann Lee": "/shared/ann/"},
    }
    config = load_config(_settings(section))
    assert config is not None
    assert config.calendar_url(7, "ann lee") == "https://dav.example.gov.uk/dav/shared/ann/"
    assert config.calendar_url(8, "Bob Hall") == "https://dav.example.gov.uk/dav/cal/cllr-8/"


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"url": None}, "plugins.caldav.url", "required"),
        ({"url": "ftp://dav.example"}, "plugins.caldav.url", "http(s) URL"),
        ({"password": "hunter2"}, "plugins.caldav.password", "environment"),
        ({"calendar_path": "/{username}/{ward}/"}, "plugins.caldav.calendar_path", "{ward}"),
        ({"calendar_path": "/{username}/shared/"}, "plugins.caldav.calendar_path", "share"),
        ({"calendar_path": "relative/{councillor_slug}"}, "plugins.caldav.calendar_path", "'/'"),
        ({"calendars": {"Ann Lee": "nope"}}, "plugins.caldav.calendars.Ann Lee", "'/'"),
        ({"verify_tls": "yes"}, "plugins.caldav.verify_tls", "true or false"),
        ({"timeout": 0}, "plugins.caldav.timeout", "seconds"),
        ({"colour": "red"}, "plugins.caldav.colour", "unknown key"),
    ],
)
def test_a_bad_section_fails_naming_the_key(change, key, words):
    section = {**GOOD, **change}
    section = {k: v for k, v in section.items() if v is not None}
    with pytest.raises(ConfigError) as caught:
        load_config(_settings(section))
    assert caught.value.key == key
    assert key in str(caught.value) and words in str(caught.value)


def test_an_unset_password_variable_stops_startup_naming_the_key():
    with pytest.raises(ConfigError) as caught:
        make_plugin_manager(_settings(GOOD, environ={}))
    assert caught.value.key == "plugins.caldav.password"
    assert "CALDAV_PW" in str(caught.value)


def test_server_objects_are_recognised_by_uid_and_kdc_s_hash_even_when_folded():
    text = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:abc-123@kdc.exa\r\n mple\r\n"
        "X-KDC-PUSH-HASH:0123456789abcdef\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert server_marks(text) == ("abc-123@kdc.example", "0123456789abcdef")
    assert server_marks(text.replace("X-KDC-PUSH-HASH", "X-OTHER")) == (
        "abc-123@kdc.example",
        None,
    )
