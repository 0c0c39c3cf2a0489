"""The core's own scheduled jobs: dispatching the outbox, and enquiry retention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from kdc_core.jobs.values import Job, JobContext


def dispatch_outbox(context: JobContext) -> Mapping[str, Any]:
    """Send every due message in the outbox (a dry run counts them instead)."""
    from kdc_core.mail import outbox
    from kdc_core.mail.dispatch import dispatch

    if context.dry_run:
        with context.kdc.unit_of_work(source="jobs", dry_run=True) as uow:
            return {"pending": outbox.counts(uow)["pending"]}
    report = dispatch(context.kdc, now=context.now)
    for line in report.stopped:
        context.echo(f"stopped using {line}")
    return {
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
        "handed_back": report.released,
    }


def enquiry_retention(context: JobContext) -> Mapping[str, Any]:
    """Anonymise finished enquiries (closed, or resolved and never closed) past their
    category's retention period."""
    from kdc_core.enquiries.retention import anonymise, due_for_anonymising

    now = dt.datetime.now(dt.UTC)
    with context.kdc.unit_of_work(source="jobs", dry_run=context.dry_run) as uow:
        due = due_for_anonymising(uow, now)
        if not context.dry_run:
            anonymise(uow, due, "job:enquiry_retention", now)
    return {"anonymised" if not context.dry_run else "due": len(due)}


BUILTIN_JOBS = (
    Job(
        name="outbox_dispatch",
        help="Send the messages waiting in the outbox.",
        run=dispatch_outbox,
        schedule="* * * * *",
    ),
    Job(
        name="enquiry_retention",
        help="Anonymise finished enquiries whose retention period is over.",
        run=enquiry_retention,
        schedule="30 3 * * *",
    ),
)
