"""The demo's enquiries: cases in every state, received over the past weeks.

Each case is opened and moved on through :mod:`kdc_core.enquiries.service` (create,
update_status, extend, assign, notes), so references, due dates, routing, the audit trail and
the councillors' and officers' messages are exactly what real use makes. Status changes carry
the time they happened (days after the case came in); an extension and an assignment are
stamped now, as the service always does.

A case is recognised by its description: one already in the database is left alone, so a
second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import select

from kdc_core.db.enquiries import EnquiryRow
from kdc_core.db.people import OfficerRow, OfficerWardRow, ServiceRow, WardRow
from kdc_core.enquiries import categories
from kdc_core.enquiries import service as enquiries
from kdc_core.enquiries.values import Constituent, NewEnquiry, Status

if TYPE_CHECKING:
    from kdc_core.unit_of_work import UnitOfWork

#: Who the audit trail says made the demo's changes.
ACTOR = "Councillor Support & Liaison Team"


@attrs.frozen
class Step:
    """One thing that happens to a case ``after_days`` after it came in.

    ``what`` is a :class:`Status` value, ``"extend"`` (``text`` is the reason), ``"assign"``
    (to an officer of the case's service who works in its ward) or ``"note"``.
    """

    after_days: int
    what: str
    text: str | None = None


@attrs.frozen
class Case:
    ward: str
    service: str
    category: str
    days_ago: int
    description: str
    constituent: Constituent
    steps: tuple[Step, ...] = ()
    joint: bool = False


def _resident(name: str, street: str) -> Constituent:
    local = name.lower().replace(" ", ".")
    return Constituent(name=name, email=f"{local}@example.com", address=f"{street}, Kirklees")


CASES = (
    Case(
        "Almondbury",
        "Highways",
        "Pothole",
        1,
        "Deep pothole outside the primary school on Northgate; parents report near misses.",
        _resident("Aisha Khan", "12 Northgate"),
    ),
    Case(
        "Batley East",
        "Waste and Recycling",
        "Missed collection",
        2,
        "Green bins on Track Road missed three fortnights running.",
        _resident("Peter Walsh", "4 Track Road"),
        (Step(1, "acknowledged"),),
    ),
    Case(
        "Cleckheaton",
        "Streetscene",
        "Fly-tipping",
        6,
        "Mattresses and builders' rubble dumped on the lane behind Tofts Road.",
        _resident("Sandra Lee", "30 Tofts Road"),
        (Step(1, "acknowledged"), Step(3, "in_progress", "Clearance crew booked.")),
    ),
    Case(
        "Dalton",
        "Housing Management",
        "Housing repair",
        9,
        "Council tenant with black mould in two bedrooms; a child in the home has asthma.",
        _resident("Tomasz Nowak", "Flat 3, Ridgeway House"),
        (Step(1, "in_progress"), Step(4, "note", "Surveyor visited; damp course works needed.")),
        joint=True,
    ),
    Case(
        "Greenhead",
        "Parks and Greenspaces",
        "Parks",
        22,
        "Broken swings in Greenhead Park's toddler play area, taped off for a month.",
        _resident("Helen Brook", "7 Park Drive"),
        (Step(2, "acknowledged"), Step(5, "in_progress", "Parts ordered from the supplier.")),
    ),
    Case(
        "Mirfield",
        "Environmental Health",
        "Noise",
        30,
        "Night-time noise from a unit on the industrial estate, most nights after 11pm.",
        _resident("Gareth Pryce", "18 Calder Road"),
    ),
    Case(
        "Kirkburton",
        "Planning",
        "Planning enforcement",
        25,
        "Extension being built beyond the approved plans on Penistone Road.",
        _resident("Ruth Ellis", "45 Penistone Road"),
        (
            Step(1, "acknowledged"),
            Step(12, "extend", "Awaiting the developer's response to the enforcement notice."),
        ),
    ),
    Case(
        "Liversedge and Gomersal",
        "Highways",
        "Street lighting",
        40,
        "Three street lights out on Spen Lane since the cable works.",
        _resident("Imran Patel", "2 Spen Lane"),
        (Step(1, "in_progress"), Step(14, "extend", "Northern Powergrid must repair the cable.")),
    ),
    Case(
        "Ashbrow",
        "Community Safety",
        "Anti-social behaviour",
        16,
        "Groups gathering and lighting fires at the Sheepridge recreation ground.",
        _resident("Dawn Mitchell", "9 Bradley Road"),
        (Step(1, "acknowledged"), Step(4, "in_progress"), Step(8, "resolved", "Patrols added.")),
    ),
    Case(
        "Holme Valley South",
        "Highways",
        "Drainage",
        35,
        "Blocked gullies flooding the road at Victoria Square after every storm.",
        _resident("Owen Firth", "3 Victoria Square"),
        (Step(2, "in_progress"), Step(20, "resolved", "Gullies jetted and a grate replaced.")),
    ),
    Case(
        "Newsome",
        "Libraries",
        "Library services",
        48,
        "Request for Saturday opening at Newsome library for exam-season study.",
        _resident("Priya Shah", "21 Newsome Road"),
        (
            Step(1, "acknowledged"),
            Step(6, "resolved", "Saturday hours agreed for May and June."),
            Step(20, "closed"),
        ),
    ),
    Case(
        "Denby Dale",
        "Adult Social Care",
        "Social care",
        55,
        "Family asking for a care needs assessment for an elderly parent.",
        _resident("Margaret Hinchliffe", "The Cottage, Barnsley Road"),
        (Step(1, "in_progress"), Step(9, "resolved"), Step(30, "closed")),
    ),
    Case(
        "Colne Valley",
        "Highways",
        "Road safety",
        3,
        "Residents ask for a 20mph limit past the school on Manchester Road.",
        _resident("Joe Sykes", "88 Manchester Road"),
        (Step(1, "assign", "No named contact for Highways in this ward."),),
    ),
    Case(
        "Golcar",
        "Early Support",
        "Family support",
        1,
        "Parent asking what support there is for a child waiting for an autism assessment.",
        _resident("Lena Schofield", "5 Town End"),
    ),
)


#: The demo council's enquiry categories: (name, acknowledge, respond in working days,
#: default service, days kept after closure). Seeded before the cases that use them.
CATEGORIES: tuple[tuple[str, int, int, str, int], ...] = (
    ("Anti-social behaviour", 1, 10, "Community Safety", 730),
    ("Drainage", 2, 10, "Highways", 730),
    ("Family support", 1, 10, "Early Support", 2190),
    ("Fly-tipping", 1, 5, "Streetscene", 365),
    ("Housing repair", 1, 10, "Housing Management", 2190),
    ("Library services", 2, 15, "Libraries", 365),
    ("Missed collection", 1, 3, "Waste and Recycling", 365),
    ("Noise", 2, 10, "Environmental Health", 730),
    ("Parks", 2, 15, "Parks and Greenspaces", 365),
    ("Planning enforcement", 3, 20, "Planning", 2190),
    ("Pothole", 1, 5, "Highways", 730),
    ("Road safety", 2, 20, "Highways", 730),
    ("Social care", 1, 10, "Adult Social Care", 2190),
    ("Street lighting", 1, 10, "Highways", 730),
)


def seed_categories(uow: UnitOfWork) -> int:
    """Add the demo's categories that are missing; returns how many were added."""
    return len(
        categories.seed(
            uow,
            (
                categories.CategoryConfig(
                    name=name,
                    acknowledge_days=ack,
                    respond_days=respond,
                    service=service,
                    retention_days=keep,
                )
                for name, ack, respond, service, keep in CATEGORIES
            ),
        )
    )


def _at(received: dt.datetime, days: int, now: dt.datetime) -> dt.datetime:
    return min(received + dt.timedelta(days=days), now)


def _local_officer(uow: UnitOfWork, ward: str, service: str) -> str:
    """The person id of an officer of ``service`` who works in ``ward`` (else any)."""
    query = (
        select(OfficerRow.person_id)
        .join(ServiceRow, ServiceRow.id == OfficerRow.service_id)
        .where(ServiceRow.name == service, OfficerRow.archived_at.is_(None))
        .order_by(OfficerRow.person_id)
    )
    in_ward = query.join(OfficerWardRow, OfficerWardRow.officer_id == OfficerRow.id).join(
        WardRow, WardRow.id == OfficerWardRow.ward_id
    )
    found = uow.session.scalar(in_ward.where(WardRow.name == ward).limit(1))
    return found or uow.session.scalars(query.limit(1)).one()


def open_case(uow: UnitOfWork, case: Case, now: dt.datetime) -> bool:
    """Open ``case`` and take it through its steps, unless it is already there."""
    exists = uow.session.scalar(
        select(EnquiryRow.id).where(EnquiryRow.description == case.description)
    )
    if exists is not None:
        return False
    zone = uow.settings.tz
    day = (now.astimezone(zone) - dt.timedelta(days=case.days_ago)).date()
    received = dt.datetime.combine(day, dt.time(9, 40), zone)
    ward = uow.people.ward(case.ward)
    assert ward.id is not None
    names = tuple(c.name for c in uow.people.councillors(ward_id=ward.id))
    enquiry = enquiries.create(
        uow,
        NewEnquiry(
            councillors=names[:2] if case.joint else names[:1],
            ward=case.ward,
            category=case.category,
            service=case.service,
            description=case.description,
            received_at=received,
            constituent=case.constituent,
            info_public=True,
            info_not_barred=True,
            info_not_confidential=True,
        ),
        ACTOR,
    )
    for step in case.steps:
        when = _at(received, step.after_days, now)
        ref = enquiry.reference
        if step.what == "extend":
            enquiries.extend(uow, ref, step.text or "", ACTOR)
        elif step.what == "assign":
            officer = _local_officer(uow, case.ward, case.service)
            enquiries.assign(uow, ref, officer, ACTOR, step.text)
        elif step.what == "note":
            enquiries.add_note(uow, ref, step.text or "", ACTOR)
        else:
            enquiries.update_status(uow, ref, Status(step.what), ACTOR, step.text, now=when)
    return True
