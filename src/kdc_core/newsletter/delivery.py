"""Sending built issues through a mailer, once per recipient.

The core records each send in the database straight after the transport accepts it, in its
own short transaction, so a run that stops half way and is run again sends only what is left:
nothing goes twice.
"""

from __future__ import annotations

import contextlib
import email
from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import select, update

from kdc_core.db.base import utcnow
from kdc_core.db.newsletters import NewsletterIssueRow
from kdc_core.mail.delivery import Mailer, Transport
from kdc_core.newsletter.values import BuiltIssue

if TYPE_CHECKING:
    from kdc_core.app import Kdc


@attrs.frozen
class SendReport:
    sent: tuple[str, ...]
    skipped: tuple[str, ...]


def send_issues(kdc: Kdc, issues: list[BuiltIssue], mailer: Mailer) -> SendReport:
    """Send each issue not already sent; record each send as soon as it is accepted."""
    sent: list[str] = []
    skipped: list[str] = []
    with _transport(kdc, mailer) as transport:
        for issue in issues:
            who = f"{issue.recipient.name} ({issue.ward_name}, {issue.month})"
            if not issue.recipient.email or _already_sent(kdc, issue):
                skipped.append(who)
                continue
            message = email.message_from_bytes(issue.eml)
            reference = transport.send_email(message)
            with kdc.unit_of_work(source="newsletter") as uow:
                uow.session.execute(
                    update(NewsletterIssueRow)
                    .where(
                        NewsletterIssueRow.ward_id == issue.ward_id,
                        NewsletterIssueRow.month == issue.month,
                        NewsletterIssueRow.councillor_id == issue.recipient.councillor_id,
                    )
                    .values(sent_at=utcnow(), reference=reference[:200])
                )
            sent.append(who)
    return SendReport(tuple(sent), tuple(skipped))


@contextlib.contextmanager
def _transport(kdc: Kdc, mailer: Mailer) -> Iterator[Transport]:
    with mailer.open(kdc.settings) as transport:
        yield transport


def _already_sent(kdc: Kdc, issue: BuiltIssue) -> bool:
    with kdc.unit_of_work(source="newsletter", dry_run=True) as uow:
        return (
            uow.session.scalar(
                select(NewsletterIssueRow.sent_at).where(
                    NewsletterIssueRow.ward_id == issue.ward_id,
                    NewsletterIssueRow.month == issue.month,
                    NewsletterIssueRow.councillor_id == issue.recipient.councillor_id,
                )
            )
            is not None
        )
