"""The demo council's complaints under protocol 11.2: one still with the group, one referred
to the Monitoring Officer, and one closed at the group stage, so the admin's complaints pages
show each state. Logged through :mod:`kdc_core.protocol.complaints`, the functions
``kdc protocol complaint-open`` and the admin use, once: when any complaint exists, none is
added.

The summaries are invented and name nobody; the councillor and officer are the first by name
among those in office, so the demo is the same on every run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from kdc_core.db.people import CouncillorRow, OfficerRow
from kdc_core.db.protocol import ComplaintRow
from kdc_core.protocol import complaints
from kdc_core.unit_of_work import UnitOfWork

#: (days ago received, summary, what happened: "open", "referred" or "closed").
COMPLAINTS = (
    (9, "An officer says a councillor questioned them about a planning report in public.",
     "open"),
    (40, "A councillor asked an officer to change advice given to a committee.", "referred"),
    (75, "An officer was copied into a party group's campaign emails.", "closed"),
)  # fmt: skip


def seed_complaints(uow: UnitOfWork, today: dt.date) -> int:
    """Log the demo's complaints; returns how many were added (0 when any exist)."""
    if uow.session.scalar(select(func.count()).select_from(ComplaintRow)):
        return 0
    councillors = uow.session.scalars(
        select(CouncillorRow.id)
        .where(CouncillorRow.archived_at.is_(None))
        .order_by(CouncillorRow.name)
        .limit(len(COMPLAINTS))
    ).all()
    officers = uow.session.scalars(
        select(OfficerRow.id)
        .where(OfficerRow.archived_at.is_(None))
        .order_by(OfficerRow.family_name, OfficerRow.given_name)
        .limit(len(COMPLAINTS))
    ).all()
    added = 0
    for (days_ago, summary, outcome), councillor, officer in zip(
        COMPLAINTS, councillors, officers, strict=False
    ):
        received = today - dt.timedelta(days=days_ago)
        made = complaints.open_complaint(uow, councillor, summary, received, officer_id=officer)
        if outcome == "referred":
            complaints.escalate(
                uow,
                made.id,
                complaints.Stage.MONITORING_OFFICER,
                received + dt.timedelta(days=14),
                "Not resolved with the group; referred on.",
            )
        elif outcome == "closed":
            complaints.close_complaint(
                uow,
                made.id,
                received + dt.timedelta(days=12),
                "Resolved by the group: the councillor apologised.",
            )
        added += 1
    return added
