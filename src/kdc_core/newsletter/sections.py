"""The built-in newsletter sections, registered through ``kdc_register_newsletter_sections``.

Each reads one ward and one month straight from the rows in one or two queries, so a month's
issues for every ward cost a handful of queries per ward, not per councillor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, or_, select

from kdc_core.calendar.values import EventKind
from kdc_core.db.events import EventRow, event_wards
from kdc_core.db.newsletters import BriefingRow, SuccessStoryRow, briefing_wards
from kdc_core.db.people import (
    DirectorateRow,
    OfficerRow,
    OfficerWardRow,
    ServiceRow,
    WardContactRow,
    WardRow,
)
from kdc_core.newsletter.values import SectionItem, WardMonth
from kdc_core.timewords import clock_time, long_date
from kdc_core.unit_of_work import UnitOfWork

# Built once: a statement made per call costs more to compile than the query takes to run.
_EVENTS = (
    select(EventRow.kind, EventRow.title, EventRow.start, EventRow.location)
    .join(event_wards, event_wards.c.event_id == EventRow.id)
    .where(
        event_wards.c.ward_id == bindparam("ward_id"),
        EventRow.start >= bindparam("start"),
        EventRow.start < bindparam("end"),
        EventRow.status != "cancelled",
    )
    .order_by(EventRow.start, EventRow.title)
)
_STAFF = (
    select(
        OfficerRow.given_name,
        OfficerRow.family_name,
        OfficerRow.job_title,
        ServiceRow.name,
        OfficerRow.archived_at,
    )
    .join(OfficerWardRow, OfficerWardRow.officer_id == OfficerRow.id)
    .outerjoin(ServiceRow, ServiceRow.id == OfficerRow.service_id)
    .where(
        OfficerWardRow.ward_id == bindparam("ward_id"),
        or_(
            and_(
                OfficerRow.created_at >= bindparam("start"),
                OfficerRow.created_at < bindparam("end"),
            ),
            and_(
                OfficerRow.archived_at >= bindparam("start"),
                OfficerRow.archived_at < bindparam("end"),
            ),
        ),
    )
    .order_by(OfficerRow.family_name, OfficerRow.given_name)
    .distinct()
)
_CONTACTS = (
    select(
        ServiceRow.name,
        OfficerRow.given_name,
        OfficerRow.family_name,
        OfficerRow.email,
        OfficerRow.phone,
    )
    .select_from(WardContactRow)
    .join(ServiceRow, ServiceRow.id == WardContactRow.service_id)
    .join(OfficerRow, OfficerRow.id == WardContactRow.officer_id)
    .where(WardContactRow.ward_id == bindparam("ward_id"), OfficerRow.archived_at.is_(None))
    .order_by(ServiceRow.name)
)
_LINK_OFFICER = (
    select(OfficerRow.given_name, OfficerRow.family_name, OfficerRow.email, OfficerRow.phone)
    .join(WardRow, WardRow.link_officer_id == OfficerRow.id)
    .where(WardRow.id == bindparam("ward_id"), OfficerRow.archived_at.is_(None))
)
_BRIEFINGS = (
    select(BriefingRow.title, BriefingRow.body, BriefingRow.public_on, BriefingRow.topic)
    .join(briefing_wards, briefing_wards.c.briefing_id == BriefingRow.id)
    .where(
        briefing_wards.c.ward_id == bindparam("ward_id"),
        BriefingRow.public_on >= bindparam("first"),
        BriefingRow.public_on < bindparam("after"),
    )
    .order_by(BriefingRow.public_on, BriefingRow.id)
)
_STORIES = (
    select(
        SuccessStoryRow.title,
        SuccessStoryRow.body,
        SuccessStoryRow.image_url,
        SuccessStoryRow.image_alt,
        ServiceRow.name,
    )
    .outerjoin(ServiceRow, ServiceRow.id == SuccessStoryRow.service_id)
    .where(
        or_(SuccessStoryRow.ward_id == bindparam("ward_id"), SuccessStoryRow.ward_id.is_(None)),
        SuccessStoryRow.published_on >= bindparam("first"),
        SuccessStoryRow.published_on < bindparam("after"),
    )
    .order_by(SuccessStoryRow.published_on, SuccessStoryRow.id)
)
_WARD_FACING = (
    select(ServiceRow.id, ServiceRow.name, DirectorateRow.name)
    .outerjoin(DirectorateRow, DirectorateRow.id == ServiceRow.directorate_id)
    .where(ServiceRow.ward_facing.is_(True))
    .order_by(ServiceRow.name)
)
_IN_WARD = (
    select(func.count(func.distinct(OfficerRow.id)))
    .join(OfficerWardRow, OfficerWardRow.officer_id == OfficerRow.id)
    .where(
        OfficerRow.service_id == bindparam("service_id"),
        OfficerWardRow.ward_id == bindparam("ward_id"),
        OfficerRow.archived_at.is_(None),
    )
)


def _span(wm: WardMonth) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(wm.timezone)
    start = dt.datetime.combine(wm.month.first, dt.time(), tz)
    end = dt.datetime.combine(wm.month.next_first, dt.time(), tz)
    return start, end


def ward_events(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    """Events in the ward from the start of the month to the end of the next one: the issue
    goes out at the start of its month, so it looks about six weeks ahead."""
    start, _ = _span(wm)
    tz = ZoneInfo(wm.timezone)
    after = wm.month.next_first
    end = dt.datetime.combine(
        dt.date(after.year + after.month // 12, after.month % 12 + 1, 1), dt.time(), tz
    )
    rows = uow.session.execute(_EVENTS, {"ward_id": wm.ward_id, "start": start, "end": end})
    return tuple(
        SectionItem(
            heading=title,
            text=location or "",
            meta=f"{EventKind(kind).label}, {clock_time(when, tz)}",
        )
        for kind, title, when, location in rows
    )


def staff_changes(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    start, end = _span(wm)
    rows = uow.session.execute(_STAFF, {"ward_id": wm.ward_id, "start": start, "end": end})
    items = []
    for given, family, job, service, archived in rows:
        left = archived is not None and start <= archived < end
        what = "Left" if left else "Joined"
        role = ", ".join(p for p in (job, service) if p)
        items.append(SectionItem(heading=f"{given} {family}", text=role, meta=what))
    return tuple(items)


def contacts(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    rows = uow.session.execute(_CONTACTS, {"ward_id": wm.ward_id}).all()
    link = uow.session.execute(_LINK_OFFICER, {"ward_id": wm.ward_id}).first()
    items = []
    if link is not None:
        items.append(_contact("Ward link officer", link[0], link[1], link[2], link[3]))
    items.extend(_contact(s, given, family, mail, phone) for s, given, family, mail, phone in rows)
    return tuple(items)


def _contact(
    role: str, given: str, family: str, email: str | None, phone: str | None
) -> SectionItem:
    reach = " · ".join(p for p in (email, phone) if p)
    return SectionItem(
        heading=f"{given} {family}",
        meta=role,
        text=reach,
        url=f"mailto:{email}" if email else None,
    )


def briefings(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    rows = uow.session.execute(
        _BRIEFINGS,
        {"ward_id": wm.ward_id, "first": wm.month.first, "after": wm.month.next_first},
    )
    return tuple(
        SectionItem(
            heading=title,
            text=body,
            meta=f"Public from {long_date(public_on, dt.UTC)}",
            topic=topic if topic != "briefings" else None,
        )
        for title, body, public_on, topic in rows
    )


def success_stories(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    rows = uow.session.execute(
        _STORIES,
        {"ward_id": wm.ward_id, "first": wm.month.first, "after": wm.month.next_first},
    )
    return tuple(
        SectionItem(heading=t, text=b, meta=s, image_url=u, image_alt=a or "")
        for t, b, u, a, s in rows
    )


def service_spotlight(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    """One ward-facing service a month, in turn, with how many of its officers work here."""
    services = uow.session.execute(_WARD_FACING).all()
    if not services:
        return ()
    sid, name, directorate = services[(wm.month.year * 12 + wm.month.month) % len(services)]
    count = uow.session.scalar(_IN_WARD, {"service_id": sid, "ward_id": wm.ward_id})
    people = "officer works" if count == 1 else "officers work"
    return (
        SectionItem(
            heading=name,
            meta=directorate,
            text=f"{count} of its {people} in {wm.ward_name}.",
        ),
    )


BUILT_IN: tuple[
    tuple[str, str, str, Callable[[UnitOfWork, WardMonth], tuple[SectionItem, ...]]], ...
] = (
    ("ward_events", "Coming up in the ward", "ward_events", ward_events),
    ("briefings", "Briefings this month", "briefings", briefings),
    ("staff_changes", "Officers who joined or left", "staff_changes", staff_changes),
    ("contacts", "Your named contacts", "contacts", contacts),
    ("success_stories", "Success stories", "success_stories", success_stories),
    ("service_spotlight", "Service spotlight", "service_spotlight", service_spotlight),
)
