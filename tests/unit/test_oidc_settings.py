"""The ``[oidc]`` table: single sign-on settings, checked with messages that name the key."""

from __future__ import annotations

import pytest

from kdc_core.config import load_settings
from kdc_core.errors import ConfigError

ISSUER = "https://login.microsoftonline.com/00000000-1111-2222-3333-444444444444/v2.0"


def _load(tmp_path, text: str, environ: dict[str, str] | None = None):
    path = tmp_path / "kdc.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ=environ or {})


def _refused(tmp_path, text: str, environ: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, environ)
    return caught.value


def test_without_the_table_there_is_no_single_sign_on(tmp_path):
    assert not load_settings(environ={}).oidc.configured


def test_the_secret_comes_from_the_named_variable_and_is_never_shown(tmp_path):
    settings = _load(
        tmp_path,
        f'[oidc]\nissuer = "{ISSUER}"\nclient_id = "abc"\n'
        'client_secret = {"$env" = "SSO_SECRET"}\nlabel = "Sign in with Kirklees"\n',
        {"SSO_SECRET": "s3cret-value"},
    )
    oidc = settings.oidc
    assert oidc.configured and oidc.client_secret == "s3cret-value"
    assert oidc.metadata_url == f"{ISSUER}/.well-known/openid-configuration"
    assert oidc.scopes == ("openid", "email", "profile")
    assert oidc.label == "Sign in with Kirklees"
    assert "s3cret-value" not in repr(settings) and "s3cret-value" not in repr(oidc)


def test_kdc_oidc_client_secret_gives_the_secret(tmp_path):
    settings = _load(
        tmp_path,
        f'[oidc]\nissuer = "{ISSUER}"\nclient_id = "abc"\n',
        {"KDC_OIDC_CLIENT_SECRET": "from-env"},
    )
    assert settings.oidc.client_secret == "from-env"


@pytest.mark.parametrize(
    ("table", "environ", "key"),
    [
        (f'issuer = "{ISSUER}"\nclient_id = "abc"\n', {}, "oidc.client_secret"),
        (f'issuer = "{ISSUER}"\n', {"KDC_OIDC_CLIENT_SECRET": "x"}, "oidc.client_id"),
        (
            f'issuer = "{ISSUER}"\nclient_id = "abc"\nclient_secret = "in-the-file"\n',
            {},
            "oidc.client_secret",
        ),
        (
            'issuer = "http://login.example.org/tenant"\nclient_id = "a"\n',
            {"KDC_OIDC_CLIENT_SECRET": "x"},
            "oidc.issuer",
        ),
        (
            f'issuer = "{ISSUER}"\nclient_id = "a"\nscopes = ["email"]\n',
            {"KDC_OIDC_CLIENT_SECRET": "x"},
            "oidc.scopes",
        ),
        (
            f'issuer = "{ISSUER}"\nclient_id = "a"\nscopes = ["openid", "profile"]\n',
            {"KDC_OIDC_CLIENT_SECRET": "x"},
            "oidc.scopes",
        ),
        (
            f'issuer = "{ISSUER}"\nclient_id = "a"\nbutton = "Go"\n',
            {"KDC_OIDC_CLIENT_SECRET": "x"},
            "oidc.button",
        ),
    ],
)
def test_unusable_settings_name_their_key(tmp_path, table, environ, key):
    error = _refused(tmp_path, f"[oidc]\n{table}", environ)
    assert error.key == key
    assert key in str(error)
    assert "in-the-file" not in str(error)


def test_a_provider_on_this_machine_may_use_http(tmp_path):
    settings = _load(
        tmp_path,
        '[oidc]\nissuer = "http://127.0.0.1:9000"\nclient_id = "a"\n',
        {"KDC_OIDC_CLIENT_SECRET": "x"},
    )
    assert settings.oidc.issuer == "http://127.0.0.1:9000"
