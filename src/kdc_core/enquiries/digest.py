"""The weekly digest: for each councillor, their open enquiries, what falls due this week, what
is overdue and what changed in the week before. ``kdc enquiries digest`` and the weekly
``enquiry_digest`` job build it and hand it to plugins through ``kdc_enquiry_weekly_digest``;
the enquiries plugin queues one letter per councillor (:mod:`kdc_core.enquiries.digest_mail`)."""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import select

from kdc_core.db.enquiries import EnquiryAuditRow, EnquiryPersonRow, EnquiryRow
from kdc_core.db.people import CouncillorRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries.values import OPEN_STATUSES, Enquiry
from kdc_core.timewords import govuk_date
from kdc_core.unit_of_work import UnitOfWork

#: The audit actions a councillor hears about in the digest (notes are left out: they may
#: be long and hold personal data).
CHANGE_ACTIONS = ("created", "status", "reopened", "assigned", "extension 1", "extension 2")


def _day(value: str | None) -> str:
    """An ISO date from the audit trail as a person reads it (dates carry no time zone)."""
    try:
        return govuk_date(dt.date.fromisoformat(value or ""), dt.UTC)
    except ValueError:
        return value or "?"


@attrs.frozen
class DigestChange:
    """One change to one of the councillor's enquiries in the week before the digest."""

    reference: str
    at: dt.datetime
    action: str
    old: str | None
    new: str | None

    def describe(self) -> str:
        """``in progress (was acknowledged)``, ``named officer: Dev Default (was Hana Road)``."""
        if self.action == "created":
            return "logged"
        if self.action == "assigned":
            return f"named officer: {self.new} (was {self.old or 'nobody'})"
        if self.action.startswith("extension"):
            return f"{self.action}: respond by {_day(self.new)} (was {_day(self.old)})"
        new = (self.new or "").replace("_", " ")
        old = (self.old or "").replace("_", " ")
        return f"{new} (was {old})" if old else new


@attrs.frozen
class EnquiryDigest:
    """One councillor's week. ``open`` holds every open enquiry they raised or share;
    ``changes`` what happened to any of their enquiries (open or not) in the seven days
    before ``week_start``, oldest first."""

    councillor_id: int
    councillor: str
    email: str | None
    week_start: dt.date
    open: tuple[Enquiry, ...]
    changes: tuple[DigestChange, ...] = ()

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
    changes = _changes(uow, monday, set(by_councillor))
    return [
        EnquiryDigest(
            cid, people[cid].name, people[cid].email, monday, tuple(found), changes.get(cid, ())
        )
        for cid, found in sorted(by_councillor.items(), key=lambda kv: people[kv[0]].name)
    ]


def _changes(
    uow: UnitOfWork, monday: dt.date, councillors: set[int]
) -> dict[int, tuple[DigestChange, ...]]:
    """Each councillor's changes in the week before ``monday`` (council-local days)."""
    if not councillors:
        return {}
    tz = uow.settings.tz
    end = dt.datetime.combine(monday, dt.time(), tz).astimezone(dt.UTC)
    start = dt.datetime.combine(monday - dt.timedelta(days=7), dt.time(), tz).astimezone(dt.UTC)
    rows = uow.session.execute(
        select(EnquiryPersonRow.person_id, EnquiryRow.reference, EnquiryAuditRow)
        .join(EnquiryRow, EnquiryRow.id == EnquiryAuditRow.enquiry_id)
        .join(EnquiryPersonRow, EnquiryPersonRow.enquiry_id == EnquiryRow.id)
        .where(
            EnquiryPersonRow.kind.in_(("councillor", "joint_councillor")),
            EnquiryPersonRow.person_id.in_(councillors),
            EnquiryAuditRow.at >= start,
            EnquiryAuditRow.at < end,
            EnquiryAuditRow.action.in_(CHANGE_ACTIONS),
        )
        .order_by(EnquiryAuditRow.at, EnquiryAuditRow.id)
    ).all()
    out: dict[int, list[DigestChange]] = {}
    for person_id, reference, audit in rows:
        out.setdefault(person_id, []).append(
            DigestChange(reference, audit.at, audit.action, audit.old, audit.new)
        )
    return {k: tuple(v) for k, v in out.items()}
