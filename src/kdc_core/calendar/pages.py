"""An event's own page: what it shows, and who may open it.

Every event in a feed carries ``{base_url}/events/<uid>`` as its URL (see
:func:`kdc_core.calendar.events.event_url`); these rules decide what that address shows.

- A **public** event (the kind that ward, service and public feeds carry: ``public`` set) is
  shown to anyone, signed in or not.
- A **private** event is shown only to someone signed in who is staff (any officer, or a
  person with an admin account) or a councillor it concerns (invited, or a member of the
  meeting's committee: :mod:`kdc_core.calendar.concerns`). The public is asked to sign in;
  anyone else signed in is refused.
- A cancelled event keeps its page, which says it was cancelled.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs
from sqlalchemy import select

from kdc_core.calendar.concerns import councillors_concerned
from kdc_core.calendar.values import CalendarEvent
from kdc_core.db.people import ServiceRow, WardRow
from kdc_core.db.repositories.people import service_value, ward_value
from kdc_core.errors import NotFound
from kdc_core.people.values import Councillor, Officer, Service, Ward
from kdc_core.unit_of_work import UnitOfWork
from kdc_core.users.sessions import Identity

#: Longest UID looked up (the column holds 255 characters).
MAX_UID = 255


class EventAccess(enum.StrEnum):
    """What a visitor gets at an event's address."""

    SHOW = "show"
    SIGN_IN = "sign_in"
    FORBIDDEN = "forbidden"


@attrs.frozen
class EventPage:
    """An event with the people and places it names, ready for its page."""

    event: CalendarEvent
    wards: tuple[Ward, ...]
    service: Service | None
    councillors: tuple[Councillor, ...]
    officers: tuple[Officer, ...]


def find_event(uow: UnitOfWork, uid: str) -> CalendarEvent:
    """The event with this UID.

    :raises NotFound: none has it (including UIDs too long or with control characters).
    """
    if not uid or len(uid) > MAX_UID or not uid.isprintable():
        raise NotFound("no event with that UID")
    return uow.events.by_uid(uid)


def event_access(uow: UnitOfWork, event: CalendarEvent, who: Identity | None) -> EventAccess:
    """Whether ``who`` (``None`` for the public) may see ``event``: the rules above."""
    if event.public:
        return EventAccess.SHOW
    if who is None or not who.known:
        return EventAccess.SIGN_IN
    if who.is_staff:
        return EventAccess.SHOW
    councillor = who.councillor
    if councillor is not None and councillor.id in councillors_concerned(uow, event):
        return EventAccess.SHOW
    return EventAccess.FORBIDDEN


def event_page(uow: UnitOfWork, event: CalendarEvent) -> EventPage:
    """The event's wards, service and invitees (active or not), for its page."""
    ward_rows = uow.session.scalars(
        select(WardRow).where(WardRow.id.in_(event.ward_ids)).order_by(WardRow.name)
    )
    service = None
    if event.service_id is not None:
        row = uow.session.get(ServiceRow, event.service_id)
        service = service_value(row) if row is not None else None
    councillors = uow.people.councillors(ids=event.councillor_ids, include_archived=True)
    officers = uow.people.officers(ids=event.officer_ids, include_archived=True)
    return EventPage(
        event=event,
        wards=tuple(ward_value(r) for r in ward_rows),
        service=service,
        councillors=tuple(councillors),
        officers=tuple(officers),
    )


def upcoming_public_events(
    uow: UnitOfWork,
    *,
    ward_id: int | None = None,
    now: dt.datetime | None = None,
    limit: int = 10,
) -> list[CalendarEvent]:
    """The next ``limit`` public events that have not ended (all, or one ward's), not
    cancelled, soonest first."""
    events = uow.events.query(
        start=now or dt.datetime.now(dt.UTC),
        ward_id=ward_id,
        public_only=True,
        include_cancelled=False,
    )
    return events[:limit]
