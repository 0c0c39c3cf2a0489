"""An officer's own pages: their record, their team and their wards.

- ``/my/record/``: what the directory holds about them (what councillors see), and a
  "These details are right" button that restarts the freshness clock
  (:func:`kdc_core.directory.report.confirm_details`), so no reminder comes until the entry
  is stale again. Corrections are made in People Finder; kdc copies them at the next sync.
- ``/my/team/``: who they report to, up the chain, and everyone who reports to them.
- ``/my/wards/``: the wards they work in, with each ward's councillors.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from kdc_core.app import Kdc
from kdc_core.directory.report import confirm_details, last_checked
from kdc_core.errors import NotFound
from kdc_core.people import queries
from kdc_core.people.values import Officer
from kdc_site.access import officer_only, visitor
from kdc_site.formats import govuk_time


def _me() -> Officer:
    who = visitor()
    assert who is not None and who.officer is not None and who.officer.id is not None
    return who.officer


def register(bp: Blueprint, kdc: Kdc) -> None:
    stale_months = kdc.settings.directory.stale_months

    @bp.get("/my/record/")
    @officer_only
    def my_record() -> Any:
        me = _me()
        assert me.id is not None
        with kdc.unit_of_work(source="web:my-record", dry_run=True) as uow:
            officer = uow.people.officer(me.id)
            chain = queries.manager_chain(uow, me.id)
        return render_template(
            "site/my_record.html",
            officer=officer,
            manager=chain[0] if chain else None,
            checked=last_checked(officer.updated_at, officer.confirmed_at),
            stale_months=stale_months,
        )

    @bp.post("/my/record/")
    @officer_only
    def my_record_confirm() -> Any:
        me = _me()
        assert me.id is not None
        who = visitor()
        assert who is not None
        try:
            with kdc.unit_of_work(source=f"web:{who.email}") as uow:
                when = confirm_details(uow, me.id)
        except NotFound:
            abort(404)
        moment = govuk_time(when, kdc.settings.tz)
        flash(f"Thank you. Your details are recorded as checked on {moment}.", "success")
        return redirect(url_for("site.my_record"))

    @bp.get("/my/team/")
    @officer_only
    def my_team() -> Any:
        me = _me()
        assert me.id is not None
        with kdc.unit_of_work(source="web:my-team", dry_run=True) as uow:
            chain = queries.manager_chain(uow, me.id)
            loop_people = queries.manager_loop(uow, me.id)
            tree = queries.team_tree(uow, me.id)
        return render_template("site/my_team.html", chain=chain, tree=tree, loop_people=loop_people)

    @bp.get("/my/wards/")
    @officer_only
    def my_wards() -> Any:
        me = _me()
        assert me.id is not None
        with kdc.unit_of_work(source="web:my-wards", dry_run=True) as uow:
            wards = [
                (ward, queries.councillors_of_ward(uow, ward))
                for ward in queries.wards_of_officer(uow, me.id)
            ]
        return render_template("site/my_wards.html", wards=wards)
