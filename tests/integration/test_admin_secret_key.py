"""SECRET_KEY comes from KDC_SECRET_KEY or is generated once into the instance folder."""

from __future__ import annotations

import stat

import pytest

from kdc_admin import create_app
from kdc_admin.secret_key import FILE_NAME, load_secret_key
from kdc_core.errors import ConfigError


def test_key_is_generated_once_with_owner_only_permissions(kdc_app):
    path = kdc_app.settings.instance_path / FILE_NAME
    assert not path.exists()
    first = create_app(kdc_app).config["SECRET_KEY"]
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 64
    second = create_app(kdc_app).config["SECRET_KEY"]
    assert second == first == path.read_text().strip()


def test_environment_variable_wins_and_writes_no_file(kdc_app):
    key = "k" * 40
    settings = kdc_app.settings.evolve(environ={"KDC_SECRET_KEY": key})
    assert load_secret_key(settings) == key
    assert not (settings.instance_path / FILE_NAME).exists()


def test_a_short_environment_key_is_refused_by_name(kdc_app):
    settings = kdc_app.settings.evolve(environ={"KDC_SECRET_KEY": "short"})
    with pytest.raises(ConfigError, match="KDC_SECRET_KEY is 5 characters long"):
        load_secret_key(settings)


def test_a_key_file_others_can_read_is_refused(kdc_app):
    load_secret_key(kdc_app.settings)
    path = kdc_app.settings.instance_path / FILE_NAME
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by other users"):
        load_secret_key(kdc_app.settings)


def test_an_empty_key_file_is_refused_naming_the_file(kdc_app):
    path = kdc_app.settings.instance_path / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match=str(path)):
        load_secret_key(kdc_app.settings)
