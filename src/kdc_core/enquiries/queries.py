"""Work queues and filtered lists of enquiries: what ``kdc enquiries list`` shows.

A queue is one of:

- ``unassigned``: open enquiries with no named officer (the liaison team's queue);
- ``overdue``: open enquiries whose respond-by date has passed;
- ``due-soon``: open enquiries due today or within the next few working days
  (:data:`DUE_SOON_DAYS` by default).

Filters narrow any list: the councillor raising or joining it, the officer named on it (or
joined to it), the ward, the service and the status (``open`` for every open status). People
and places are names or ids, resolved by :mod:`kdc_core.people.lookup` (near misses are
refused with the closest names).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from sqlalchemy import or_, select

from kdc_core.db.enquiries import EnquiryPersonRow, EnquiryRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries.service import EnquiryError
from kdc_core.enquiries.timescales import add_working_days
from kdc_core.enquiries.values import OPEN_STATUSES, Enquiry, Status
from kdc_core.people.lookup import (
    resolve_councillor,
    resolve_officer,
    resolve_service,
    resolve_ward,
)
from kdc_core.unit_of_work import UnitOfWork

QUEUES = ("unassigned", "overdue", "due-soon")
#: "Due soon" means due within this many working days (today included).
DUE_SOON_DAYS = 3
#: ``status`` may also be this: every open status.
OPEN = "open"


@attrs.frozen
class CaseLine:
    """One enquiry in a list, with what a caseworker scans for: when it came in (the
    council's local date), when it is due, whether it is late."""

    enquiry: Enquiry
    received: dt.date
    overdue: bool

    def to_json(self) -> dict[str, Any]:
        e = self.enquiry
        return {
            "reference": e.reference,
            "received": self.received.isoformat(),
            "respond_by": e.respond_by.isoformat(),
            "status": e.status.value,
            "status_label": e.status.label,
            "overdue": self.overdue,
            "councillors": list(e.councillors),
            "ward": e.ward,
            "service": e.service,
            "category": e.category,
            "officer": e.officer,
            "description": e.description,
        }


def _open() -> Any:
    return EnquiryRow.status.in_([s.value for s in OPEN_STATUSES])


def list_enquiries(
    uow: UnitOfWork,
    *,
    queue: str | None = None,
    councillor: str | None = None,
    officer: str | None = None,
    ward: str | None = None,
    service: str | None = None,
    status: str | None = None,
    days: int = DUE_SOON_DAYS,
    limit: int = 100,
    today: dt.date | None = None,
) -> list[CaseLine]:
    """Enquiries in ``queue`` (or all) matching every filter given; at most ``limit``.

    Queues of due dates (``overdue``, ``due-soon``) come soonest due first, the others
    newest first.

    :raises EnquiryError: an unknown queue or status, or a negative ``days``/``limit``.
    :raises NotKnown: a person or place that does not exist (with the closest names).
    """
    session = uow.session
    tz = uow.settings.tz
    today = today or dt.datetime.now(tz).date()
    if days < 0 or limit < 1:
        raise EnquiryError("days must be 0 or more, and the limit 1 or more")
    stmt = select(EnquiryRow)
    by_due = False
    if queue is not None:
        if queue not in QUEUES:
            raise EnquiryError(f"unknown queue {queue!r} (use one of: {', '.join(QUEUES)})")
        stmt = stmt.where(_open())
        if queue == "unassigned":
            stmt = stmt.where(EnquiryRow.officer_id.is_(None))
        elif queue == "overdue":
            stmt = stmt.where(EnquiryRow.respond_by < today)
            by_due = True
        else:
            until = add_working_days(today, days)
            stmt = stmt.where(EnquiryRow.respond_by >= today, EnquiryRow.respond_by <= until)
            by_due = True
    if status:
        if status.strip().lower() == OPEN:
            stmt = stmt.where(_open())
        else:
            try:
                wanted = Status(status.strip().lower().replace(" ", "_"))
            except ValueError:
                known = ", ".join([OPEN, *(s.value for s in Status)])
                raise EnquiryError(f"unknown status {status!r} (use one of: {known})") from None
            stmt = stmt.where(EnquiryRow.status == wanted.value)
    if councillor:
        who = resolve_councillor(session, councillor)
        stmt = stmt.where(
            EnquiryRow.id.in_(
                select(EnquiryPersonRow.enquiry_id).where(
                    EnquiryPersonRow.kind.in_(("councillor", "joint_councillor")),
                    EnquiryPersonRow.person_id == who.id,
                )
            )
        )
    if officer:
        named = resolve_officer(session, officer)
        stmt = stmt.where(
            or_(
                EnquiryRow.officer_id == named.id,
                EnquiryRow.id.in_(
                    select(EnquiryPersonRow.enquiry_id).where(
                        EnquiryPersonRow.kind == "joint_officer",
                        EnquiryPersonRow.person_id == named.id,
                    )
                ),
            )
        )
    if ward:
        stmt = stmt.where(EnquiryRow.ward_id == resolve_ward(session, ward).id)
    if service:
        stmt = stmt.where(EnquiryRow.service_id == resolve_service(session, service).id)
    if by_due:
        stmt = stmt.order_by(EnquiryRow.respond_by, EnquiryRow.id)
    else:
        stmt = stmt.order_by(EnquiryRow.received_at.desc(), EnquiryRow.id.desc())
    rows = list(session.scalars(stmt.limit(limit)))
    return [
        CaseLine(e, e.received_at.astimezone(tz).date(), e.overdue_on(today))
        for e in store.to_values(session, rows)
    ]
