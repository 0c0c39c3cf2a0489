"""Messages about late enquiries: the named officer on the first day one is late, and their
line manager once it is a configurable number of working days late (run daily by the
``enquiry_escalation`` job). Built and queued like the other enquiry messages
(:mod:`kdc_core.enquiries.messages`), once per respond-by date and recipient."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kdc_core.db.enquiries import EnquiryRow
from kdc_core.db.people import OfficerRow
from kdc_core.enquiries.messages import (
    OFFICER_WHY,
    PROTOCOL_LINE,
    _facts,
    _key,
    _officer,
    _officer_contact,
    _queue,
)
from kdc_core.enquiries.timescales import working_days_between
from kdc_core.enquiries.values import OPEN_STATUSES, Told
from kdc_core.mail.letters import Letter
from kdc_core.timewords import govuk_date
from kdc_core.unit_of_work import UnitOfWork


def overdue_messages(uow: UnitOfWork, today: dt.date, escalate_after: int) -> Told:
    """Late enquiries: their named officer is told once per respond-by date (from the first
    day it is late); their line manager too, once, when the enquiry is ``escalate_after``
    working days late. Running it again the same day, or any later day, queues nothing new
    until the respond-by date or the named officer changes."""
    rows = list(
        uow.session.scalars(
            select(EnquiryRow)
            .where(
                EnquiryRow.status.in_([s.value for s in OPEN_STATUSES]),
                EnquiryRow.respond_by < today,
                EnquiryRow.officer_id.is_not(None),
                EnquiryRow.anonymised_at.is_(None),
            )
            .order_by(EnquiryRow.respond_by, EnquiryRow.id)
        )
    )
    letters = []
    tz = uow.settings.tz
    for row in rows:
        officer = _officer(uow, row.officer_id)
        if officer is None:
            continue
        late = working_days_between(row.respond_by, today)
        due = govuk_date(row.respond_by, tz)
        letters.append(
            (
                officer,
                Letter(
                    subject=f"Enquiry {row.reference} is overdue",
                    heading=f"{row.reference} was due {due}",
                    greeting=f"Dear {officer.name},",
                    paragraphs=(
                        f"This enquiry passed its respond-by date, {due}. Please answer the "
                        "councillor, or extend it with a reason so they know when to expect "
                        "an answer.",
                        PROTOCOL_LINE,
                    ),
                    facts=_facts(uow, row, "officer"),
                    why=OFFICER_WHY,
                ),
                _key("overdue", row, row.respond_by.isoformat(), officer),
            )
        )
        officer_row = uow.session.get(OfficerRow, row.officer_id)
        manager = _officer(uow, officer_row.manager_id if officer_row else None)
        if manager is not None and late >= escalate_after:
            letters.append(
                (
                    manager,
                    Letter(
                        subject=f"Enquiry {row.reference} is {late} working days late",
                        heading=f"An enquiry in your team is {late} working days late",
                        greeting=f"Dear {manager.name},",
                        paragraphs=(
                            f"{officer.name} is the named officer for {row.reference}, which "
                            f"was due {due} and has not been answered or extended.",
                        ),
                        facts=(
                            *_facts(uow, row, "officer"),
                            ("Named officer", _officer_contact(uow, row.officer_id)),
                        ),
                        why="You receive this because you manage the enquiry's named officer.",
                    ),
                    _key("escalated", row, row.respond_by.isoformat(), manager),
                )
            )
    return _queue(uow, letters, "enquiry-overdue")
