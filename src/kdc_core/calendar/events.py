"""Creating, changing and cancelling events. The admin, the CLI and plugins all come here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlsplit

import attrs

from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus, NewEvent
from kdc_core.db.repositories.events import EventRepository, event_value
from kdc_core.protocol.service import enforce
from kdc_core.unit_of_work import UnitOfWork

#: Fields :func:`update_event` may change.
EDITABLE = {
    "kind",
    "title",
    "description",
    "start",
    "end",
    "timezone",
    "location",
    "service_id",
    "committee",
    "public",
    "status",
}


def uid_domain(uow: UnitOfWork) -> str:
    return urlsplit(uow.settings.base_url).hostname or "kdc.invalid"


def make_uid(uow: UnitOfWork, new: NewEvent) -> str:
    """A stable UID: derived from the source's id when there is one, else random."""
    if new.source and new.external_id:
        return f"{new.source}-{new.external_id}@{uid_domain(uow)}"
    return f"{uuid.uuid4()}@{uid_domain(uow)}"


def event_url(uow: UnitOfWork, event: CalendarEvent) -> str:
    """The event's page in the web app, used as the URL back-link in feeds."""
    return f"{uow.settings.base_url}/events/{event.uid}"


def create_event(uow: UnitOfWork, new: NewEvent) -> CalendarEvent:
    """Store a new event (sequence 0) with its wards and invitees."""
    repo = EventRepository(uow.session)
    row = repo.add(new, make_uid(uow, new))
    uow.session.flush()
    enforce(uow, "event", [row.id])
    return event_value(row)


def update_event(uow: UnitOfWork, event_id: int, **changes: Any) -> CalendarEvent:
    """Change an event's fields; wards and invitees with ``ward_ids``, ``councillor_ids``,
    ``officer_ids``. SEQUENCE goes up when a field a client shows changes."""
    repo = EventRepository(uow.session)
    row = repo.row(event_id)
    links = {
        k: changes.pop(k) for k in ("ward_ids", "councillor_ids", "officer_ids") if k in changes
    }
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} on an event")
    for name, value in changes.items():
        if isinstance(value, EventKind | EventStatus):
            value = value.value
        setattr(row, name, value)
    if row.end <= row.start:
        raise ValueError(f"event {row.title!r} would end before it starts")
    if changes.get("status") in (EventStatus.CANCELLED, EventStatus.CANCELLED.value):
        row.cancelled_at = row.cancelled_at or dt.datetime.now(dt.UTC)
    elif "status" in changes:
        row.cancelled_at = None
    repo.set_links(row, **links)
    uow.session.flush()
    enforce(uow, "event", [row.id])
    return event_value(row)


def cancel_event(uow: UnitOfWork, event_id: int) -> CalendarEvent:
    """Cancel, keeping the event (STATUS:CANCELLED, higher SEQUENCE) so clients remove it."""
    return update_event(uow, event_id, status=EventStatus.CANCELLED)


def upsert_external(uow: UnitOfWork, new: NewEvent) -> tuple[CalendarEvent, bool]:
    """Create or update the event a source knows by (source, external_id).

    :returns: the event and whether anything changed.
    """
    if not (new.source and new.external_id):
        raise ValueError("upsert_external needs source and external_id")
    repo = EventRepository(uow.session)
    row = repo.row_by_external(new.source, new.external_id)
    if row is None:
        return create_event(uow, new), True
    before = event_value(row)
    fields = {
        f.name: getattr(new, f.name)
        for f in attrs.fields(NewEvent)
        if f.name in EDITABLE and getattr(before, f.name) != getattr(new, f.name)
    }
    links = {}
    for name in ("ward_ids", "councillor_ids", "officer_ids"):
        if tuple(sorted(getattr(new, name))) != tuple(sorted(getattr(before, name))):
            links[name] = getattr(new, name)
    if not fields and not links:
        return before, False
    return update_event(uow, row.id, **fields, **links), True
