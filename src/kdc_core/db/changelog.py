"""The change log: one row per change committed to a tracked record, for the audit page."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kdc_core.db.base import Base, UTCDateTime, utcnow


class ChangeLogRow(Base):
    """Who changed which record, which fields, and when.

    Written in the same transaction as the change (see :mod:`kdc_core.changelog`). Holds
    the change's label and field *names*, never field values, so no personal data lands
    here: enquiries are labelled by reference and complaints by id.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_entity_key", "entity", "key", "id"),
        Index("ix_change_log_at", "at"),
        Index("ix_change_log_source", "source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: ``admin:<email>``, ``cli``, ``import:moderngov`` …
    source: Mapped[str] = mapped_column(String(255))
    entity: Mapped[str] = mapped_column(String(40))
    key: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(300))
    #: The changed fields' names, comma-separated ("" for additions and deletions).
    fields: Mapped[str] = mapped_column(Text, default="")
