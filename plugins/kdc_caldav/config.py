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
from typing import Any
from urllib.parse import quote, urlsplit

import attrs

from kdc_core.config import Settings
from kdc_core.errors import ConfigError
from kdc_core.people.values import slugify

NAME = "caldav"
DEFAULT_PATH = "/{username}/{councillor_slug}/"
PLACEHOLDERS = frozenset({"username", "councillor_slug", "councillor_id"})
_KEYS = {"url", "username", "password", "calendar_path", "calendars", "verify_tls", "timeout"}


@attrs.frozen
class CaldavConfig:
    """Where and as whom to push councillors' calendars."""

    url: str
    username: str
    password: str = attrs.field(repr=False)
    calendar_path: str = DEFAULT_PATH
    calendars: Mapping[str, str] = attrs.field(factory=dict)
    verify_tls: bool = True
    timeout: int = 30

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


def _check_path(settings: Settings, key: str, path: Any, template: bool) -> str:
    if not isinstance(path, str) or not path.startswith("/"):
        raise _fail(settings, key, f"must be a path starting with '/', got {path!r}")
    if template:
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(path) if f is not None}
        except ValueError as exc:
            raise _fail(settings, key, f"not a valid template: {exc}") from None
        unknown = sorted(fields - PLACEHOLDERS)
        if unknown:
            known = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
            raise _fail(settings, key, f"unknown placeholder {{{unknown[0]}}} (known: {known})")
        if "councillor_slug" not in fields and "councillor_id" not in fields:
            raise _fail(
                settings,
                key,
                "needs {councillor_slug} or {councillor_id}, or every councillor would share "
                "one calendar",
            )
    return path


def load_config(settings: Settings) -> CaldavConfig | None:
    """The section as a :class:`CaldavConfig`, or ``None`` when there is no section.

    :raises ConfigError: naming the key (``plugins.caldav.url`` …) that cannot be used.
    """
    raw = settings.plugin_sections.get(NAME)
    if raw is None:
        return None
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise _fail(settings, unknown[0], f"unknown setting (known: {', '.join(sorted(_KEYS))})")
    for key in ("url", "username", "password"):
        if key not in raw:
            raise _fail(settings, key, "is required")
    if not (isinstance(raw["password"], dict) and set(raw["password"]) == {"$env"}):
        raise _fail(
            settings,
            "password",
            'secrets come from the environment: write password = {"$env" = "VARIABLE"}',
        )
    section = settings.plugin_config(NAME)  # resolves $env, naming the key when unset
    url = section["url"]
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(settings, "url", f"must be an http(s) URL, got {url!r}")
    if not isinstance(section["username"], str) or not section["username"]:
        raise _fail(settings, "username", "must be a non-empty string")
    path = _check_path(settings, "calendar_path", section.get("calendar_path", DEFAULT_PATH), True)
    calendars = section.get("calendars", {})
    if not isinstance(calendars, dict):
        raise _fail(settings, "calendars", "must be a table of councillor name = path")
    for name, mapped in calendars.items():
        _check_path(settings, f"calendars.{name}", mapped, False)
    verify = section.get("verify_tls", True)
    if not isinstance(verify, bool):
        raise _fail(settings, "verify_tls", f"must be true or false, got {verify!r}")
    timeout = section.get("timeout", 30)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= 600:
        raise _fail(settings, "timeout", f"must be a number of seconds (1-600), got {timeout!r}")
    return CaldavConfig(
        url=url,
        username=section["username"],
        password=str(section["password"]),
        calendar_path=path,
        calendars=dict(calendars),
        verify_tls=verify,
        timeout=timeout,
    )
