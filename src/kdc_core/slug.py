"""Slugs for web addresses and feed names, in a module of their own so that light modules
(plugin settings, lookups run at start-up) can use them without the people values."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """``"Batley East"`` → ``"batley-east"``; stable, ASCII, used in URLs and feed names."""
    normalised = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", normalised.lower()).strip("-")
