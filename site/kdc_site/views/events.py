"""Events: every address a calendar feed gives (``/events/<uid>``) opens a page.

Who may see which event is the core's rule (:mod:`kdc_core.calendar.pages`): public events
to anyone; private ones, after signing in, to the councillors they concern and to staff.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from kdc_core.app import Kdc
from kdc_core.calendar.pages import (
    EventAccess,
    event_access,
    event_page,
    find_event,
    upcoming_public_events,
)
from kdc_core.errors import NotFound
from kdc_core.people.slugs import councillor_slugs
from kdc_site.access import visitor
from kdc_site.navigation import NavItem

NAV = [
    NavItem(
        "site.events",
        "Events",
        "Ward walkabouts, open days and other public events coming up, and calendar feeds to "
        "subscribe to.",
    )
]

#: How many upcoming events the events page lists.
UPCOMING = 50


def register(bp: Blueprint, kdc: Kdc) -> None:
    def calendar_feed(endpoint: str, **values: Any) -> dict[str, str] | None:
        """A feed's address and its ``webcal:`` twin (which opens a calendar app to
        subscribe), or ``None`` when the feeds plugin is not serving it."""
        if endpoint not in current_app.view_functions:
            return None
        address = kdc.settings.base_url + url_for(endpoint, **values)
        return {"href": address, "webcal": "webcal:" + address.split(":", 1)[1]}

    @bp.app_context_processor
    def _feeds() -> dict[str, Any]:
        return {"calendar_feed": calendar_feed}

    @bp.get("/events/")
    def events() -> Any:
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            coming = upcoming_public_events(uow, limit=UPCOMING)
            wards = {w.id: w for w in uow.people.wards()}
        return render_template("site/events.html", events=coming, wards=wards)

    @bp.get("/events/<path:uid>")
    def event(uid: str) -> Any:
        who = visitor()
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            try:
                found = find_event(uow, uid)
            except NotFound:
                abort(404)
            access = event_access(uow, found, who)
            if access is EventAccess.SHOW:
                page = event_page(uow, found)
                slugs = councillor_slugs(uow)
        if access is EventAccess.SIGN_IN:
            return redirect(url_for("site.sign_in", next=request.full_path.rstrip("?")))
        if access is EventAccess.FORBIDDEN:
            abort(403)
        return render_template("site/event.html", page=page, slugs=slugs)
