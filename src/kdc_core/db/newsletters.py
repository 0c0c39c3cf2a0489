"""Rows for ward briefings, topic opt-ins, success stories and stored newsletter issues.

Whom a briefing or an issue reached is the outbox's record (``outbox_messages``, keys
``briefing:…`` and ``newsletter:…``), not a table of its own.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    cast,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from kdc_core.db.base import Base, UTCDateTime, utcnow
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.db.people import CouncillorRow, ServiceRow, WardRow

briefing_wards = Table(
    "briefing_wards",
    Base.metadata,
    Column("briefing_id", ForeignKey("briefings.id", ondelete="CASCADE"), primary_key=True),
    Column("ward_id", ForeignKey("wards.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class BriefingRow(Base):
    """A proposal or announcement a service tells ward councillors about before it is public."""

    __tablename__ = "briefings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    public_on: Mapped[dt.date] = mapped_column(Date, index=True)
    significant: Mapped[bool] = mapped_column(Boolean, default=False)
    topic: Mapped[str] = mapped_column(String(40), default="briefings")
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL"), index=True
    )
    posted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[ServiceRow | None] = relationship()
    wards: Mapped[list[WardRow]] = relationship(secondary=briefing_wards, order_by=WardRow.name)

    def __str__(self) -> str:
        return self.title


class TopicChoiceRow(Base):
    """A councillor's choice for one topic of the menu; no row means the default (opted in)."""

    __tablename__ = "topic_choices"

    councillor_id: Mapped[int] = mapped_column(
        ForeignKey("councillors.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    opted_in: Mapped[bool] = mapped_column(Boolean, default=True)
    sms: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    councillor: Mapped[CouncillorRow] = relationship()


class TopicReviewRow(Base):
    """When a councillor last confirmed their menu of opportunities."""

    __tablename__ = "topic_reviews"

    councillor_id: Mapped[int] = mapped_column(
        ForeignKey("councillors.id", ondelete="CASCADE"), primary_key=True
    )
    confirmed_on: Mapped[dt.date] = mapped_column(Date)


class SuccessStoryRow(Base):
    """A success story for the newsletter; no ward means every ward."""

    __tablename__ = "success_stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    published_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ward_id: Mapped[int | None] = mapped_column(
        ForeignKey("wards.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL"), index=True
    )
    image_url: Mapped[str | None] = mapped_column(String(500))
    image_alt: Mapped[str | None] = mapped_column(String(300))

    ward: Mapped[WardRow | None] = relationship()
    service: Mapped[ServiceRow | None] = relationship()

    def __str__(self) -> str:
        return self.title


class NewsletterIssueRow(Base):
    """One month's newsletter for one councillor of one ward, as built (the archive)."""

    __tablename__ = "newsletter_issues"
    __table_args__ = (UniqueConstraint("ward_id", "month", "councillor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    councillor_id: Mapped[int] = mapped_column(
        ForeignKey("councillors.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    ward: Mapped[WardRow] = relationship()
    councillor: Mapped[CouncillorRow] = relationship()

    @property
    def outbox_key(self) -> str:
        """The key this issue is queued under in the outbox."""
        return issue_key(self.ward_id, self.month, self.councillor_id)


def issue_key(ward_id: int, month: str, councillor_id: int) -> str:
    """``newsletter:<ward id>:<month>:<councillor id>``: one issue, queued once."""
    return f"newsletter:{ward_id}:{month}:{councillor_id}"


#: When the issue was sent: read from its outbox message (``None`` until the outbox sends it).
NewsletterIssueRow.sent_at = column_property(
    select(OutboxMessageRow.sent_at)
    .where(
        OutboxMessageRow.key
        == literal("newsletter:")
        + cast(NewsletterIssueRow.ward_id, String)
        + literal(":")
        + NewsletterIssueRow.month
        + literal(":")
        + cast(NewsletterIssueRow.councillor_id, String),
        OutboxMessageRow.status == "sent",
    )
    .correlate_except(OutboxMessageRow)
    .scalar_subquery()
)
