"""Data health: what the Councillor Support & Liaison Team should fix first.

- officers whose directory record has not changed for six months (or never recorded);
- wards without a link officer;
- wards without a named contact for a ward-facing service;
- active councillors without an email address or a pen portrait.

Counts and the officer list are worked out in SQL, so the number of queries and the rows
brought back do not grow with the number of officers (a directory sync can bring 50,000).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import ColumnElement, and_, case, func, or_, select

from kdc_core.db.base import utcnow
from kdc_core.db.people import OfficerRow, WardContactRow, WardRow
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
    #: The stalest officers first (the first ``limit`` of them when a limit was given).
    stale_officers: tuple[Officer, ...]
    #: How many active officers are stale in all.
    stale_count: int
    wards: int
    wards_without_link_officer: tuple[Ward, ...]
    missing_contacts: tuple[MissingContacts, ...]
    councillors: int
    councillors_without_email: tuple[Councillor, ...]
    councillors_without_bio: tuple[Councillor, ...]

    @property
    def problems(self) -> int:
        return (
            self.stale_count
            + len(self.wards_without_link_officer)
            + sum(len(m.services) for m in self.missing_contacts)
            + len(self.councillors_without_email)
            + len(self.councillors_without_bio)
        )


def _stale(stale_before: dt.datetime) -> ColumnElement[bool]:
    """Officers whose details were last known right (directory change or their own
    confirmation, whichever is later) before ``stale_before``, or never."""
    o = OfficerRow
    return and_(
        or_(o.updated_at.is_(None), o.updated_at < stale_before),
        or_(o.confirmed_at.is_(None), o.confirmed_at < stale_before),
    )


def _checked_at() -> ColumnElement[dt.datetime | None]:
    """:attr:`Officer.checked_at` in SQL: the later of ``updated_at`` and ``confirmed_at``."""
    o = OfficerRow
    return case(
        (o.updated_at.is_(None), o.confirmed_at),
        (o.confirmed_at.is_(None), o.updated_at),
        (o.updated_at > o.confirmed_at, o.updated_at),
        else_=o.confirmed_at,
    )


def data_health(
    uow: UnitOfWork,
    *,
    now: dt.datetime | None = None,
    stale_after: dt.timedelta = STALE_AFTER,
    limit: int | None = None,
) -> DataHealth:
    """Check active people and every ward; read-only.

    :param limit: list at most this many stale officers (the stalest); they are all
        counted either way.
    """
    now = now or utcnow()
    stale_before = now - stale_after
    people, session = uow.people, uow.session
    # One pass over the active officers gives both counts (window aggregates, taken before
    # the limit) and the stale ones in order: stale first, never checked first, then the
    # oldest check; ties by name as the list reads.
    is_stale = case((_stale(stale_before), 1), else_=0)
    checked = _checked_at()
    stmt = (
        select(OfficerRow.id, is_stale, func.count().over(), func.sum(is_stale).over())
        .where(OfficerRow.archived_at.is_(None))
        .order_by(
            is_stale.desc(),
            checked.is_not(None),
            checked,
            OfficerRow.family_name,
            OfficerRow.given_name,
            OfficerRow.id,
        )
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = session.execute(stmt).all()
    officers, stale_count = (rows[0][2], rows[0][3]) if rows else (0, 0)
    ids = [row[0] for row in rows if row[1]]
    found = {o.id: o for o in people.officers(ids=ids)} if ids else {}
    wards = people.wards()
    without_link = set(session.scalars(select(WardRow.id).where(WardRow.link_officer_id.is_(None))))
    ward_facing = [s for s in people.services() if s.ward_facing]
    covered = {
        (ward_id, service_id)
        for ward_id, service_id in session.execute(
            select(WardContactRow.ward_id, WardContactRow.service_id)
        )
    }
    missing = tuple(
        MissingContacts(w, gaps)
        for w in wards
        if (gaps := tuple(s for s in ward_facing if (w.id, s.id) not in covered))
    )
    councillors = people.councillors()
    return DataHealth(
        checked_at=now,
        stale_before=stale_before,
        officers=officers,
        stale_officers=tuple(found[i] for i in ids if i in found),
        stale_count=int(stale_count),
        wards=len(wards),
        wards_without_link_officer=tuple(w for w in wards if w.id in without_link),
        missing_contacts=missing,
        councillors=len(councillors),
        councillors_without_email=tuple(c for c in councillors if not (c.email or "").strip()),
        councillors_without_bio=tuple(c for c in councillors if not (c.bio or "").strip()),
    )
