"""The ``[plugins.caldav]`` section, checked at startup.

.. code-block:: toml

    [plugins.caldav]
    url = "https://dav.example.gov.uk/"
    username = "kdc-calendars"
    password = {"$env" = "KDC_CALDAV_PASSWORD"}   # secrets only from the environment
    calendar_path = "/{username}/{councillor_slug}/"   # the default
    verify_tls = true                                 # the default
    timeout = 30                                      # seconds, the default

    [plugins.caldav.calendars]                        # optional, per-councillor paths
    "Jane Smith" = "/shared/jane-smith-cllr/"

No section, no push: ``kdc calendar push`` says so. A section that cannot be used stops
startup with a message naming the key.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

import attrs

from kdc_core.config import Settings
from kdc_core.errors import ConfigError
from kdc_core.plugin_config import setting
from kdc_core.slug import slugify

NAME = "caldav"
DEFAULT_PATH = "/{username}/{councillor_slug}/"
PLACEHOLDERS = frozenset({"username", "councillor_slug", "councillor_id"})


@attrs.frozen
class CaldavConfig:
    """Where and as whom to push councillors' calendars."""

    url: str = setting(expect="an http(s) URL", check=lambda v: _is_url(v))
    username: str = setting(expect="a non-empty string", check=bool)
    password: str = setting(secret=True)
    calendar_path: str = setting(DEFAULT_PATH, check=lambda v: _path_problem(v, template=True))
    calendars: Mapping[str, str] = setting(factory=dict)
    verify_tls: bool = True
    timeout: int = setting(30, expect="a number of seconds (1-600)", check=lambda v: 1 <= v <= 600)

    def calendar_url(self, councillor_id: int, name: str) -> str:
        """The full URL of the councillor's calendar collection (ends with ``/``)."""
        path = self._mapped(name)
        if path is None:
            path = self.calendar_path.format(
                username=quote(self.username, safe=""),
                councillor_slug=slugify(name),
                councillor_id=councillor_id,
            )
        return self.url.rstrip("/") + "/" + path.strip("/") + "/"

    def _mapped(self, name: str) -> str | None:
        key = name.strip().casefold()
        return next((p for n, p in self.calendars.items() if n.strip().casefold() == key), None)


def _fail(settings: Settings, key: str, message: str) -> ConfigError:
    name = f"plugins.caldav.{key}"
    return ConfigError(f"{settings.source}: {name}: {message}", key=name)


def _is_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _path_problem(path: str, template: bool) -> str | None:
    """What is wrong with a calendar path (or template), or ``None``."""
    if not path.startswith("/"):
        return "must be a path starting with '/'"
    if not template:
        return None
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(path) if f is not None}
    except ValueError as exc:
        return f"not a valid template: {exc}"
    unknown = sorted(fields - PLACEHOLDERS)
    if unknown:
        known = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
        return f"unknown placeholder {{{unknown[0]}}} (known: {known})"
    if "councillor_slug" not in fields and "councillor_id" not in fields:
        return (
            "needs {councillor_slug} or {councillor_id}, or every councillor would share "
            "one calendar"
        )
    return None


def load_config(settings: Settings) -> CaldavConfig | None:
    """The section as a :class:`CaldavConfig`, or ``None`` when there is no section.

    :raises ConfigError: naming the key (``plugins.caldav.url`` …) that cannot be used.
    """
    if NAME not in settings.plugin_sections:
        return None
    config = settings.plugin_config(NAME, into=CaldavConfig)
    for name, mapped in config.calendars.items():
        problem = _path_problem(mapped, template=False)
        if problem:
            key = f"plugins.caldav.calendars.{name}"
            raise ConfigError(f"{settings.source}: {key}: {problem}, not {mapped!r}", key=key)
    return config
