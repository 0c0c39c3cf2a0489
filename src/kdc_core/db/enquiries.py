"""Rows for enquiries (casework): the enquiry, its people, notes, audit trail and settings.

The audit table is append-only: :func:`_refuse_audit_change` stops the ORM from updating or
deleting an audit row, and the admin shows it read-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kdc_core.db.base import Base, UTCDateTime, council_zone, utcnow
from kdc_core.db.people import OfficerRow, ServiceRow
from kdc_core.timewords import plain_moment


class EnquiryCategoryRow(Base):
    """One kind of enquiry: its timescales, default service and retention.

    An enquiry is opened only in an active category (see
    :mod:`kdc_core.enquiries.categories`); an inactive one keeps its history.
    """

    __tablename__ = "enquiry_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    acknowledge_days: Mapped[int] = mapped_column(Integer, default=1, doc="working days")
    respond_days: Mapped[int] = mapped_column(Integer, default=10, doc="working days")
    retention_days: Mapped[int] = mapped_column(
        Integer, default=730, doc="days kept after closure (or resolution, if never closed)"
    )
    follow_up_days: Mapped[int] = mapped_column(Integer, default=28, doc="reopen window")
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL"),
        doc="the service an enquiry goes to when it names none",
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    service: Mapped[ServiceRow | None] = relationship(lazy="joined")

    def __str__(self) -> str:
        return self.name


class EnquiryCounterRow(Base):
    """The last reference number handed out in one year (locked while a number is taken)."""

    __tablename__ = "enquiry_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class EnquiryRow(Base):
    __tablename__ = "enquiries"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        # Covers the overdue query: status IN (open ones) AND respond_by < today, by ward,
        # service or officer, read from the index alone.
        Index(
            "ix_enquiries_open_due", "status", "respond_by", "ward_id", "service_id", "officer_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    legacy_reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    ward_id: Mapped[int | None] = mapped_column(
        ForeignKey("wards.id", ondelete="SET NULL"), index=True, active_history=True
    )
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL"), index=True, active_history=True
    )
    category: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    constituent_name: Mapped[str | None] = mapped_column(String(200))
    constituent_email: Mapped[str | None] = mapped_column(String(254))
    constituent_phone: Mapped[str | None] = mapped_column(String(40))
    constituent_address: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(20), default="received", index=True, active_history=True
    )
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    acknowledge_by: Mapped[dt.date] = mapped_column(Date)
    respond_by: Mapped[dt.date] = mapped_column(Date, active_history=True)
    original_respond_by: Mapped[dt.date] = mapped_column(Date)
    extension_stage: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), index=True, active_history=True
    )
    routed_by: Mapped[str] = mapped_column(
        String(20), doc="ward_contact|service|unassigned|assigned"
    )
    advocacy: Mapped[bool] = mapped_column(Boolean, default=False)
    info_public: Mapped[bool | None] = mapped_column(Boolean)
    info_not_barred: Mapped[bool | None] = mapped_column(Boolean)
    info_not_confidential: Mapped[bool | None] = mapped_column(Boolean)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_in_time: Mapped[bool | None] = mapped_column(
        Boolean,
        doc="resolved on or before respond_by (local date); for the SLA figures",
        active_history=True,
    )
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    people: Mapped[list[EnquiryPersonRow]] = relationship(
        back_populates="enquiry", cascade="all, delete-orphan", order_by="EnquiryPersonRow.id"
    )
    notes: Mapped[list[EnquiryNoteRow]] = relationship(
        back_populates="enquiry", order_by="EnquiryNoteRow.id"
    )
    audit: Mapped[list[EnquiryAuditRow]] = relationship(
        back_populates="enquiry", order_by="EnquiryAuditRow.id", viewonly=True
    )

    def __str__(self) -> str:
        """The reference only: this names the enquiry in the admin and in change
        notifications, which must never carry a constituent's details."""
        return self.reference


class EnquiryTotalRow(Base):
    """How many enquiries one ward, service or officer has open, answered in time and
    answered late (resolved, whether closed since or not).

    With :class:`EnquiryOpenCountRow`, the summary the SLA dashboard reads instead of the
    enquiries themselves. :mod:`kdc_core.db.enquiry_counts` keeps both in the same
    transaction as every change to an enquiry; ``key_id`` 0 stands for none (no ward, no
    service, nobody named).
    """

    __tablename__ = "enquiry_totals"

    dimension: Mapped[str] = mapped_column(String(8), primary_key=True, doc="ward|service|officer")
    key_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(8), primary_key=True, doc="open|in_time|late")
    n: Mapped[int] = mapped_column(Integer)


class EnquiryOpenCountRow(Base):
    """How many open enquiries one ward, service or officer has due on one date.

    Whether an enquiry is overdue or due soon depends on the day the dashboard is read, so
    the open ones are counted by date too. Keyed date first: the dashboard reads only the
    dates from today on (overdue = open − those), however much history there is.
    """

    __tablename__ = "enquiry_open_counts"

    dimension: Mapped[str] = mapped_column(String(8), primary_key=True, doc="ward|service|officer")
    respond_by: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    key_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class EnquiryPersonRow(Base):
    """A councillor raising the enquiry, or a joint councillor or officer on it."""

    __tablename__ = "enquiry_people"
    __table_args__ = (UniqueConstraint("enquiry_id", "kind", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(
        ForeignKey("enquiries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), doc="councillor|joint_councillor|joint_officer")
    person_id: Mapped[int] = mapped_column(Integer, doc="councillors.id or officers.id")

    enquiry: Mapped[EnquiryRow] = relationship(back_populates="people")


class EnquiryNoteRow(Base):
    __tablename__ = "enquiry_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(
        ForeignKey("enquiries.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    enquiry: Mapped[EnquiryRow] = relationship(back_populates="notes")

    def __str__(self) -> str:
        return self.body[:60]


class EnquiryAuditRow(Base):
    """One change to an enquiry: who, when, what. Never updated or deleted."""

    __tablename__ = "enquiry_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(
        ForeignKey("enquiries.id", ondelete="RESTRICT"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(60))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)

    enquiry: Mapped[EnquiryRow] = relationship(back_populates="audit")

    def __str__(self) -> str:
        return f"{plain_moment(self.at, council_zone(self) or dt.UTC)} {self.actor}: {self.action}"


class AuditIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit row."""


@event.listens_for(EnquiryAuditRow, "before_update")
@event.listens_for(EnquiryAuditRow, "before_delete")
def _refuse_audit_change(_mapper: Any, _connection: Any, target: EnquiryAuditRow) -> None:
    raise AuditIsAppendOnly(f"enquiry audit entry {target.id} cannot be changed or deleted")


class ServiceContactRow(Base):
    """The officer who takes a service's enquiries when the ward has no named contact.

    Kept beside the enquiry tables (rather than as a column on ``services``) so that the
    services–officers relationships keep a single foreign-key path.
    """

    __tablename__ = "enquiry_service_contacts"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"))

    service: Mapped[ServiceRow] = relationship()
    officer: Mapped[OfficerRow] = relationship()
