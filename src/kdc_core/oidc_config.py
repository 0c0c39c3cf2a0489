"""The ``[oidc]`` table of ``kdc.toml``: single sign-on over OpenID Connect, read and checked
as part of :class:`kdc_core.config.Settings`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from kdc_core.errors import ConfigError
from kdc_core.plugin_config import build, setting


def _oidc_issuer(value: str) -> bool | str:
    parts = urlsplit(value)
    if not parts.netloc or parts.query or parts.fragment:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return True  # a provider on this machine (tests, a local trial)
    return "must use https"


def _oidc_scopes(scopes: tuple[str, ...]) -> bool | str:
    for needed in ("openid", "email"):
        if needed not in scopes:
            return f'must include "{needed}"'
    return all(s and not any(c.isspace() for c in s) for s in scopes)


@attrs.frozen
class OidcSettings:
    """The ``[oidc]`` table: single sign-on for the site and the admin over OpenID Connect.

    :ivar issuer: the provider's issuer URL; its ``/.well-known/openid-configuration`` is
        read for the endpoints and keys (Entra ID:
        ``https://login.microsoftonline.com/<tenant id>/v2.0``). Empty: no single sign-on.
    :ivar client_id: this site's client (application) id at the provider.
    :ivar client_secret: written ``{"$env" = "NAME"}``, or left out and given in
        ``KDC_OIDC_CLIENT_SECRET``; never shown or logged.
    :ivar scopes: the scopes asked for; ``openid`` and ``email`` at least.
    :ivar label: the sign-in button's text.
    :ivar require_verified_email: refuse an ID token whose ``email_verified`` claim is not
        true. Turn off only for a provider that does not send the claim and whose addresses
        the council's own administrators set (Entra ID, single tenant).
    """

    issuer: str = setting("", expect="an https URL", check=_oidc_issuer)
    client_id: str = ""
    client_secret: str = setting("", secret=True)
    scopes: tuple[str, ...] = setting(
        ("openid", "email", "profile"), expect="a list of scope names", check=_oidc_scopes
    )
    label: str = setting(
        "Sign in with your council account", expect="some text", check=lambda s: bool(s.strip())
    )
    require_verified_email: bool = True

    @property
    def configured(self) -> bool:
        return bool(self.issuer)

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def oidc_settings(data: Any, where: str, environ: Mapping[str, str]) -> OidcSettings:
    """The ``[oidc]`` table read and checked; ``KDC_OIDC_CLIENT_SECRET`` gives the secret."""
    settings = build(OidcSettings, data, "oidc", where, environ)
    secret = environ.get("KDC_OIDC_CLIENT_SECRET")
    if secret:
        settings = attrs.evolve(settings, client_secret=secret)
    if settings.issuer:
        if not settings.client_id.strip():
            raise ConfigError(
                f"{where}: oidc.client_id is required when oidc.issuer is set",
                key="oidc.client_id",
            )
        if not settings.client_secret:
            raise ConfigError(
                f"{where}: oidc.client_secret is required when oidc.issuer is set: write "
                '{"$env" = "NAME"} or set KDC_OIDC_CLIENT_SECRET',
                key="oidc.client_secret",
            )
    return settings
