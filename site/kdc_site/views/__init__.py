"""The site's pages, one module a subject.

Each module has ``register(bp, kdc)``, which adds its routes, and may list ``NAV`` entries
(:class:`~kdc_site.navigation.NavItem`) for the menu and the start page.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from flask import Blueprint

from kdc_core.app import Kdc
from kdc_site import errors
from kdc_site.access import visitor
from kdc_site.navigation import NavItem
from kdc_site.views import (
    councillors,
    events,
    home,
    mine,
    my_councillor,
    my_enquiries,
    officer,
    oidc,
    people,
    protocol,
    signin,
    stories,
    wards,
)

MODULES: tuple[ModuleType, ...] = (
    home,
    signin,
    oidc,
    wards,
    councillors,
    people,
    events,
    protocol,
    stories,
    mine,
    my_enquiries,
    my_councillor,
    officer,
    errors,
)


def nav_items() -> list[NavItem]:
    return [item for module in MODULES for item in getattr(module, "NAV", ())]


def _once(items: list[NavItem]) -> list[NavItem]:
    """Each endpoint once: a page listed for councillors and for officers shows once to
    someone who is both."""
    seen: set[str] = set()
    out = []
    for item in items:
        if item.endpoint not in seen:
            seen.add(item.endpoint)
            out.append(item)
    return out


def register(bp: Blueprint, kdc: Kdc) -> None:
    for module in MODULES:
        module.register(bp, kdc)

    @bp.app_context_processor
    def _navigation() -> dict[str, Any]:
        def site_navigation() -> list[tuple[str, str]]:
            who = visitor()
            return [
                (i.endpoint, i.label) for i in _once([i for i in nav_items() if i.shown_to(who)])
            ]

        def home_links() -> list[tuple[str, str, str]]:
            who = visitor()
            shown = _once([i for i in nav_items() if i.description and i.shown_to(who)])
            return [(i.endpoint, i.label, i.description) for i in shown]

        return {"site_navigation": site_navigation, "home_links": home_links}
