"""Rows ⇄ values for calendar events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus, NewEvent
from kdc_core.db.events import (
    EventRow,
    OfficerUnavailabilityRow,
    event_councillors,
    event_officers,
    event_wards,
)
from kdc_core.db.people import CouncillorRow, OfficerRow, WardRow
from kdc_core.errors import NotFound

_LOAD = (
    selectinload(EventRow.wards),
    selectinload(EventRow.councillors),
    selectinload(EventRow.officers),
)


def event_value(row: EventRow) -> CalendarEvent:
    return CalendarEvent(
        id=row.id,
        uid=row.uid,
        kind=EventKind(row.kind),
        title=row.title,
        start=row.start,
        end=row.end,
        timezone=row.timezone,
        location=row.location,
        description=row.description,
        ward_ids=tuple(w.id for w in row.wards),
        service_id=row.service_id,
        committee=row.committee,
        councillor_ids=tuple(sorted(c.id for c in row.councillors)),
        officer_ids=tuple(sorted(o.id for o in row.officers)),
        public=row.public,
        status=EventStatus(row.status),
        sequence=row.sequence,
        source=row.source,
        external_id=row.external_id,
        created_at=row.created_at,
        modified_at=row.modified_at,
        cancelled_at=row.cancelled_at,
    )


class EventRepository:
    """Reads and writes event rows inside one session; hands out values."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def row(self, event_id: int) -> EventRow:
        row = self.session.get(EventRow, event_id, options=_LOAD)
        if row is None:
            raise NotFound(f"no event with id {event_id}")
        return row

    def get(self, event_id: int) -> CalendarEvent:
        return event_value(self.row(event_id))

    def by_uid(self, uid: str) -> CalendarEvent:
        row = self.session.scalar(select(EventRow).options(*_LOAD).where(EventRow.uid == uid))
        if row is None:
            raise NotFound(f"no event with UID {uid!r}")
        return event_value(row)

    def row_by_external(self, source: str, external_id: str) -> EventRow | None:
        return self.session.scalar(
            select(EventRow)
            .options(*_LOAD)
            .where(EventRow.source == source, EventRow.external_id == external_id)
        )

    def add(self, new: NewEvent, uid: str) -> EventRow:
        row = EventRow(
            uid=uid,
            kind=new.kind.value,
            title=new.title,
            description=new.description,
            start=new.start,
            end=new.end,
            timezone=new.timezone,
            location=new.location,
            service_id=new.service_id,
            committee=new.committee,
            public=new.public,
            status=new.status.value,
            sequence=0,
            source=new.source,
            external_id=new.external_id,
        )
        self.session.add(row)
        if new.ward_ids or new.councillor_ids or new.officer_ids:
            self.set_links(row, new.ward_ids, new.councillor_ids, new.officer_ids)
        return row

    def set_links(
        self,
        row: EventRow,
        ward_ids: Iterable[int] | None = None,
        councillor_ids: Iterable[int] | None = None,
        officer_ids: Iterable[int] | None = None,
    ) -> None:
        """Replace the event's wards and invitees (``None`` leaves one as it is)."""
        if ward_ids is not None:
            row.wards = self._rows(WardRow, ward_ids)
        if councillor_ids is not None:
            row.councillors = self._rows(CouncillorRow, councillor_ids)
        if officer_ids is not None:
            row.officers = self._rows(OfficerRow, officer_ids)

    def _rows(self, cls: Any, ids: Iterable[int]) -> list[Any]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        rows: list[Any] = list(self.session.scalars(select(cls).where(cls.id.in_(wanted))))
        missing = set(wanted) - {r.id for r in rows}
        if missing:
            raise NotFound(f"no {cls.__tablename__} with id {sorted(missing)}")
        return rows

    def query(
        self,
        *,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        kinds: Iterable[EventKind] | None = None,
        ward_id: int | None = None,
        service_id: int | None = None,
        councillor_id: int | None = None,
        officer_id: int | None = None,
        committees: Iterable[str] | None = None,
        public_only: bool = False,
        include_cancelled: bool = True,
    ) -> list[CalendarEvent]:
        """Events overlapping [start, end), filtered; ordered by start."""
        stmt: Select[EventRow] = (
            select(EventRow).options(*_LOAD).order_by(EventRow.start, EventRow.id)
        )
        if start is not None:
            stmt = stmt.where(EventRow.end > start)
        if end is not None:
            stmt = stmt.where(EventRow.start < end)
        if kinds is not None:
            stmt = stmt.where(EventRow.kind.in_([k.value for k in kinds]))
        if ward_id is not None:
            stmt = stmt.where(
                EventRow.id.in_(
                    select(event_wards.c.event_id).where(event_wards.c.ward_id == ward_id)
                )
            )
        if service_id is not None:
            stmt = stmt.where(EventRow.service_id == service_id)
        if councillor_id is not None or committees is not None:
            clauses = []
            if councillor_id is not None:
                clauses.append(
                    EventRow.id.in_(
                        select(event_councillors.c.event_id).where(
                            event_councillors.c.councillor_id == councillor_id
                        )
                    )
                )
            if committees is not None:
                clauses.append(EventRow.committee.in_(list(committees)))
            stmt = stmt.where(or_(*clauses))
        if officer_id is not None:
            stmt = stmt.where(
                EventRow.id.in_(
                    select(event_officers.c.event_id).where(
                        event_officers.c.officer_id == officer_id
                    )
                )
            )
        if public_only:
            stmt = stmt.where(EventRow.public.is_(True))
        if not include_cancelled:
            stmt = stmt.where(EventRow.status != EventStatus.CANCELLED.value)
        return [event_value(r) for r in self.session.scalars(stmt)]

    def unavailability(
        self, officer_ids: Iterable[int] | None = None
    ) -> list[tuple[int, dt.datetime, dt.datetime, str | None]]:
        stmt = select(
            OfficerUnavailabilityRow.officer_id,
            OfficerUnavailabilityRow.start,
            OfficerUnavailabilityRow.end,
            OfficerUnavailabilityRow.reason,
        ).order_by(OfficerUnavailabilityRow.officer_id, OfficerUnavailabilityRow.start)
        if officer_ids is not None:
            stmt = stmt.where(OfficerUnavailabilityRow.officer_id.in_(list(officer_ids)))
        return [(a, b, c, d) for a, b, c, d in self.session.execute(stmt)]
