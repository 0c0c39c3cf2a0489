"""Enquiry due dates as calendar entries for a councillor's private feed.

The enquiries module answers ``kdc_councillor_feed_events``; the iCalendar feed adds the
answers to the councillor's private feed. Each open enquiry the councillor raised or shares
appears on its response date (09:00–09:15 local time), titled with the reference, service and
named officer — never the constituent.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kdc_core.calendar.values import CalendarEvent, EventKind
from kdc_core.db.enquiries import EnquiryPersonRow, EnquiryRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries.values import OPEN_STATUSES
from kdc_core.unit_of_work import UnitOfWork

DUE_AT = dt.time(9, 0)
LENGTH = dt.timedelta(minutes=15)


def due_date_events(
    uow: UnitOfWork, councillor_id: int, start: dt.datetime, end: dt.datetime, domain: str
) -> list[CalendarEvent]:
    """Open enquiries of the councillor falling due between ``start`` and ``end``."""
    tz = uow.settings.tz
    rows = list(
        uow.session.scalars(
            select(EnquiryRow)
            .join(EnquiryPersonRow, EnquiryPersonRow.enquiry_id == EnquiryRow.id)
            .where(
                EnquiryPersonRow.person_id == councillor_id,
                EnquiryPersonRow.kind.in_(("councillor", "joint_councillor")),
                EnquiryRow.status.in_([s.value for s in OPEN_STATUSES]),
                EnquiryRow.respond_by >= start.astimezone(tz).date(),
                EnquiryRow.respond_by <= end.astimezone(tz).date(),
            )
            .order_by(EnquiryRow.respond_by, EnquiryRow.id)
        )
    )
    events = []
    for row, enquiry in zip(rows, store.to_values(uow.session, rows), strict=True):
        begins = dt.datetime.combine(enquiry.respond_by, DUE_AT, tzinfo=tz).astimezone(dt.UTC)
        who = enquiry.officer or "unassigned (liaison team)"
        events.append(
            CalendarEvent(
                id=-row.id,
                uid=f"enquiry-{enquiry.reference}@{domain}",
                kind=EventKind.OTHER,
                title=f"Enquiry {enquiry.reference} response due",
                start=begins,
                end=begins + LENGTH,
                timezone=str(tz),
                description=(
                    f"{enquiry.reference}: {enquiry.category}, {enquiry.service}. "
                    f"Named officer: {who}. Status: {enquiry.status.value}."
                ),
                ward_ids=(row.ward_id,) if row.ward_id else (),
                service_id=row.service_id,
                councillor_ids=(councillor_id,),
                sequence=row.extension_stage,
                source="enquiries",
                external_id=enquiry.reference,
                created_at=row.created_at,
                modified_at=row.updated_at,
            )
        )
    return events
