"""Queueing built issues in the outbox, once per councillor and month.

Each issue goes in under the key ``newsletter:<ward id>:<month>:<councillor id>`` in the
same transaction that stores it in the archive, so however many runs there are — again
after a failure, or two hosts at once — each councillor's issue is queued once, and the
outbox sends it once (:mod:`kdc_core.mail.dispatch`). An issue's ``sent_at`` is read from
its outbox message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from kdc_core.db.newsletters import issue_key
from kdc_core.mail import outbox
from kdc_core.mail.outbox import Outgoing
from kdc_core.newsletter.build import build_month
from kdc_core.newsletter.values import BuiltIssue, Month

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.unit_of_work import UnitOfWork

KIND = "newsletter"


@attrs.frozen
class QueuedMonth:
    """What :func:`queue_month` did (or, in a dry run, would do).

    :ivar queued: issues queued now, as ``"Name (Ward)"``.
    :ivar already: issues that were already in the outbox (queued or sent before).
    :ivar no_email: councillors who get an issue but have no email address.
    """

    month: str
    queued: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    no_email: tuple[str, ...] = ()
    dry_run: bool = False


def outgoing(issue: BuiltIssue) -> Outgoing:
    """The issue as an outbox message (the same parts and unsubscribe headers as its eml)."""
    return Outgoing(
        key=issue_key(issue.ward_id, issue.month, issue.recipient.councillor_id),
        kind=KIND,
        to_address=issue.recipient.email or "",
        to_name=issue.recipient.name,
        subject=issue.subject,
        text=issue.text,
        html=issue.html,
        councillor_id=issue.recipient.councillor_id,
        unsubscribe_url=issue.unsubscribe_url,
    )


def queue_issues(
    uow: UnitOfWork, issues: list[BuiltIssue], mailer: str | None = None
) -> QueuedMonth:
    """Queue ``issues`` in ``uow`` (those with an email address); a key already queued stays.

    :raises NoMailer: no mailer is configured (nothing is queued).
    """
    month = issues[0].month if issues else ""
    who = {issue_key(i.ward_id, i.month, i.recipient.councillor_id): _who(i) for i in issues}
    with_email = [i for i in issues if i.recipient.email]
    report = outbox.queue(uow, [outgoing(i) for i in with_email], mailer=mailer)
    return QueuedMonth(
        month=month,
        queued=tuple(who[k] for k in report.queued),
        already=tuple(who[k] for k in report.already),
        no_email=tuple(_who(i) for i in issues if not i.recipient.email),
    )


def queue_month(
    kdc: Kdc,
    month: Month,
    ward: str | None = None,
    *,
    mailer: str | None = None,
    dry_run: bool = False,
) -> QueuedMonth:
    """Build ``month``'s issues (every ward, or ``ward``), store and queue them in one
    transaction. A dry run builds them and says who would be queued; it writes nothing.

    :raises NoMailer: no mailer is configured (checked before anything is built; a dry run
        does not need one).
    """
    if not dry_run:
        outbox.installed_mailer(kdc, mailer)
    with kdc.unit_of_work(source="newsletter", dry_run=dry_run) as uow:
        built = build_month(uow, kdc.sections, month, ward, store=not dry_run)
        if not dry_run:
            return attrs.evolve(queue_issues(uow, built, mailer), month=str(month))
        from kdc_core.newsletter.build import queued_keys

        keys = [issue_key(i.ward_id, i.month, i.recipient.councillor_id) for i in built]
        already = queued_keys(uow, keys)
    return QueuedMonth(
        month=str(month),
        queued=tuple(
            _who(i)
            for i, k in zip(built, keys, strict=True)
            if k not in already and i.recipient.email
        ),
        already=tuple(_who(i) for i, k in zip(built, keys, strict=True) if k in already),
        no_email=tuple(_who(i) for i in built if not i.recipient.email),
        dry_run=True,
    )


def this_month(kdc: Kdc, now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> Month:
    """The current month in the council's time zone."""
    local = now().astimezone(kdc.settings.tz)
    return Month(local.year, local.month)


def _who(issue: BuiltIssue) -> str:
    return f"{issue.recipient.name} ({issue.ward_name})"
