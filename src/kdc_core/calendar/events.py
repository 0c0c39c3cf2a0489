"""Creating, changing and cancelling events. The admin, the CLI and plugins all come here;
many events of a source at once go through :mod:`kdc_core.calendar.bulk`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import attrs
from sqlalchemy import select

from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus, NewEvent, check_times
from kdc_core.db.events import EventRow
from kdc_core.db.repositories.events import EventRepository, event_value
from kdc_core.errors import NotFound
from kdc_core.protocol.service import enforce, overriding
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
    """The event's page in the web app, used as the URL back-link in feeds.

    The UID is percent-encoded (``@`` kept), so a source's UID with ``/``, ``?`` or ``#`` in
    it still makes one address that opens the page.
    """
    return f"{uow.settings.base_url}/events/{quote(event.uid, safe='@')}"


def _stamp_cancellation(row: EventRow) -> None:
    """A cancelled event records when it was cancelled; any other status clears that."""
    if row.status == EventStatus.CANCELLED.value:
        row.cancelled_at = row.cancelled_at or dt.datetime.now(dt.UTC)
    else:
        row.cancelled_at = None


def _check_protocol(uow: UnitOfWork, row: EventRow, override_reason: str | None) -> None:
    uow.session.flush()
    with overriding(uow, override_reason):
        enforce(uow, "event", [row.id])


def create_event(
    uow: UnitOfWork, new: NewEvent, *, override_reason: str | None = None
) -> CalendarEvent:
    """Store a new event (sequence 0, a fresh UID) with its wards and invitees, then run the
    protocol's event rules.

    :param override_reason: go ahead despite an error-level protocol finding; the reason is
        recorded on the finding. Applies to this event's check only.
    :raises ProtocolBlocked: an error-level finding and no override reason.
    """
    repo = EventRepository(uow.session)
    row = repo.add(new, make_uid(uow, new))
    _stamp_cancellation(row)
    _check_protocol(uow, row, override_reason)
    return event_value(row)


def update_event(
    uow: UnitOfWork, event_id: int, *, override_reason: str | None = None, **changes: Any
) -> CalendarEvent:
    """Change an event's fields; wards and invitees with ``ward_ids``, ``councillor_ids``,
    ``officer_ids``. SEQUENCE goes up when a field a client shows changes. Setting the status
    to cancelled stamps ``cancelled_at``; any other status clears it.

    :param override_reason: as for :func:`create_event`.
    :raises EventTimesError: the event would not end after it starts.
    :raises ProtocolBlocked: an error-level finding and no override reason.
    """
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
    check_times(row.title, row.start, row.end, uow.settings.tz)
    _stamp_cancellation(row)
    repo.set_links(row, **links)
    _check_protocol(uow, row, override_reason)
    return event_value(row)


def cancel_event(
    uow: UnitOfWork, event_id: int, *, override_reason: str | None = None
) -> CalendarEvent:
    """Cancel, keeping the event (STATUS:CANCELLED, higher SEQUENCE) so clients remove it."""
    return update_event(
        uow, event_id, status=EventStatus.CANCELLED, override_reason=override_reason
    )


def cancel_events(uow: UnitOfWork, event_ids: Sequence[int]) -> None:
    """:func:`cancel_event` for many events: the rows are read :data:`WRITE_BATCH` to a
    query and the protocol's event rules run once per :data:`CHECK_BATCH` events.

    :raises NotFound: an id that is not an event.
    :raises ProtocolBlocked: an error-level finding on any of them.
    """
    ids = sorted(set(event_ids))
    for at in range(0, len(ids), WRITE_BATCH):
        chunk = ids[at : at + WRITE_BATCH]
        rows = list(uow.session.scalars(select(EventRow).where(EventRow.id.in_(chunk))))
        missing = set(chunk) - {row.id for row in rows}
        if missing:
            raise NotFound(f"no event with id {min(missing)}")
        for row in rows:
            row.status = EventStatus.CANCELLED.value
            _stamp_cancellation(row)
    uow.session.flush()
    for at in range(0, len(ids), CHECK_BATCH):
        enforce(uow, "event", ids[at : at + CHECK_BATCH])


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


#: Events checked against the protocol per query when many are written at once.
CHECK_BATCH = 2_000
#: Rows inserted, or read back for an update, per statement when many are written at once.
WRITE_BATCH = 1_000
