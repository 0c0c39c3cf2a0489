"""The freshness loop: which profiles are stale or incomplete, and where ward links are missing.

A profile counts as checked from the later of two moments: when the directory last changed
it (``updated_at``, copied by the sync) and when the officer last said it is right
(``confirmed_at``, which :func:`confirm_details` records and the sync never touches).
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import select
from sqlalchemy.orm import Session

from kdc_core.db.base import council_zone, utcnow
from kdc_core.db.people import OfficerRow, OfficerWardRow, ServiceRow, WardContactRow, WardRow
from kdc_core.errors import NotFound
from kdc_core.timewords import govuk_date
from kdc_core.unit_of_work import UnitOfWork


@attrs.frozen
class ProfileIssue:
    """One officer whose directory profile needs attention, and who to remind."""

    person_id: str
    name: str
    email: str | None
    manager_name: str | None
    manager_email: str | None
    service: str | None
    updated_at: dt.datetime | None
    reasons: tuple[str, ...]
    confirmed_at: dt.datetime | None = None

    @property
    def checked_at(self) -> dt.datetime | None:
        """When the profile was last known to be right: updated or confirmed."""
        return last_checked(self.updated_at, self.confirmed_at)


def last_checked(
    updated_at: dt.datetime | None, confirmed_at: dt.datetime | None
) -> dt.datetime | None:
    """The later of the directory's last change and the officer's last confirmation."""
    moments = [m for m in (updated_at, confirmed_at) if m is not None]
    return max(moments) if moments else None


def confirm_details(
    uow: UnitOfWork, officer_id: int, now: dt.datetime | None = None
) -> dt.datetime:
    """Record that the officer has checked their details and says they are right.

    This restarts the freshness clock for their profile (no reminder until it is stale
    again). The change is tracked like any other (an ``officer`` update of
    ``confirmed_at``, with the unit of work's source), so plugins hear of it after commit.

    :raises NotFound: no active officer has that id.
    :returns: the moment recorded.
    """
    row = uow.session.get(OfficerRow, officer_id)
    if row is None or row.archived_at is not None:
        raise NotFound(f"no active officer with id {officer_id}")
    row.confirmed_at = now or utcnow()
    uow.session.flush()
    return row.confirmed_at


@attrs.frozen
class ServiceGap:
    """A ward-facing service with officers who list no ward."""

    service: str
    officers: int
    without_wards: tuple[str, ...]  # person ids

    @property
    def none_listed(self) -> bool:
        return len(self.without_wards) == self.officers


@attrs.frozen
class WardGap:
    """A ward with no named contact for some ward-facing services."""

    ward: str
    services: tuple[str, ...]


@attrs.frozen
class FreshnessReport:
    """What ``kdc directory report`` shows and ``kdc_directory_reminders`` receives."""

    generated_at: dt.datetime
    stale_before: dt.datetime
    stale: tuple[ProfileIssue, ...]
    incomplete: tuple[ProfileIssue, ...]
    services_without_wards: tuple[ServiceGap, ...]
    wards_without_contacts: tuple[WardGap, ...]


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month + 1, day=day)


def freshness_report(
    session: Session, stale_months: int = 6, now: dt.datetime | None = None
) -> FreshnessReport:
    """Build the report from the active officers, services, wards and named contacts."""
    now = now or utcnow()
    cutoff = months_before(now, stale_months)
    zone = council_zone(session) or dt.UTC
    o = OfficerRow.__table__.c
    officers = session.execute(
        select(
            o.id,
            o.person_id,
            o.given_name,
            o.family_name,
            o.email,
            o.phone,
            o.updated_at,
            o.confirmed_at,
            o.manager_id,
            o.service_id,
        )
        .where(o.archived_at.is_(None))
        .order_by(o.family_name, o.given_name, o.person_id)
    ).all()
    by_id = {r.id: r for r in officers}
    services = {
        s.id: s
        for s in session.execute(select(ServiceRow.id, ServiceRow.name, ServiceRow.ward_facing))
    }
    ow = OfficerWardRow.__table__.c
    with_wards = set(session.scalars(select(ow.officer_id).distinct()))

    def issue(r: object, reasons: list[str]) -> ProfileIssue:
        manager = by_id.get(r.manager_id) if r.manager_id else None  # type: ignore[attr-defined]
        service = services.get(r.service_id)  # type: ignore[attr-defined]
        return ProfileIssue(
            person_id=r.person_id,  # type: ignore[attr-defined]
            name=f"{r.given_name} {r.family_name}",  # type: ignore[attr-defined]
            email=r.email,  # type: ignore[attr-defined]
            manager_name=f"{manager.given_name} {manager.family_name}" if manager else None,
            manager_email=manager.email if manager else None,
            service=service.name if service else None,
            updated_at=r.updated_at,  # type: ignore[attr-defined]
            reasons=tuple(reasons),
            confirmed_at=r.confirmed_at,  # type: ignore[attr-defined]
        )

    stale, incomplete = [], []
    for r in officers:
        checked = last_checked(r.updated_at, r.confirmed_at)
        if checked is None or checked < cutoff:
            when = govuk_date(checked, zone) if checked else "never"
            stale.append(issue(r, [f"not updated or confirmed since {when}"]))
        missing = [f"no {f}" for f in ("email", "phone") if not getattr(r, f)]
        if missing:
            incomplete.append(issue(r, missing))

    gaps = []
    for sid, s in sorted(services.items(), key=lambda item: item[1].name):
        if not s.ward_facing:
            continue
        staff = [r for r in officers if r.service_id == sid]
        lacking = tuple(r.person_id for r in staff if r.id not in with_wards)
        if lacking:
            gaps.append(ServiceGap(s.name, len(staff), lacking))

    facing = sorted((s.id, s.name) for s in services.values() if s.ward_facing)
    named = set(session.execute(select(WardContactRow.ward_id, WardContactRow.service_id)))
    ward_gaps = []
    for ward_id, ward_name in session.execute(
        select(WardRow.id, WardRow.name).order_by(WardRow.name)
    ):
        missing_services = tuple(
            sorted(name for sid, name in facing if (ward_id, sid) not in named)
        )
        if missing_services:
            ward_gaps.append(WardGap(ward_name, missing_services))
    return FreshnessReport(
        generated_at=now,
        stale_before=cutoff,
        stale=tuple(stale),
        incomplete=tuple(incomplete),
        services_without_wards=tuple(gaps),
        wards_without_contacts=tuple(ward_gaps),
    )
