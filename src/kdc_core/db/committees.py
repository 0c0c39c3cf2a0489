"""Rows for the council's committees and the councillors who sit on them.

A committee comes from a source (``moderngov``) that knows it by an id; its meetings are
``council_meeting`` events whose ``committee`` is the committee's title. Who a meeting
concerns is read from here (and from councillors' roles that name a committee) by
:mod:`kdc_core.calendar.concerns`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kdc_core.db.base import Base, UTCDateTime
from kdc_core.db.people import CouncillorRow, TimestampMixin


class CommitteeRow(TimestampMixin, Base):
    """A committee, panel or board. ``deleted``/``expired`` are the source's flags; a
    committee missing from a later answer is archived. Only a committee that is none of the
    three has members whose meetings concern them."""

    __tablename__ = "committees"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(Text)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    expired: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    members: Mapped[list[CommitteeMembershipRow]] = relationship(
        back_populates="committee", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> bool:
        return not (self.deleted or self.expired or self.archived_at is not None)

    def __str__(self) -> str:
        return self.title


class CommitteeMembershipRow(Base):
    """A councillor's seat on a committee, with the role the source gives (``Chair``,
    ``Vice-Chair``, ``Member``, ``Substitute`` …). A seat the source no longer lists is
    removed; the change log keeps the history."""

    __tablename__ = "committee_memberships"
    __table_args__ = (UniqueConstraint("committee_id", "councillor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        ForeignKey("committees.id", ondelete="CASCADE"), index=True
    )
    councillor_id: Mapped[int] = mapped_column(
        ForeignKey("councillors.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(80), default="Member")

    committee: Mapped[CommitteeRow] = relationship(back_populates="members")
    councillor: Mapped[CouncillorRow] = relationship()

    def __str__(self) -> str:
        return self.role
