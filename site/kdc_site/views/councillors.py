"""Councillors' profiles: photo, party, ward, key posts, committees, terms of office,
surgeries; and the photos themselves, served from this site's photo store."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, send_file, url_for

from kdc_core.app import Kdc
from kdc_core.errors import NotFound
from kdc_core.people.photos import photo_for, stored_photos
from kdc_core.people.slugs import councillor_by_slug, councillor_id_by_slug, councillor_slugs
from kdc_core.people.values import RoleKind
from kdc_site.navigation import NavItem

#: How long browsers and proxies may keep a photo before asking again (with its ETag).
PHOTO_MAX_AGE = 24 * 60 * 60

NAV = [
    NavItem(
        "site.councillors",
        "Councillors",
        "Every councillor: their ward, party, key posts and committees, and how to contact them.",
    )
]


def register(bp: Blueprint, kdc: Kdc) -> None:
    @bp.get("/councillors/")
    def councillors() -> Any:
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            people = uow.people.councillors()
            slugs = councillor_slugs(uow)
        return render_template("site/councillors.html", councillors=people, slugs=slugs)

    @bp.get("/councillors/<slug>/")
    def councillor(slug: str) -> Any:
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            try:
                person, canonical = councillor_by_slug(uow, slug[:200])
            except NotFound:
                abort(404)
        if canonical != slug:
            return redirect(url_for("site.councillor", slug=canonical), 301)
        committees = [r for r in person.roles if r.committee]
        other_roles = [r for r in person.roles if not r.committee]
        return render_template(
            "site/councillor.html",
            councillor=person,
            committees=committees,
            other_roles=other_roles,
            role_labels={k: k.value.replace("_", " ").capitalize() for k in RoleKind},
            slug=canonical,
            photos=stored_photos(kdc.settings),
        )

    @bp.get("/councillors/<slug>/photo")
    def councillor_photo(slug: str) -> Any:
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            try:
                councillor_id, canonical = councillor_id_by_slug(uow, slug[:200])
            except NotFound:
                abort(404)
        if canonical != slug:
            return redirect(url_for("site.councillor_photo", slug=canonical), 301)
        stored = photo_for(kdc.settings, councillor_id)
        if stored is None:
            abort(404)
        try:
            response = send_file(
                stored.path.resolve(),
                mimetype=stored.content_type,
                download_name=f"{canonical}{stored.path.suffix}",
                etag=stored.etag,
                max_age=PHOTO_MAX_AGE,
                conditional=True,
            )
        except FileNotFoundError:  # replaced by a newer photo since the listing
            abort(404)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.cache_control.public = True
        return response
