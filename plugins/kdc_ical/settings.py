"""The ``[plugins.ical]`` section of kdc.toml (light: every command checks it at start)."""

from __future__ import annotations

import attrs

from kdc_core.plugin_config import setting

SECTION = "ical"


@attrs.frozen
class FeedSettings:
    """The ``[plugins.ical]`` section of kdc.toml.

    :ivar recheck_seconds: how long a feed, once checked against the database, is served
        again without checking (0, the default: check on every request). A deployment with
        many subscribers and several workers sets 1 to 5; changes made through another
        worker, and revoked addresses, then take that long to reach this worker's feeds.
    """

    recheck_seconds: float = setting(
        0.0, expect="a number of seconds from 0 to 60", check=lambda s: 0 <= s <= 60
    )
