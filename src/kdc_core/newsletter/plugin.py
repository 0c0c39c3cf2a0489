"""The newsletter's hook implementations.

``kdc newsletter``, the built-in sections, the unsubscribe page and the monthly job
``newsletter`` (build and queue the month's issues). Briefings have their own plugin,
:mod:`kdc_core.briefings.plugin`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click

from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.cli_listing import lazy
from kdc_core.config import Settings
from kdc_core.jobs.values import Job, JobContext
from kdc_core.newsletter.sections import BUILT_IN
from kdc_core.newsletter.values import NewsletterConfig, Section, one_ward


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(lazy(__name__, "newsletter", "kdc_core.newsletter.cli:newsletter_group"))


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    settings.plugin_config("newsletter", into=NewsletterConfig)


@hookimpl
def kdc_blueprints(kdc: Kdc) -> list[object]:
    from kdc_core.newsletter.web import make_blueprint

    return [make_blueprint(kdc)]


@hookimpl
def kdc_register_newsletter_sections(register: Callable[[Section], None]) -> None:
    for order, (name, title, topic, collect_wards) in enumerate(BUILT_IN):
        register(
            Section(
                name=name,
                title=title,
                topic=topic,
                collect=one_ward(collect_wards),
                collect_wards=collect_wards,
                order=order * 10,
            )
        )
    from kdc_core.newsletter.enquiry_section import enquiry_section

    enquiries = enquiry_section()
    if enquiries is not None:
        register(enquiries)


def newsletter_job(context: JobContext) -> Mapping[str, Any]:
    """Build this month's issues (the council's time zone) and queue them in the outbox; the
    ``outbox_dispatch`` job sends them. A dry run counts who would be queued."""
    from kdc_core.newsletter.delivery import queue_month, this_month

    month = this_month(context.kdc)
    report = queue_month(context.kdc, month, dry_run=context.dry_run)
    context.echo(
        f"{'would queue' if context.dry_run else 'queued'} {len(report.queued)} issues for "
        f"{month}; {len(report.already)} already queued"
    )
    return {
        "month": str(month),
        "would_queue" if context.dry_run else "queued": len(report.queued),
        "already": len(report.already),
        "no_email": len(report.no_email),
    }


@hookimpl
def kdc_register_jobs(register: Callable[[Job], None]) -> None:
    """The monthly ``newsletter`` job: 08:00 on the 1st."""
    register(
        Job(
            name="newsletter",
            help="Build this month's ward newsletters and queue them in the outbox.",
            run=newsletter_job,
            schedule="0 8 1 * *",
        )
    )
