"""The weekly digest: for each councillor, their open enquiries, what falls due this week and
what is overdue. ``kdc enquiries digest`` builds it and hands it to plugins through
``kdc_enquiry_weekly_digest`` (a mail plugin sends it)."""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import select

from kdc_core.db.enquiries import EnquiryPersonRow, EnquiryRow
from kdc_core.db.people import CouncillorRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries.values import OPEN_STATUSES, Enquiry
from kdc_core.unit_of_work import UnitOfWork


@attrs.frozen
class EnquiryDigest:
    """One councillor's week. ``open`` holds every open enquiry they raised or share."""

    councillor_id: int
    councillor: str
    email: str | None
    week_start: dt.date
    open: tuple[Enquiry, ...]

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def due_this_week(self) -> tuple[Enquiry, ...]:
        return tuple(e for e in self.open if self.week_start <= e.respond_by <= self.week_end)

    @property
    def overdue(self) -> tuple[Enquiry, ...]:
        return tuple(e for e in self.open if e.respond_by < self.week_start)


def weekly_digests(uow: UnitOfWork, week_of: dt.date) -> list[EnquiryDigest]:
    """A digest for every councillor with an open enquiry, for the week (Monday on) of
    ``week_of``."""
    monday = week_of - dt.timedelta(days=week_of.weekday())
    rows = uow.session.execute(
        select(EnquiryPersonRow.person_id, EnquiryRow)
        .join(EnquiryRow, EnquiryRow.id == EnquiryPersonRow.enquiry_id)
        .where(
            EnquiryPersonRow.kind.in_(("councillor", "joint_councillor")),
            EnquiryRow.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .order_by(EnquiryRow.respond_by, EnquiryRow.id)
    ).all()
    enquiry_rows = list({row.id: row for _, row in rows}.values())
    values = dict(
        zip([r.id for r in enquiry_rows], store.to_values(uow.session, enquiry_rows), strict=True)
    )
    by_councillor: dict[int, list[Enquiry]] = {}
    for person_id, row in rows:
        by_councillor.setdefault(person_id, []).append(values[row.id])
    people = {
        c.id: c
        for c in uow.session.scalars(
            select(CouncillorRow).where(CouncillorRow.id.in_(by_councillor))
        )
    }
    return [
        EnquiryDigest(cid, people[cid].name, people[cid].email, monday, tuple(found))
        for cid, found in sorted(by_councillor.items(), key=lambda kv: people[kv[0]].name)
    ]
