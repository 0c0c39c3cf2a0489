"""A councillor's calendar address, ward briefings and menu of opportunities.

- ``/my/calendar/``: kdc keeps only a digest of each private feed token
  (:mod:`kdc_core.calendar.feed_tokens`), so an address can be shown only when it is issued.
  The page offers a POST button that issues one (revoking any earlier one) and shows it once,
  in a response that is not cached.
- ``/my/briefings/``: the briefings about the councillor's ward, newest first.
- ``/my/opportunities/``: a checkbox per topic (:data:`kdc_core.mail.values.TOPICS`), by email
  and, when the configured mailer can send them, by text message. Saving records the choices
  and the yearly review; "These choices are right" records the review alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from kdc_core.app import Kdc
from kdc_core.briefings.service import briefings_for_ward
from kdc_core.calendar import feed_tokens
from kdc_core.calendar.feed_tokens import FeedOwner, OwnerKind
from kdc_core.errors import KdcError
from kdc_core.mail.delivery import sms_available
from kdc_core.mail.topics import confirm_topics, menu_of, save_menu
from kdc_core.mail.values import TOPICS
from kdc_core.people.values import Councillor
from kdc_site.access import councillor_only, visitor
from kdc_site.formats import govuk_date

#: The feed route the calendar plugin serves a councillor's private feed from.
FEED_ENDPOINT = "kdc_ical_feeds.councillor_feed"


def _me() -> Councillor:
    who = visitor()
    assert who is not None and who.councillor is not None and who.councillor.id is not None
    return who.councillor


def _owner(me: Councillor) -> FeedOwner:
    assert me.id is not None
    return FeedOwner(OwnerKind.COUNCILLOR, me.id, me.name)


def feed_addresses(base_url: str, token: str) -> tuple[str, str]:
    """The feed's web address (the base URL's scheme) and the same as ``webcal://``."""
    path = url_for(FEED_ENDPOINT, token=token)
    web = f"{base_url.rstrip('/')}{path}"
    rest = web.partition("://")[2]
    return web, f"webcal://{rest}"


def register(bp: Blueprint, kdc: Kdc) -> None:
    def feeds_on() -> bool:
        return FEED_ENDPOINT in current_app.view_functions

    def calendar_page(addresses: tuple[str, str] | None = None) -> Any:
        me = _me()
        with kdc.unit_of_work(source="web:my-calendar", dry_run=True) as uow:
            current = feed_tokens.active_token(uow, _owner(me))
        response = make_response(
            render_template(
                "site/my_calendar.html",
                feeds_on=feeds_on(),
                current=current,
                addresses=addresses,
            )
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @bp.get("/my/calendar/")
    @councillor_only
    def my_calendar() -> Any:
        return calendar_page()

    @bp.post("/my/calendar/")
    @councillor_only
    def my_calendar_issue() -> Any:
        if not feeds_on():
            abort(404)
        me = _me()
        who = visitor()
        assert who is not None
        with kdc.unit_of_work(source=f"web:{who.email}") as uow:
            issued = feed_tokens.issue(uow, _owner(me))
        return calendar_page(feed_addresses(kdc.settings.base_url, issued.token))

    @bp.get("/my/briefings/")
    @councillor_only
    def my_briefings() -> Any:
        me = _me()
        briefings = []
        if me.ward is not None and me.ward.id is not None:
            with kdc.unit_of_work(source="web:my-briefings", dry_run=True) as uow:
                briefings = briefings_for_ward(uow, me.ward.id)
        return render_template("site/my_briefings.html", ward=me.ward, briefings=briefings)

    def today() -> dt.date:
        return dt.datetime.now(kdc.settings.tz).date()

    @bp.get("/my/opportunities/")
    @councillor_only
    def my_opportunities() -> Any:
        me = _me()
        assert me.id is not None
        with kdc.unit_of_work(source="web:my-opportunities", dry_run=True) as uow:
            menu = menu_of(uow, me.id)
        return render_template(
            "site/my_opportunities.html",
            topics=TOPICS,
            menu=menu,
            sms_offered=sms_available(kdc.settings, kdc.mailers),
            mobile=me.mobile,
            review_due=menu.review_due(today()),
        )

    @bp.post("/my/opportunities/")
    @councillor_only
    def my_opportunities_save() -> Any:
        me = _me()
        assert me.id is not None
        email = request.form.getlist("email")
        sms = request.form.getlist("sms") if sms_available(kdc.settings, kdc.mailers) else None
        who = visitor()
        assert who is not None
        try:
            with kdc.unit_of_work(source=f"web:{who.email}") as uow:
                save_menu(uow, me.id, email, sms)
                confirm_topics(uow, me.id, today())
        except KdcError:
            abort(400)
        flash("Your choices have been saved.", "success")
        return redirect(url_for("site.my_opportunities"))

    @bp.post("/my/opportunities/confirm")
    @councillor_only
    def my_opportunities_confirm() -> Any:
        me = _me()
        assert me.id is not None
        who = visitor()
        assert who is not None
        on = today()
        with kdc.unit_of_work(source=f"web:{who.email}") as uow:
            confirm_topics(uow, me.id, on)
        day = govuk_date(on, kdc.settings.tz)
        flash(f"Thank you. Your choices are recorded as checked on {day}.", "success")
        return redirect(url_for("site.my_opportunities"))
