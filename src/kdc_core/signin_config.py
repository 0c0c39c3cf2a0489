"""The ``[signin]`` table of ``kdc.toml``: how often one client address, and one email
address, may try to sign in, and where those counts are kept. Read and checked as part of
:class:`kdc_core.config.Settings`; the web app applies it (:mod:`kdc_admin.limits`).

::

    [signin]
    storage = "database"            # "memory" (the default), "database", or a storage URI
    per_address = "20 per 15 minutes"
    per_account = "10 per 15 minutes"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kdc_core.plugin_config import build, setting

#: ``storage`` values that are not a storage URI.
MEMORY = "memory"
DATABASE = "database"


def _limits(value: str) -> bool | str:
    from limits import parse_many

    try:
        return bool(parse_many(value))
    except ValueError:
        return False


def _storage(value: str) -> bool | str:
    return value in (MEMORY, DATABASE) or "://" in value


@attrs.frozen
class SignInSettings:
    """The ``[signin]`` table: limits on signing in to the admin and the site.

    A limit is written like ``"20 per 15 minutes"`` or ``"5 per minute; 20 per hour"``.
    Failed admin logins and requests for a sign-in link or a single sign-on that did not
    work count; once a limit is reached the answer is 429 (Too Many Requests) with a
    ``Retry-After`` header until the window ends. Separately from these limits, an address
    that fails :data:`~kdc_core.users.service.MAX_FAILED_LOGINS` times in a row is locked in
    the database for 15 minutes.

    :ivar storage: where the counts are kept. ``"memory"``: in each web process (enough for
      one process; with several, each counts on its own). ``"database"``: in the
      ``rate_limits`` table, shared by every process on the same database. Or a storage URI
      of the `limits` library (``"redis://host:6379"``, ``"memcached://host:11211"``, with
      its driver installed); a URI holding a password can be written ``{"$env" = "NAME"}``.
    :ivar per_address: attempts from one client address (behind a reverse proxy, the
      address the proxy passes on: ``kdc serve --trusted-proxy``).
    :ivar per_account: attempts for one email address, from anywhere.
    """

    storage: str = setting(
        MEMORY,
        expect='"memory", "database" or a storage URI like "redis://localhost:6379"',
        check=_storage,
        repr=False,
    )
    per_address: str = setting(
        "20 per 15 minutes", expect='limits like "20 per 15 minutes"', check=_limits
    )
    per_account: str = setting(
        "10 per 15 minutes", expect='limits like "10 per 15 minutes"', check=_limits
    )


def signin_settings(data: Any, where: str, environ: Mapping[str, str]) -> SignInSettings:
    return build(SignInSettings, data, "signin", where, environ)
