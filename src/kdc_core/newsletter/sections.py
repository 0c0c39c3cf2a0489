"""The built-in newsletter sections, registered through ``kdc_register_newsletter_sections``.

Each reads one ward and one month straight from the rows in one or two queries, so a month's
issues for every ward cost a handful of queries per ward, not per councillor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select

from kdc_core import hookimpl
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
from kdc_core.newsletter.values import Section, SectionItem, WardMonth
from kdc_core.unit_of_work import UnitOfWork

_KIND_LABELS = {
    "walkabout": "Walkabout",
    "open_day": "Open day",
    "ward_solution_meeting": "Ward solution meeting",
    "briefing": "Briefing",
    "council_meeting": "Meeting",
}


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
    rows = uow.session.execute(
        select(EventRow.kind, EventRow.title, EventRow.start, EventRow.location)
        .join(event_wards, event_wards.c.event_id == EventRow.id)
        .where(
            event_wards.c.ward_id == wm.ward_id,
            EventRow.start >= start,
            EventRow.start < end,
            EventRow.status != "cancelled",
        )
        .order_by(EventRow.start, EventRow.title)
    )
    return tuple(
        SectionItem(
            heading=title,
            text=location or "",
            meta=f"{_KIND_LABELS.get(kind, 'Event')}, {when.astimezone(tz):%A %-d %B %Y, %H:%M}",
        )
        for kind, title, when, location in rows
    )


def staff_changes(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    start, end = _span(wm)
    rows = uow.session.execute(
        select(
            OfficerRow.given_name,
            OfficerRow.family_name,
            OfficerRow.job_title,
            ServiceRow.name,
            OfficerRow.created_at,
            OfficerRow.archived_at,
        )
        .join(OfficerWardRow, OfficerWardRow.officer_id == OfficerRow.id)
        .outerjoin(ServiceRow, ServiceRow.id == OfficerRow.service_id)
        .where(
            OfficerWardRow.ward_id == wm.ward_id,
            or_(
                and_(OfficerRow.created_at >= start, OfficerRow.created_at < end),
                and_(OfficerRow.archived_at >= start, OfficerRow.archived_at < end),
            ),
        )
        .order_by(OfficerRow.family_name, OfficerRow.given_name)
        .distinct()
    )
    items = []
    for given, family, job, service, _created, archived in rows:
        left = archived is not None and start <= archived < end
        what = "Left" if left else "Joined"
        role = ", ".join(p for p in (job, service) if p)
        items.append(SectionItem(heading=f"{given} {family}", text=role, meta=what))
    return tuple(items)


def contacts(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    rows = uow.session.execute(
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
        .where(WardContactRow.ward_id == wm.ward_id, OfficerRow.archived_at.is_(None))
        .order_by(ServiceRow.name)
    ).all()
    link = uow.session.execute(
        select(OfficerRow.given_name, OfficerRow.family_name, OfficerRow.email, OfficerRow.phone)
        .join(WardRow, WardRow.link_officer_id == OfficerRow.id)
        .where(WardRow.id == wm.ward_id, OfficerRow.archived_at.is_(None))
    ).first()
    items = []
    if link is not None:
        items.append(_contact("Ward link officer", *link))
    items.extend(_contact(service, *rest) for service, *rest in rows)
    return tuple(items)


def _contact(role: str, given: str, family: str, email: str | None, phone: str | None):
    reach = " · ".join(p for p in (email, phone) if p)
    return SectionItem(
        heading=f"{given} {family}",
        meta=role,
        text=reach,
        url=f"mailto:{email}" if email else None,
    )


def briefings(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    rows = uow.session.execute(
        select(BriefingRow.title, BriefingRow.body, BriefingRow.public_on, BriefingRow.topic)
        .join(briefing_wards, briefing_wards.c.briefing_id == BriefingRow.id)
        .where(
            briefing_wards.c.ward_id == wm.ward_id,
            BriefingRow.public_on >= wm.month.first,
            BriefingRow.public_on < wm.month.next_first,
        )
        .order_by(BriefingRow.public_on, BriefingRow.id)
    )
    return tuple(
        SectionItem(
            heading=title,
            text=body,
            meta=f"Public from {public_on:%-d %B %Y}",
            topic=topic if topic != "briefings" else None,
        )
        for title, body, public_on, topic in rows
    )


def success_stories(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    rows = uow.session.execute(
        select(
            SuccessStoryRow.title,
            SuccessStoryRow.body,
            SuccessStoryRow.image_url,
            SuccessStoryRow.image_alt,
            ServiceRow.name,
        )
        .outerjoin(ServiceRow, ServiceRow.id == SuccessStoryRow.service_id)
        .where(
            or_(SuccessStoryRow.ward_id == wm.ward_id, SuccessStoryRow.ward_id.is_(None)),
            SuccessStoryRow.published_on >= wm.month.first,
            SuccessStoryRow.published_on < wm.month.next_first,
        )
        .order_by(SuccessStoryRow.published_on, SuccessStoryRow.id)
    )
    return tuple(
        SectionItem(heading=t, text=b, meta=s, image_url=u, image_alt=a or "")
        for t, b, u, a, s in rows
    )


def service_spotlight(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    """One ward-facing service a month, in turn, with how many of its officers work here."""
    services = uow.session.execute(
        select(ServiceRow.id, ServiceRow.name, DirectorateRow.name)
        .outerjoin(DirectorateRow, DirectorateRow.id == ServiceRow.directorate_id)
        .where(ServiceRow.ward_facing.is_(True))
        .order_by(ServiceRow.name)
    ).all()
    if not services:
        return ()
    sid, name, directorate = services[(wm.month.year * 12 + wm.month.month) % len(services)]
    count = uow.session.scalar(
        select(func.count(func.distinct(OfficerRow.id)))
        .join(OfficerWardRow, OfficerWardRow.officer_id == OfficerRow.id)
        .where(
            OfficerRow.service_id == sid,
            OfficerWardRow.ward_id == wm.ward_id,
            OfficerRow.archived_at.is_(None),
        )
    )
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


@hookimpl
def kdc_register_newsletter_sections(register: Callable[[Section], None]) -> None:
    for order, (name, title, topic, collect) in enumerate(BUILT_IN):
        register(Section(name=name, title=title, topic=topic, collect=collect, order=order * 10))
