"""Rows for private calendar-feed tokens. Only a SHA-256 digest of each token is stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kdc_core.db.base import Base, UTCDateTime, utcnow


class FeedTokenRow(Base):
    """One issued feed token: whose feed it opens, its digest, and when it was revoked."""

    __tablename__ = "feed_tokens"
    __table_args__ = (Index("ix_feed_tokens_owner", "owner_kind", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(20), doc="councillor or officer")
    owner_id: Mapped[int] = mapped_column(Integer)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, doc="hex SHA-256")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"{self.owner_kind} {self.owner_id} feed token ({state})"
