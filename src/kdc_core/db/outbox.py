"""Rows for the outbox: every message kdc-core promises to send, queued with the change that
caused it and marked as it goes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from kdc_core.db.base import Base, UTCDateTime, utcnow

#: The states of a queued message (also :mod:`kdc_core.mail.outbox`'s, which queues them).
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
STATUSES = (PENDING, SENDING, SENT, FAILED)


class OutboxMessageRow(Base):
    """One message to one recipient over one channel.

    ``key`` is the idempotency key (``enquiry-created:KE-2027-000123:councillor``): unique, so
    the same cause can never queue the same message twice. ``status`` moves
    ``pending`` → ``sending`` (claimed by a dispatcher until ``lease_until``) → ``sent``, or
    back to ``pending`` with a later ``next_attempt_at`` after a temporary failure, or to
    ``failed`` after a permanent one (or too many attempts).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        # What a dispatcher looks for: due pending messages, oldest first.
        Index(
            "ix_outbox_messages_due",
            "next_attempt_at",
            "id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(250), unique=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")
    mailer: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str] = mapped_column(String(300), default="")
    councillor_id: Mapped[int | None] = mapped_column(
        ForeignKey("councillors.id", ondelete="SET NULL"), index=True
    )
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(400), default="")
    #: The whole RFC 5322 message for email; the text for SMS (UTF-8).
    body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reference: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_name or 'recipient'} ({self.status})"
