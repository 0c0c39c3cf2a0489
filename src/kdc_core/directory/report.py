"""The freshness loop: which profiles are stale or incomplete, and where ward links are missing."""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import select
from sqlalchemy.orm import Session

from kdc_core.db.base import utcnow
from kdc_core.db.people import OfficerRow, OfficerWardRow, ServiceRow, WardContactRow, WardRow


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
        )

    stale, incomplete = [], []
    for r in officers:
        if r.updated_at is None or r.updated_at < cutoff:
            when = r.updated_at.date().isoformat() if r.updated_at else "never"
            stale.append(issue(r, [f"not updated since {when}"]))
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
