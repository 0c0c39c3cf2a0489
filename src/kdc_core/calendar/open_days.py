"""Service open days: a service declares one and the councillors are invited.

Every active councillor is invited, or, when wards are given, the active councillors of those
wards. The event is created whatever it clashes with; the clashes come back as warnings for
the organiser to act on (the same checks as :mod:`kdc_core.calendar.clashes`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from kdc_core.calendar.clashes import Clash, clashes_for
from kdc_core.calendar.events import create_event
from kdc_core.calendar.values import CalendarEvent, EventKind, NewEvent
from kdc_core.errors import NotFound
from kdc_core.unit_of_work import UnitOfWork


@attrs.frozen
class OpenDay:
    """A declared open day and the clashes it has (warnings, not refusals)."""

    event: CalendarEvent
    clashes: tuple[Clash, ...] = ()


def declare_open_day(
    uow: UnitOfWork,
    service: str | int,
    start: dt.datetime,
    end: dt.datetime,
    location: str,
    wards: Iterable[str] | None = None,
    public: bool = False,
    title: str | None = None,
    description: str | None = None,
) -> OpenDay:
    """``declare_open_day(uow, service, start, end, location, wards=None, public=False,
    title=None, description=None) -> OpenDay``

    :param service: the organising service's name, slug or id.
    :param start: timezone-aware; so is ``end``.
    :param wards: ward names or slugs; invite only their councillors (all councillors when
        ``None`` or empty).
    :param public: whether the open day appears in public feeds (private by default, since
        open days are for councillors unless a service says otherwise).
    :param title: defaults to ``"<service> open day"``.
    :raises NotFound: an unknown service or ward.
    :raises ValueError: naive times, or an end before the start.
    """
    if isinstance(service, int):
        services = {s.id: s for s in uow.people.services()}
        if service not in services:
            raise NotFound(f"no service with id {service}")
        service_id, service_name = service, services[service].name
    else:
        row = uow.people.service_row(service)
        service_id, service_name = row.id, row.name
    ward_values = [uow.people.ward(name) for name in wards or ()]
    if ward_values:
        invited = {c.id for w in ward_values for c in uow.people.councillors(ward_id=w.id) if c.id}
    else:
        invited = {c.id for c in uow.people.councillors() if c.id}
    event = create_event(
        uow,
        NewEvent(
            kind=EventKind.OPEN_DAY,
            title=title or f"{service_name} open day",
            start=start,
            end=end,
            timezone=uow.settings.timezone,
            location=location,
            description=description,
            service_id=service_id,
            ward_ids=tuple(sorted(w.id for w in ward_values if w.id is not None)),
            councillor_ids=tuple(sorted(invited)),
            public=public,
        ),
    )
    return OpenDay(event, tuple(clashes_for(uow, event)))
