"""Data health: what the Councillor Support & Liaison Team should fix first.

- officers whose directory record has not changed for six months (or never recorded);
- wards without a link officer;
- wards without a named contact for a ward-facing service;
- active councillors without an email address or a pen portrait.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from kdc_core.db.base import utcnow
from kdc_core.people import queries
from kdc_core.people.values import Councillor, Officer, Service, Ward

if TYPE_CHECKING:
    from kdc_core.unit_of_work import UnitOfWork

#: An officer record older than this is "not updated in six months".
STALE_AFTER = dt.timedelta(days=183)


@attrs.frozen
class MissingContacts:
    """A ward and the ward-facing services that have no named contact there."""

    ward: Ward
    services: tuple[Service, ...]


@attrs.frozen
class DataHealth:
    checked_at: dt.datetime
    stale_before: dt.datetime
    officers: int
    stale_officers: tuple[Officer, ...]
    wards: int
    wards_without_link_officer: tuple[Ward, ...]
    missing_contacts: tuple[MissingContacts, ...]
    councillors: int
    councillors_without_email: tuple[Councillor, ...]
    councillors_without_bio: tuple[Councillor, ...]

    @property
    def problems(self) -> int:
        return (
            len(self.stale_officers)
            + len(self.wards_without_link_officer)
            + sum(len(m.services) for m in self.missing_contacts)
            + len(self.councillors_without_email)
            + len(self.councillors_without_bio)
        )


def data_health(
    uow: UnitOfWork, *, now: dt.datetime | None = None, stale_after: dt.timedelta = STALE_AFTER
) -> DataHealth:
    """Check active people and every ward; read-only."""
    now = now or utcnow()
    stale_before = now - stale_after
    people = uow.people
    officers = people.officers()
    stale = sorted(
        (o for o in officers if o.checked_at is None or o.checked_at < stale_before),
        key=lambda o: (o.checked_at or dt.datetime.min.replace(tzinfo=dt.UTC), o.family_name),
    )
    wards = people.wards()
    without_link = tuple(o.ward for o in queries.ward_overviews(uow) if o.link_officer is None)
    ward_facing = [s for s in people.services() if s.ward_facing]
    covered = {(c.ward.id, c.service.id) for c in people.ward_contacts()}
    missing = tuple(
        MissingContacts(w, gaps)
        for w in wards
        if (gaps := tuple(s for s in ward_facing if (w.id, s.id) not in covered))
    )
    councillors = people.councillors()
    return DataHealth(
        checked_at=now,
        stale_before=stale_before,
        officers=len(officers),
        stale_officers=tuple(stale),
        wards=len(wards),
        wards_without_link_officer=without_link,
        missing_contacts=missing,
        councillors=len(councillors),
        councillors_without_email=tuple(c for c in councillors if not (c.email or "").strip()),
        councillors_without_bio=tuple(c for c in councillors if not (c.bio or "").strip()),
    )
