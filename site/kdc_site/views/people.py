"""Who does what: search the council's officers, ask who to contact, and officers' pages.

Officers' pages show the public what their job is (name, job title, service, team, wards,
pen portrait). Work email, phone, office and line managers are shown only to people who
sign in as a councillor or as staff: the public reach officers through the council's
services and councillors, and a page of individual addresses invites spam and phishing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from kdc_core.app import Kdc
from kdc_core.errors import NotFound
from kdc_core.people.queries import contact_for, manager_chain
from kdc_core.people.search import OfficerQuery, clean_text, search_officers, teams
from kdc_site.access import visitor
from kdc_site.navigation import NavItem

NAV = [
    NavItem(
        "site.people",
        "Who does what",
        "Find an officer by name, service, team or ward, and who to contact about a service "
        "in a ward.",
    )
]


def _page_number(value: str | None) -> int:
    text = clean_text(value, 6)
    return int(text) if text.isdigit() else 1


def _sees_contact_details() -> bool:
    who = visitor()
    return who is not None and (who.is_staff or who.councillor is not None)


def register(bp: Blueprint, kdc: Kdc) -> None:
    @bp.get("/people/")
    def people() -> Any:
        args = request.args
        query = OfficerQuery(
            text=clean_text(args.get("q")),
            service=clean_text(args.get("service")),
            ward=clean_text(args.get("ward")),
            team=clean_text(args.get("team"), 200),
        )
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            results = (
                None
                if query.empty
                else search_officers(uow, query, page=_page_number(args.get("page")))
            )
            services = uow.people.services()
            wards = uow.people.wards()
            team_names = teams(uow)
        return render_template(
            "site/people.html",
            query=query,
            results=results,
            services=services,
            wards=wards,
            teams=team_names,
            page_args={
                k: v
                for k, v in (
                    ("q", query.text),
                    ("service", query.service),
                    ("ward", query.ward),
                    ("team", query.team),
                )
                if v
            },
        )

    @bp.get("/people/contact")
    def who_to_contact() -> Any:
        service_slug = clean_text(request.args.get("service"))
        ward_slug = clean_text(request.args.get("ward"))
        errors: dict[str, str] = {}
        answer = None
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            services = uow.people.services()
            wards = uow.people.wards()
            service = next((s for s in services if s.slug == service_slug), None)
            ward = next((w for w in wards if w.slug == ward_slug), None)
            if service is None:
                errors["service"] = "Choose the service you need"
            if ward is None:
                errors["ward"] = "Choose the ward"
            if service is not None and ward is not None:
                answer = contact_for(uow, ward, service)
        return render_template(
            "site/who_to_contact.html",
            services=services,
            wards=wards,
            service_slug=service_slug,
            ward_slug=ward_slug,
            errors=errors if request.args else {},
            answer=answer,
        )

    @bp.get("/people/<person_id>/")
    def officer(person_id: str) -> Any:
        private = _sees_contact_details()
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            try:
                if not person_id.isprintable() or len(person_id) > 64:
                    raise NotFound("no such officer")
                found = uow.people.officer_by_person_id(person_id)
            except NotFound:
                abort(404)
            if not found.active:
                abort(404)
            managers = manager_chain(uow, person_id) if private else []
        return render_template(
            "site/officer.html",
            officer=found,
            wards=sorted(
                {link.ward.slug: link.ward for link in found.wards}.values(), key=lambda w: w.name
            ),
            private=private,
            managers=managers,
        )
