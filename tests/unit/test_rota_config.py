"""The ``[rota]`` table of kdc.toml: defaults, and errors that name the key."""

from __future__ import annotations

import datetime as dt

import pytest

from kdc_core.config import RotaSettings, load_settings
from kdc_core.errors import ConfigError


def _load(tmp_path, text: str):
    path = tmp_path / "kdc.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ={})


def test_without_a_rota_table_walkabouts_run_ten_to_twelve_with_the_ward_facing_services(tmp_path):
    rota = _load(tmp_path, 'timezone = "Europe/London"\n').rota
    assert rota == RotaSettings()
    assert rota.services == () and rota.start == dt.time(10) and rota.duration_minutes == 120


def test_a_rota_table_sets_services_start_and_length(tmp_path):
    rota = _load(
        tmp_path,
        '[rota]\nservices = ["Highways", " Streetscene "]\nstart_time = "09:30"\n'
        "duration_minutes = 90\n",
    ).rota
    assert rota == RotaSettings(("Highways", "Streetscene"), "09:30", 90)
    assert rota.start == dt.time(9, 30)


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("rota = 3", "rota", "rota: must be a table"),
        ("[rota]\nofficers = 2", "rota.officers", "rota.officers: unknown key"),
        ('[rota]\nservices = "Highways"', "rota.services", "must be a list of service names"),
        ('[rota]\nservices = ["Highways", ""]', "rota.services", "must be a list"),
        ('[rota]\nstart_time = "9am"', "rota.start_time", "a time like \"10:00\", not '9am'"),
        ('[rota]\nstart_time = "25:00"', "rota.start_time", "a time like"),
        ("[rota]\nduration_minutes = 5", "rota.duration_minutes", "from 15 to 480, not 5"),
        ('[rota]\nduration_minutes = "2h"', "rota.duration_minutes", "whole number"),
    ],
)
def test_a_bad_rota_setting_is_refused_naming_the_key(tmp_path, text, key, words):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert caught.value.key == key
    assert words in str(caught.value) and "kdc.toml" in str(caught.value)
