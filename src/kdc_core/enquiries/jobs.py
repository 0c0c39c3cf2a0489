"""The enquiries feature's scheduled jobs: daily overdue escalation and the weekly digest.

Both only queue messages (in the outbox); ``outbox_dispatch`` sends them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from kdc_core.errors import ConfigError
from kdc_core.jobs.values import Job, JobContext

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.enquiries.digest import EnquiryDigest

DEFAULT_ESCALATE_AFTER = 3


def escalate_after(config: Mapping[str, Any]) -> int:
    """``[jobs.enquiry_escalation] escalate_after_working_days`` (default 3), checked."""
    value = config.get("escalate_after_working_days", DEFAULT_ESCALATE_AFTER)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(
            "jobs.enquiry_escalation.escalate_after_working_days must be a whole number of "
            f"working days, 1 or more, not {value!r}",
            key="jobs.enquiry_escalation.escalate_after_working_days",
        )
    return value


def escalation(context: JobContext) -> Mapping[str, Any]:
    """Queue the overdue messages for today (the council's date): the named officer from the
    first day late, the line manager once it is N working days late — each once per
    respond-by date."""
    from kdc_core.enquiries.overdue import overdue_messages

    kdc = context.kdc
    today = context.now().astimezone(kdc.settings.tz).date()
    after = escalate_after(context.config)
    with kdc.unit_of_work(source="jobs", dry_run=context.dry_run) as uow:
        told = overdue_messages(uow, today, after)
    if told.not_queued_because:
        context.echo(f"enquiry_escalation: {told.summary()}")
        return {"queued": 0, "not_queued": told.not_queued_because}
    verb = "would queue" if context.dry_run else "queued"
    return {
        verb: len(told.queued),
        "already_queued": len(told.already),
        "no_address": len(told.no_address),
    }


@attrs.frozen
class DigestRun:
    """What building and handing on a week's digests did.

    :ivar queued: digest letters for the week the built-in mailer queued in this run.
    :ivar already: digest letters for the week that were in the outbox before it.
    """

    week_start: dt.date
    digests: tuple[EnquiryDigest, ...]
    queued: int
    already: int
    mailer_configured: bool

    def summary(self) -> str:
        built = f"Built {len(self.digests)} digest{'s' if len(self.digests) != 1 else ''}"
        if not self.mailer_configured:
            return (
                f"{built}; the digest mailer queued nothing: no mailer is configured ([mail] "
                "in kdc.toml)."
            )
        return (
            f"{built}; the digest mailer queued {self.queued} message"
            f"{'s' if self.queued != 1 else ''} (they go when the outbox is dispatched)"
            + (f"; {self.already} were already queued this week" if self.already else "")
            + "."
        )


def deliver_digests(kdc: Kdc, week_of: dt.date, *, dry_run: bool = False) -> DigestRun:
    """Build the week's digests and hand them to ``kdc_enquiry_weekly_digest`` (not on a dry
    run); the outbox is counted before and after to report what the built-in mailer did."""
    from kdc_core.enquiries.digest import weekly_digests
    from kdc_core.enquiries.digest_mail import queued_for_week

    monday = week_of - dt.timedelta(days=week_of.weekday())
    with kdc.unit_of_work(source="enquiries digest", dry_run=True) as uow:
        digests = tuple(weekly_digests(uow, monday))
        before = queued_for_week(uow, monday)
    if not dry_run:
        kdc.pm.hook.kdc_enquiry_weekly_digest(digests=digests, kdc=kdc)
    with kdc.unit_of_work(source="enquiries digest", dry_run=True) as uow:
        after = queued_for_week(uow, monday)
    return DigestRun(monday, digests, after - before, before, kdc.settings.mail.configured)


def digest(context: JobContext) -> Mapping[str, Any]:
    """Build this week's digests and hand them to plugins (the built-in one queues them)."""
    kdc = context.kdc
    today = context.now().astimezone(kdc.settings.tz).date()
    run = deliver_digests(kdc, today, dry_run=context.dry_run)
    context.echo(run.summary())
    return {"digests": len(run.digests), "queued": run.queued, "already_queued": run.already}


JOBS = (
    Job(
        name="enquiry_escalation",
        help="Tell named officers (and, after some working days, their managers) of late "
        "enquiries.",
        run=escalation,
        schedule="0 7 * * 1-5",
        options=("escalate_after_working_days",),
    ),
    Job(
        name="enquiry_digest",
        help="Queue each councillor's weekly enquiry digest.",
        run=digest,
        schedule="0 7 * * 1",
    ),
)
