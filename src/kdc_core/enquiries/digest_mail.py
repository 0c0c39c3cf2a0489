"""The built-in digest mailer: each councillor's weekly enquiry digest as one letter in the
outbox.

The enquiries plugin's ``kdc_enquiry_weekly_digest`` calls :func:`deliver`: for every
digest it queues a letter — the open
enquiries with their named officers and respond-by dates, what is due this week, what is
late, and what changed in the week before — under the key
``enquiry-digest:<Monday>:<councillor id>``, so a second run in the same week queues
nothing. No constituent details are put in the letter. Where no mailer is configured it
queues nothing (:func:`queued_for_week` lets a caller see what it did).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.enquiries.digest import EnquiryDigest
from kdc_core.enquiries.values import Enquiry
from kdc_core.mail import outbox
from kdc_core.mail.letters import Letter, Section, outgoing
from kdc_core.timewords import govuk_date

if TYPE_CHECKING:
    import datetime as dt

    from kdc_core.app import Kdc
    from kdc_core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

KIND = "enquiry-digest"


def key_prefix(week_start: dt.date) -> str:
    return f"{KIND}:{week_start.isoformat()}:"


def queued_for_week(uow: UnitOfWork, week_start: dt.date) -> int:
    """How many digest letters for the week starting ``week_start`` are in the outbox."""
    return int(
        uow.session.scalar(
            select(func.count())
            .select_from(OutboxMessageRow)
            .where(OutboxMessageRow.key.like(key_prefix(week_start) + "%"))
        )
        or 0
    )


def _line(e: Enquiry, tz: dt.tzinfo) -> str:
    officer = e.officer or "no named officer yet"
    due = govuk_date(e.respond_by, tz)
    return f"{e.reference} ({e.ward or 'no ward'}): {officer}; respond by {due}"


def letter(digest: EnquiryDigest, tz: dt.tzinfo) -> Letter:
    """One councillor's week as a letter."""
    week = govuk_date(digest.week_start, tz)
    sections = []
    if digest.overdue:
        sections.append(Section("Late", tuple(_line(e, tz) for e in digest.overdue)))
    if digest.due_this_week:
        sections.append(Section("Due this week", tuple(_line(e, tz) for e in digest.due_this_week)))
    sections.append(Section("All your open enquiries", tuple(_line(e, tz) for e in digest.open)))
    if digest.changes:
        sections.append(
            Section(
                "What changed last week",
                tuple(
                    f"{govuk_date(c.at, tz)}: {c.reference} {c.describe()}" for c in digest.changes
                ),
            )
        )
    counts = (
        f"You have {len(digest.open)} open "
        + ("enquiry" if len(digest.open) == 1 else "enquiries")
        + f": {len(digest.due_this_week)} due this week and {len(digest.overdue)} late."
    )
    return Letter(
        subject=f"Your enquiries: week of {week}",
        heading=f"Your enquiries, week of {week}",
        greeting=f"Dear Councillor {digest.councillor},",
        paragraphs=(counts,),
        facts=(("Week", f"{week} to {govuk_date(digest.week_end, tz)}"),),
        sections=tuple(sections),
        why="You receive this every Monday while you have an open enquiry.",
    )


def queue_digests(uow: UnitOfWork, digests: Sequence[EnquiryDigest]) -> outbox.QueueReport:
    """Queue a letter for every digest whose councillor has an email address.

    :raises NoMailer: no mailer is configured (nothing is queued).
    """
    tz = uow.settings.tz
    messages = [
        outgoing(
            letter(d, tz),
            council=uow.settings.council_name,
            key=f"{key_prefix(d.week_start)}{d.councillor_id}",
            kind=KIND,
            to_address=d.email,
            to_name=f"Cllr {d.councillor}",
            councillor_id=d.councillor_id,
        )
        for d in digests
        if d.email
    ]
    return outbox.queue(uow, messages)


def deliver(kdc: Kdc, digests: Sequence[EnquiryDigest]) -> outbox.QueueReport | None:
    """Queue one letter per councillor in its own transaction; ``None`` when no mailer is
    configured (then nothing is queued)."""
    if not kdc.settings.mail.configured:
        log.info("enquiry digests not queued: no mailer is configured")
        return None
    with kdc.unit_of_work(source="enquiry digest") as uow:
        report = queue_digests(uow, digests)
    log.info(
        "enquiry digests: %d queued, %d already queued", len(report.queued), len(report.already)
    )
    return report
