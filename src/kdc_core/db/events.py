"""Rows for calendar events, their wards and invitees, and officers' unavailability."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kdc_core.db.base import Base, UTCDateTime, council_zone
from kdc_core.db.people import CouncillorRow, OfficerRow, ServiceRow, TimestampMixin, WardRow
from kdc_core.timewords import plain_moment

event_wards = Table(
    "event_wards",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("ward_id", ForeignKey("wards.id", ondelete="CASCADE"), primary_key=True, index=True),
)
event_councillors = Table(
    "event_councillors",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "councillor_id",
        ForeignKey("councillors.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
event_officers = Table(
    "event_officers",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "officer_id", ForeignKey("officers.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class EventRow(TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    end: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    location: Mapped[str | None] = mapped_column(String(300))
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL"), index=True
    )
    committee: Mapped[str | None] = mapped_column(String(200), index=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str | None] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(120))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    service: Mapped[ServiceRow | None] = relationship()
    wards: Mapped[list[WardRow]] = relationship(secondary=event_wards, order_by=WardRow.name)
    councillors: Mapped[list[CouncillorRow]] = relationship(
        secondary=event_councillors, order_by=CouncillorRow.name
    )
    officers: Mapped[list[OfficerRow]] = relationship(
        secondary=event_officers, order_by=OfficerRow.family_name
    )

    def __str__(self) -> str:
        """The title and start, ``Cabinet (Tue 6 Jul 2027 18:00 BST)``, in the council's zone
        (the event's own outside an application): it labels the row in the admin, change
        lists, import output and protocol findings."""
        return event_label(self.title, self.start, council_zone(self), self.timezone)


def event_label(
    title: str, start: dt.datetime, council: dt.tzinfo | None, timezone: str | None
) -> str:
    """An event's label (its ``str``) from its values: the title and start in the council's
    zone ``council``, or, outside an application (``None``), in the zone ``timezone`` names."""
    zone = council
    if zone is None:
        try:
            zone = ZoneInfo(timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = dt.UTC
    return f"{title} ({plain_moment(start, zone)})"


class OfficerUnavailabilityRow(Base):
    """A span when an officer cannot be booked (leave, training, another commitment)."""

    __tablename__ = "officer_unavailability"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    end: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(200))

    officer: Mapped[OfficerRow] = relationship()


#: Columns whose change a calendar client must see: changing one bumps SEQUENCE (RFC 5545).
SEQUENCED_FIELDS = ("title", "description", "start", "end", "timezone", "location", "status")


@event.listens_for(EventRow, "before_update")
def _bump_sequence(_mapper: Any, _connection: Any, target: EventRow) -> None:
    state = inspect(target)
    for name in SEQUENCED_FIELDS:
        hist = state.attrs[name].history
        if hist.has_changes() and list(hist.deleted) != list(hist.added):
            target.sequence = (target.sequence or 0) + 1
            return
