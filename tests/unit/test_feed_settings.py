"""[plugins.ical]: how long a worker answers a feed from memory without asking the database."""

from __future__ import annotations

import pytest

from kdc_core.config import Settings
from kdc_core.errors import ConfigError
from kdc_ical.feedserver import SECTION, FeedSettings


def _settings(tmp_path, section):
    return Settings(
        database_url="sqlite://",
        instance_path=tmp_path,
        plugin_sections={SECTION: section},
        environ={},
    )


def test_the_default_checks_the_database_on_every_request(tmp_path):
    assert _settings(tmp_path, {}).plugin_config(SECTION, into=FeedSettings).recheck_seconds == 0


@pytest.mark.parametrize("value", [2, 0.5, 60])
def test_a_window_of_up_to_a_minute_is_taken(tmp_path, value):
    settings = _settings(tmp_path, {"recheck_seconds": value})
    assert settings.plugin_config(SECTION, into=FeedSettings).recheck_seconds == value


@pytest.mark.parametrize("value", [-1, 61, "soon"])
def test_other_values_are_refused_by_key(tmp_path, value):
    with pytest.raises(ConfigError, match=r"plugins\.ical\.recheck_seconds"):
        _settings(tmp_path, {"recheck_seconds": value}).plugin_config(SECTION, into=FeedSettings)
