"""GDPR retention: anonymise closed enquiries once their category's retention period is over.

Personal data goes (the constituent's details, the description and the notes' text); what the
statistics need stays (reference, ward, service, category, officer, status and every date),
and the anonymisation itself is added to the audit trail.
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import select, update

from kdc_core.db.enquiries import EnquiryNoteRow, EnquiryRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.unit_of_work import UnitOfWork

REMOVED = "[removed after the retention period]"
PERSONAL_FIELDS = (
    "constituent_name",
    "constituent_email",
    "constituent_phone",
    "constituent_address",
    "description",
    "notes",
)


@attrs.frozen
class Due:
    reference: str
    category: str
    closed_at: dt.datetime
    retention_days: int


def due_for_anonymising(uow: UnitOfWork, now: dt.datetime) -> list[Due]:
    """Closed, not yet anonymised enquiries whose retention period ended before ``now``."""
    rows = uow.session.execute(
        select(EnquiryRow.reference, EnquiryRow.category, EnquiryRow.closed_at)
        .where(EnquiryRow.closed_at.is_not(None), EnquiryRow.anonymised_at.is_(None))
        .order_by(EnquiryRow.closed_at, EnquiryRow.id)
    ).all()
    settings: dict[str, int] = {}
    out = []
    for reference, category, closed_at in rows:
        if category not in settings:
            settings[category] = store.category_settings(uow.session, category).retention_days
        days = settings[category]
        if closed_at is not None and closed_at + dt.timedelta(days=days) < now:
            out.append(Due(reference, category, closed_at, days))
    return out


def anonymise(uow: UnitOfWork, due: list[Due], actor: str, now: dt.datetime) -> None:
    """Remove the personal fields of these enquiries and audit it."""
    session = uow.session
    for item in due:
        row = store.enquiry_row(session, item.reference)
        row.constituent_name = row.constituent_email = None
        row.constituent_phone = row.constituent_address = None
        row.description = REMOVED
        row.anonymised_at = now
        session.execute(
            update(EnquiryNoteRow).where(EnquiryNoteRow.enquiry_id == row.id).values(body=REMOVED)
        )
        store.audit(
            session,
            row,
            actor,
            "anonymised",
            "personal data",
            None,
            f"{', '.join(PERSONAL_FIELDS)} removed ({item.retention_days} days after closure)",
            now,
        )
    session.flush()
