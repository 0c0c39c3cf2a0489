"""The ``[plugins.moderngov]`` section of kdc.toml, checked at startup."""

from __future__ import annotations

from urllib.parse import urlsplit

import attrs

from kdc_core.config import Settings
from kdc_core.plugin_config import positive, setting

SECTION = "moderngov"
DEFAULT_TIMEOUT = 30.0
#: Minutes a meeting is taken to last when the source gives no end (GetMeetings never does).
DEFAULT_DURATION = 120
#: The largest share of active councillors one import may archive without ``--force``.
DEFAULT_MAX_ARCHIVE_SHARE = 0.10
#: The web-service path under ``base_url`` that answers GetCouncillorsByWard.
COUNCILLORS_PATH = "/mgWebService.asmx/GetCouncillorsByWard"


def _site_address(value: str) -> bool | str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.query or parts.fragment:
        return "must be the site's address only (no ?query or #fragment)"
    return True


def _clean_url(value: str | None) -> str | None:
    return value.strip().rstrip("/") if value else value


@attrs.frozen
class ModernGovConfig:
    """Where the council's ModernGov lives and how long to wait for it.

    :ivar base_url: e.g. ``https://democracy.kirklees.gov.uk``; lets ``kdc import
        moderngov-councillors -`` call the web service without spelling out the URL.
    :ivar timeout: seconds to wait for the web service before giving up.
    :ivar max_archive_share: the largest share of the active councillors (with a ModernGov
        id) that one ``kdc import moderngov-councillors`` may archive without ``--force``
        (0.10 = 10%); an answer that would empty more than one ward is refused as well.
    """

    base_url: str | None = setting(
        None,
        expect="an http:// or https:// URL with a host",
        check=_site_address,
        converter=_clean_url,
    )
    timeout: float = setting(DEFAULT_TIMEOUT, expect="a positive number of seconds", check=positive)
    max_archive_share: float = setting(
        DEFAULT_MAX_ARCHIVE_SHARE,
        expect="a number from 0 to 1",
        check=lambda share: 0 <= share <= 1,
    )

    @property
    def councillors_url(self) -> str | None:
        return self.base_url + COUNCILLORS_PATH if self.base_url else None

    @classmethod
    def from_settings(cls, settings: Settings) -> ModernGovConfig:
        """Read and check the section.

        :raises ConfigError: naming ``plugins.moderngov.<key>`` for an unknown key or a
            value that cannot be used.
        """
        return settings.plugin_config(SECTION, into=cls)
