"""Rows for wards, groups, councillors, the organisation and officers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kdc_core.db.base import Base, UTCDateTime, utcnow


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class WardRow(TimestampMixin, Base):
    __tablename__ = "wards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    ons_code: Mapped[str | None] = mapped_column(String(16))
    link_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )

    councillors: Mapped[list[CouncillorRow]] = relationship(back_populates="ward")
    link_officer: Mapped[OfficerRow | None] = relationship(foreign_keys=[link_officer_id])

    def __str__(self) -> str:
        return self.name


class PoliticalGroupRow(TimestampMixin, Base):
    __tablename__ = "political_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(40))

    councillors: Mapped[list[CouncillorRow]] = relationship(back_populates="group")

    def __str__(self) -> str:
        return self.name


class CouncillorRow(TimestampMixin, Base):
    __tablename__ = "councillors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    ward_id: Mapped[int | None] = mapped_column(
        ForeignKey("wards.id", ondelete="RESTRICT"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("political_groups.id", ondelete="RESTRICT"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    mobile: Mapped[str | None] = mapped_column(String(40))
    photo_url: Mapped[str | None] = mapped_column(String(500))
    bio: Mapped[str | None] = mapped_column(Text)
    surgery: Mapped[str | None] = mapped_column(Text, doc="when and where to meet them (Markdown)")
    key_posts: Mapped[str | None] = mapped_column(Text, doc="one key post per line")
    address: Mapped[str | None] = mapped_column(
        Text, doc="postal address for correspondence, one line per line (as the source gives it)"
    )
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    ward: Mapped[WardRow | None] = relationship(back_populates="councillors")
    group: Mapped[PoliticalGroupRow | None] = relationship(back_populates="councillors")
    terms: Mapped[list[TermOfOfficeRow]] = relationship(
        back_populates="councillor", cascade="all, delete-orphan", order_by="TermOfOfficeRow.start"
    )
    roles: Mapped[list[CouncillorRoleRow]] = relationship(
        back_populates="councillor", cascade="all, delete-orphan", order_by="CouncillorRoleRow.id"
    )
    external_ids: Mapped[list[CouncillorExternalIdRow]] = relationship(
        back_populates="councillor", cascade="all, delete-orphan"
    )
    group_history: Mapped[list[GroupMembershipRow]] = relationship(
        back_populates="councillor",
        cascade="all, delete-orphan",
        order_by="GroupMembershipRow.id",
    )

    def __str__(self) -> str:
        return self.name


class TermOfOfficeRow(Base):
    __tablename__ = "terms_of_office"

    id: Mapped[int] = mapped_column(primary_key=True)
    councillor_id: Mapped[int] = mapped_column(
        ForeignKey("councillors.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)

    councillor: Mapped[CouncillorRow] = relationship(back_populates="terms")

    def __str__(self) -> str:
        return f"{self.start} – {self.end or 'present'}"


class CouncillorRoleRow(Base):
    __tablename__ = "councillor_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    councillor_id: Mapped[int] = mapped_column(
        ForeignKey("councillors.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    committee: Mapped[str | None] = mapped_column(String(200))
    start: Mapped[dt.date | None] = mapped_column(Date, doc="held since (None: not known)")
    end: Mapped[dt.date | None] = mapped_column(Date, doc="held until (None: still held)")
    source: Mapped[str | None] = mapped_column(
        String(40), doc="the import that keeps this role (None: entered here)"
    )

    councillor: Mapped[CouncillorRow] = relationship(back_populates="roles")

    def __str__(self) -> str:
        return self.title


class GroupMembershipRow(Base):
    """A councillor's membership of a political group, kept when the group changes.

    The councillor's current group is ``councillors.group_id``; these rows are its history,
    written by the roster sync from the first change it sees (the membership before that
    change has no known start).
    """

    __tablename__ = "councillor_group_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    councillor_id: Mapped[int] = mapped_column(
        ForeignKey("councillors.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("political_groups.id", ondelete="RESTRICT"), index=True
    )
    start: Mapped[dt.date | None] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)

    councillor: Mapped[CouncillorRow] = relationship(back_populates="group_history")
    group: Mapped[PoliticalGroupRow] = relationship()

    def __str__(self) -> str:
        return f"{self.start or '…'} – {self.end or 'present'}"


class CouncillorExternalIdRow(Base):
    __tablename__ = "councillor_external_ids"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    councillor_id: Mapped[int] = mapped_column(
        ForeignKey("councillors.id", ondelete="CASCADE"), index=True
    )
    scheme: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(120))

    councillor: Mapped[CouncillorRow] = relationship(back_populates="external_ids")


class DirectorateRow(TimestampMixin, Base):
    __tablename__ = "directorates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)

    services: Mapped[list[ServiceRow]] = relationship(back_populates="directorate")

    def __str__(self) -> str:
        return self.name


class ServiceRow(TimestampMixin, Base):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    directorate_id: Mapped[int | None] = mapped_column(
        ForeignKey("directorates.id", ondelete="RESTRICT"), index=True
    )
    ward_facing: Mapped[bool] = mapped_column(Boolean, default=False)

    directorate: Mapped[DirectorateRow | None] = relationship(back_populates="services")
    officers: Mapped[list[OfficerRow]] = relationship(back_populates="service")

    def __str__(self) -> str:
        return self.name


class OfficerRow(TimestampMixin, Base):
    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), unique=True)
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    job_title: Mapped[str | None] = mapped_column(String(200))
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="RESTRICT"), index=True
    )
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )
    team: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(
        Text, doc="pen portrait (Markdown); kept here, not synced"
    )
    updated_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime, doc="when the directory last changed this person"
    )
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime, doc="when the officer last said their details are right (kept by kdc)"
    )
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    service: Mapped[ServiceRow | None] = relationship(back_populates="officers")
    manager: Mapped[OfficerRow | None] = relationship(
        remote_side="OfficerRow.id", back_populates="reports"
    )
    reports: Mapped[list[OfficerRow]] = relationship(back_populates="manager")
    wards: Mapped[list[OfficerWardRow]] = relationship(
        back_populates="officer", cascade="all, delete-orphan"
    )

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def __str__(self) -> str:
        return self.name


class OfficerWardRow(Base):
    __tablename__ = "officer_wards"
    __table_args__ = (UniqueConstraint("officer_id", "ward_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20), default="local")

    officer: Mapped[OfficerRow] = relationship(back_populates="wards")
    ward: Mapped[WardRow] = relationship()


class WardContactRow(TimestampMixin, Base):
    """The named officer for a service in a ward."""

    __tablename__ = "ward_contacts"
    __table_args__ = (UniqueConstraint("ward_id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )

    ward: Mapped[WardRow] = relationship()
    service: Mapped[ServiceRow] = relationship()
    officer: Mapped[OfficerRow] = relationship()

    def __str__(self) -> str:
        return f"{self.service} contact for {self.ward}"
