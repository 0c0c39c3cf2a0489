"""Councillors' profiles: party, ward, key posts, committees, terms of office, surgeries."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for

from kdc_core.app import Kdc
from kdc_core.errors import NotFound
from kdc_core.people.slugs import councillor_by_slug, councillor_slugs
from kdc_core.people.values import RoleKind
from kdc_site.navigation import NavItem

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
        )
