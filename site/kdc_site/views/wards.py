"""Wards: who represents each one, which officers work there, what is on, and its stories."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for

from kdc_core.app import Kdc
from kdc_core.calendar.pages import upcoming_public_events
from kdc_core.errors import NotFound
from kdc_core.newsletter.stories import published_stories
from kdc_core.people.photos import stored_photos
from kdc_core.people.queries import ward_summary
from kdc_core.people.slugs import councillor_slugs
from kdc_site.navigation import NavItem

NAV = [
    NavItem(
        "site.wards",
        "Wards",
        "Each ward's three councillors, the officers who work there, named contacts, "
        "events and success stories.",
    )
]

#: How many of a ward's stories its page shows (the rest are on the stories page).
WARD_STORIES = 3


def register(bp: Blueprint, kdc: Kdc) -> None:
    @bp.get("/wards/")
    def wards() -> Any:
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            all_wards = uow.people.wards()
            by_ward: dict[int | None, list[Any]] = {}
            for councillor in uow.people.councillors():
                by_ward.setdefault(councillor.ward.id if councillor.ward else None, []).append(
                    councillor
                )
            slugs = councillor_slugs(uow)
        return render_template("site/wards.html", wards=all_wards, by_ward=by_ward, slugs=slugs)

    @bp.get("/wards/<slug>/")
    def ward(slug: str) -> Any:
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            try:
                if not slug.isprintable() or len(slug) > 120:
                    raise NotFound("no such ward")
                summary = ward_summary(uow, slug)
            except NotFound:
                abort(404)
            if summary.ward.slug != slug:
                return redirect(url_for("site.ward", slug=summary.ward.slug), 301)
            assert summary.ward.id is not None  # stored wards have ids
            events = upcoming_public_events(uow, ward_id=summary.ward.id)
            stories = published_stories(uow, ward_id=summary.ward.id, per_page=WARD_STORIES)
            slugs = councillor_slugs(uow)
        return render_template(
            "site/ward.html",
            summary=summary,
            events=events,
            stories=stories,
            slugs=slugs,
            photos=stored_photos(kdc.settings),
        )
