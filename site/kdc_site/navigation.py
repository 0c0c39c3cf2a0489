"""The site's menu: each page module lists its own entries; who sees which is decided here."""

from __future__ import annotations

from typing import Literal

import attrs

from kdc_core.users.sessions import Identity

Audience = Literal["public", "councillor", "officer"]


@attrs.frozen
class NavItem:
    """One entry in the service navigation (and on the start page, when it has a description).

    :ivar audience: ``public`` for everyone; ``councillor`` or ``officer`` for the signed-in
        person's own pages.
    """

    endpoint: str
    label: str
    description: str = ""
    audience: Audience = "public"

    def shown_to(self, who: Identity | None) -> bool:
        if self.audience == "public":
            return True
        if who is None:
            return False
        if self.audience == "councillor":
            return who.councillor is not None
        return who.officer is not None
