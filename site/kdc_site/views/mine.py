"""``/my/``: the signed-in person's own pages, and the dashboard that lists them.

A councillor has their enquiries, calendar, briefings and menu of opportunities
(:mod:`kdc_site.views.my_enquiries`, :mod:`kdc_site.views.my_councillor`); an officer has
their record, team and wards (:mod:`kdc_site.views.officer`). Someone who is both sees both.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from kdc_core.app import Kdc
from kdc_core.enquiries import councillors as casework
from kdc_site.access import signed_in, visitor
from kdc_site.navigation import NavItem

_ABOUT = "Your enquiries, calendar, briefings and choices, or your record, team and wards."

NAV = [
    NavItem("site.my_home", "My pages", _ABOUT, "councillor"),
    NavItem("site.my_home", "My pages", _ABOUT, "officer"),
]

#: What the dashboard lists, for whom.
PAGES = (
    NavItem(
        "site.my_enquiries",
        "My enquiries",
        "The enquiries you raised: who has each one, when it is due, and its notes. "
        "Raise a new one.",
        "councillor",
    ),
    NavItem(
        "site.my_calendar",
        "My calendar",
        "Get the address of your own calendar of ward events and enquiry dates, for Outlook, "
        "Google Calendar or Apple Calendar.",
        "councillor",
    ),
    NavItem(
        "site.my_briefings",
        "My briefings",
        "Briefings about your ward, newest first.",
        "councillor",
    ),
    NavItem(
        "site.my_opportunities",
        "My menu of opportunities",
        "Choose what the council tells you about: walkabouts, open days, briefings, "
        "newsletter sections.",
        "councillor",
    ),
    NavItem(
        "site.my_record",
        "My record",
        "The details councillors see about you, and a button to say they are right.",
        "officer",
    ),
    NavItem("site.my_team", "My team", "Who you report to and who reports to you.", "officer"),
    NavItem(
        "site.my_wards",
        "My wards",
        "The wards you work in and their councillors.",
        "officer",
    ),
)


def register(bp: Blueprint, kdc: Kdc) -> None:
    @bp.get("/my/")
    @signed_in
    def my_home() -> Any:
        who = visitor()
        assert who is not None
        pages = [p for p in PAGES if p.shown_to(who)]
        open_count = overdue_count = 0
        if who.councillor is not None and who.councillor.id is not None:
            with kdc.unit_of_work(source="web:my", dry_run=True) as uow:
                cases = casework.for_councillor(uow, who.councillor.id)
            open_count = sum(1 for c in cases if c.enquiry.is_open)
            overdue_count = sum(1 for c in cases if c.overdue)
        return render_template(
            "site/my_home.html",
            pages=pages,
            open_count=open_count,
            overdue_count=overdue_count,
        )
