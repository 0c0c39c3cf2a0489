"""The demo council's standing choices: officers' leave the walkabout rota works around, the
officer who takes each of a few services' enquiries when a ward has no named contact, and
some councillors' choices from the menu of opportunities.

Each is added through the service the admin and the command line use, once: a part that is
already there adds nothing. They are added after the demo's enquiries, walkabouts and
newsletter, so those are as they would be without them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, func, select

from kdc_core.calendar.rota.service import save_unavailability
from kdc_core.db.enquiries import ServiceContactRow
from kdc_core.db.events import OfficerUnavailabilityRow, event_officers
from kdc_core.db.newsletters import TopicChoiceRow
from kdc_core.db.people import CouncillorRow, OfficerRow, ServiceRow
from kdc_core.demo.places import CONTACT_GAPS
from kdc_core.enquiries.routing import set_service_contact
from kdc_core.mail.topics import set_topic
from kdc_core.unit_of_work import UnitOfWork

#: (days from today, length in days, why) of the leave of three officers the rota never sent.
LEAVE = ((7, 5, "Annual leave"), (21, 2, "Training: first aid"), (40, 10, "Annual leave"))
#: (topic, receives it, also by text) for the first councillors by name, one choice each.
TOPIC_CHOICES = (
    ("roadworks", False, False),
    ("planning", True, True),
    ("success_stories", False, False),
    ("briefings", True, True),
    ("enquiry_digest", False, False),
    ("ward_events", True, True),
)


def _count(uow: UnitOfWork, row: type) -> int:
    return uow.session.scalar(select(func.count()).select_from(row)) or 0


def seed_unavailability(uow: UnitOfWork, today: dt.date) -> int:
    """Leave for three officers of ward-facing services no event invites, in the weeks ahead
    (so the walkabouts already planned stay as they are); how many spans were added."""
    if _count(uow, OfficerUnavailabilityRow):
        return 0
    invited = exists().where(event_officers.c.officer_id == OfficerRow.id)
    officers = uow.session.scalars(
        select(OfficerRow.id)
        .join(ServiceRow, ServiceRow.id == OfficerRow.service_id)
        .where(ServiceRow.ward_facing.is_(True), OfficerRow.archived_at.is_(None), ~invited)
        .order_by(OfficerRow.person_id)
        .limit(len(LEAVE))
    ).all()
    zone = uow.settings.tz
    for officer_id, (after, days, why) in zip(officers, LEAVE, strict=False):
        start = dt.datetime.combine(today + dt.timedelta(days=after), dt.time(), zone)
        save_unavailability(uow, officer_id, start, start + dt.timedelta(days=days), why)
    return len(officers)


def seed_service_contacts(uow: UnitOfWork) -> int:
    """A default contact for each service some ward has no named contact for: the service's
    first officer by directory id; how many were set."""
    if _count(uow, ServiceContactRow):
        return 0
    names = sorted({service for _ward, service in CONTACT_GAPS})
    added = 0
    for service_id in uow.session.scalars(select(ServiceRow.id).where(ServiceRow.name.in_(names))):
        officer_id = uow.session.scalar(
            select(OfficerRow.id)
            .where(OfficerRow.service_id == service_id, OfficerRow.archived_at.is_(None))
            .order_by(OfficerRow.person_id)
            .limit(1)
        )
        if officer_id is not None:
            set_service_contact(uow.session, service_id, officer_id)
            added += 1
    return added


def seed_topic_choices(uow: UnitOfWork) -> int:
    """One choice each for the first few active councillors by name; how many were made."""
    if _count(uow, TopicChoiceRow):
        return 0
    councillors = uow.session.scalars(
        select(CouncillorRow.id)
        .where(CouncillorRow.archived_at.is_(None))
        .order_by(CouncillorRow.name)
        .limit(len(TOPIC_CHOICES))
    ).all()
    for councillor_id, (topic, on, sms) in zip(councillors, TOPIC_CHOICES, strict=False):
        set_topic(uow, councillor_id, topic, on, sms)
    return len(councillors)
