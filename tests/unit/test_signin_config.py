"""The ``[signin]`` table: limits and where they are counted, checked key by key."""

from __future__ import annotations

import pytest

from kdc_core.config import load_settings
from kdc_core.errors import ConfigError


def _load(tmp_path, text: str, environ=None):
    path = tmp_path / "kdc.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ=environ or {}).signin


def test_the_defaults_count_in_memory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no kdc.toml here
    signin = load_settings(None, environ={}).signin
    assert (signin.storage, signin.per_address, signin.per_account) == (
        "memory",
        "20 per 15 minutes",
        "10 per 15 minutes",
    )


def test_database_storage_and_limits_are_read(tmp_path):
    signin = _load(
        tmp_path,
        '[signin]\nstorage = "database"\nper_address = "5 per minute; 30 per hour"\n',
    )
    assert signin.storage == "database" and signin.per_address == "5 per minute; 30 per hour"


def test_a_storage_uri_can_come_from_the_environment_and_stays_out_of_repr(tmp_path):
    signin = _load(
        tmp_path,
        '[signin]\nstorage = {"$env" = "LIMITS_URI"}\n',
        {"LIMITS_URI": "redis://:s3cret@redis.internal:6379"},
    )
    assert signin.storage == "redis://:s3cret@redis.internal:6379"
    assert "s3cret" not in repr(signin)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('storage = "disk"', "signin.storage"),
        ('per_address = "lots"', "signin.per_address"),
        ('per_account = "10 every day"', "signin.per_account"),
        ("per_account = 10", "signin.per_account"),
        ('storag = "memory"', "signin.storag"),
    ],
)
def test_a_bad_value_is_refused_naming_its_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, f"[signin]\n{text}\n")
    assert caught.value.key == key
