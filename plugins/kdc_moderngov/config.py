"""The ``[plugins.moderngov]`` section of kdc.toml, checked at startup."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import attrs

from kdc_core.config import Settings
from kdc_core.errors import ConfigError

SECTION = "moderngov"
DEFAULT_TIMEOUT = 30.0
#: The web-service path under ``base_url`` that answers GetCouncillorsByWard.
COUNCILLORS_PATH = "/mgWebService.asmx/GetCouncillorsByWard"


@attrs.frozen
class ModernGovConfig:
    """Where the council's ModernGov lives and how long to wait for it.

    :ivar base_url: e.g. ``https://democracy.kirklees.gov.uk``; lets ``kdc import
        moderngov-councillors -`` call the web service without spelling out the URL.
    :ivar timeout: seconds to wait for the web service before giving up.
    """

    base_url: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def councillors_url(self) -> str | None:
        return self.base_url + COUNCILLORS_PATH if self.base_url else None

    @classmethod
    def from_settings(cls, settings: Settings) -> ModernGovConfig:
        """Read and check the section.

        :raises ConfigError: naming ``plugins.moderngov.<key>`` for an unknown key or a
            value that cannot be used.
        """
        section = settings.plugin_config(SECTION)
        known = {field.name for field in attrs.fields(cls)}
        for key in sorted(section):
            if key not in known:
                raise ConfigError(
                    f"{settings.source}: unknown setting {_key(key)} "
                    f"(known: {', '.join(_key(k) for k in sorted(known))})",
                    key=_key(key),
                )
        return cls(
            base_url=_base_url(section.get("base_url"), settings.source),
            timeout=_timeout(section.get("timeout", DEFAULT_TIMEOUT), settings.source),
        )


def _key(name: str) -> str:
    return f"plugins.{SECTION}.{name}"


def _base_url(value: Any, where: str) -> str | None:
    if value is None:
        return None
    key = _key("base_url")
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string URL, not {value!r}", key=key)
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{where}: {key} must be an http:// or https:// URL with a host, not {value!r}",
            key=key,
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"{where}: {key} must be the site's address only (no ?query or #fragment): {value!r}",
            key=key,
        )
    return value.strip().rstrip("/")


def _timeout(value: Any, where: str) -> float:
    key = _key("timeout")
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(
            f"{where}: {key} must be a positive number of seconds, not {value!r}", key=key
        )
    return float(value)
