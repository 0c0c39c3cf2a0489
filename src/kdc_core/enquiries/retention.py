"""GDPR retention: anonymise finished enquiries once their category's retention period is over.

A finished enquiry is a closed one (the period counts from its closure) or one resolved and
never closed (the period counts from its resolution), so a case nobody closed is not kept for
ever.

Personal data goes: the constituent's name, email, phone and address, the description, the
extension reason and the notes' text (all free text that may name or describe the
constituent), and so does the text of the messages about the enquiry kept in the outbox
(the letters quoted the case; who they went to, when and their subject stay). What the
statistics need stays: reference, ward, service, category, officer,
councillors, status, every date and whether it was resolved in time; and the anonymisation
itself is added to the audit trail (which never held the constituent's details).
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import and_, or_, select, update

from kdc_core.db.enquiries import EnquiryNoteRow, EnquiryRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries import messages
from kdc_core.enquiries.values import Status
from kdc_core.mail import outbox
from kdc_core.unit_of_work import UnitOfWork

REMOVED = "[removed after the retention period]"
PERSONAL_FIELDS = (
    "constituent_name",
    "constituent_email",
    "constituent_phone",
    "constituent_address",
    "description",
    "extension_reason",
    "notes",
    "the text of its messages",
)


@attrs.frozen
class Due:
    """An enquiry whose retention period is over: counted from ``since``, its closure or
    (never closed) its resolution, as ``counted_from`` says."""

    reference: str
    category: str
    since: dt.datetime
    retention_days: int
    counted_from: str = "closed"


def due_for_anonymising(uow: UnitOfWork, now: dt.datetime) -> list[Due]:
    """Finished, not yet anonymised enquiries whose retention period ended before ``now``:
    closed ones counted from closure, resolved-but-never-closed ones from resolution."""
    rows = uow.session.execute(
        select(
            EnquiryRow.reference,
            EnquiryRow.category,
            EnquiryRow.closed_at,
            EnquiryRow.resolved_at,
        )
        .where(
            EnquiryRow.anonymised_at.is_(None),
            or_(
                EnquiryRow.closed_at.is_not(None),
                and_(
                    EnquiryRow.status == Status.RESOLVED.value,
                    EnquiryRow.resolved_at.is_not(None),
                ),
            ),
        )
        .order_by(EnquiryRow.id)
    ).all()
    settings: dict[str, int] = {}
    out = []
    for reference, category, closed_at, resolved_at in rows:
        if category not in settings:
            settings[category] = store.category_settings(uow.session, category).retention_days
        days = settings[category]
        since, counted_from = (closed_at, "closed") if closed_at else (resolved_at, "resolved")
        if since is not None and since + dt.timedelta(days=days) < now:
            out.append(Due(reference, category, since, days, counted_from))
    return sorted(out, key=lambda d: (d.since, d.reference))


def anonymise(uow: UnitOfWork, due: list[Due], actor: str, now: dt.datetime) -> None:
    """Remove the personal fields of these enquiries and audit it."""
    session = uow.session
    for item in due:
        row = store.enquiry_row(session, item.reference)
        row.constituent_name = row.constituent_email = None
        row.constituent_phone = row.constituent_address = None
        row.description = REMOVED
        if row.extension_reason is not None:
            row.extension_reason = REMOVED
        row.anonymised_at = now
        session.execute(
            update(EnquiryNoteRow).where(EnquiryNoteRow.enquiry_id == row.id).values(body=REMOVED)
        )
        outbox.redact(uow, f"{messages.KIND_PREFIX}-", f":{row.reference}:", REMOVED)
        store.audit(
            session,
            row,
            actor,
            "anonymised",
            "personal data",
            None,
            f"{', '.join(PERSONAL_FIELDS)} removed ({item.retention_days} days after it was "
            f"{item.counted_from})",
            now,
        )
    session.flush()
