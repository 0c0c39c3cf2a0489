"""Rows for the member–officer protocol: adopted versions, findings, political meetings and
the 11.2 complaints log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kdc_core.db.base import Base, UTCDateTime, utcnow
from kdc_core.db.events import EventRow
from kdc_core.db.people import CouncillorRow, OfficerRow, PoliticalGroupRow


class ProtocolVersionRow(Base):
    """A version of the protocol the council adopted; ``document`` is the whole TOML as JSON."""

    __tablename__ = "protocol_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    digest: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    adopted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProtocolFindingRow(Base):
    """One thing a rule found wrong with one subject (an event, a complaint, a briefing)."""

    __tablename__ = "protocol_findings"
    __table_args__ = (UniqueConstraint("rule_id", "subject_kind", "subject_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(80), index=True)
    clause: Mapped[str] = mapped_column(String(10))
    severity: Mapped[str] = mapped_column(String(10))
    protocol_version: Mapped[str] = mapped_column(String(40))
    subject_kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(String(200), default="")
    subject_label: Mapped[str] = mapped_column(String(300))
    problem: Mapped[str] = mapped_column(Text)
    fix: Mapped[str] = mapped_column(Text)
    entities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    found_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    override_reason: Mapped[str | None] = mapped_column(Text)
    overridden_by: Mapped[str | None] = mapped_column(String(200))
    overridden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class EventPoliticalMeetingRow(Base):
    """Marks an event as a political meeting: a council party group's meeting (6.1/6.2) or a
    ward or constituency party political meeting (7.5)."""

    __tablename__ = "event_political_meetings"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(20))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("political_groups.id", ondelete="SET NULL"), index=True
    )
    matter: Mapped[str | None] = mapped_column(String(300))

    event: Mapped[EventRow] = relationship()
    group: Mapped[PoliticalGroupRow | None] = relationship()


class ComplaintRow(Base):
    """A complaint of bullying, harassment or hectoring of an officer by a councillor (11.2)."""

    __tablename__ = "protocol_complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    councillor_id: Mapped[int] = mapped_column(
        ForeignKey("councillors.id", ondelete="CASCADE"), index=True
    )
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text)
    received_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)

    councillor: Mapped[CouncillorRow] = relationship()
    officer: Mapped[OfficerRow | None] = relationship()
    stages: Mapped[list[ComplaintStageRow]] = relationship(
        back_populates="complaint", order_by="ComplaintStageRow.id", cascade="all, delete-orphan"
    )


class ComplaintStageRow(Base):
    __tablename__ = "protocol_complaint_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("protocol_complaints.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(40))
    started_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(Text)
    skip_reason: Mapped[str | None] = mapped_column(Text)

    complaint: Mapped[ComplaintRow] = relationship(back_populates="stages")
