"""The enquiries feature's hook implementations.

Config check, the built-in casework backends, ``kdc enquiries``, each open enquiry's
due date in the councillor's private feed, and the ``enquiry_escalation`` and
``enquiry_digest`` jobs, and the built-in digest mailer (one letter per councillor in the
outbox).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.cli_listing import lazy
from kdc_core.config import Settings
from kdc_core.enquiries.backends import BackendType, EnquiriesConfig, SqlBackend
from kdc_core.errors import ConfigError
from kdc_core.jobs.values import Job

if TYPE_CHECKING:
    from kdc_core.enquiries.digest import EnquiryDigest


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(lazy(__name__, "enquiries", "kdc_core.enquiries.cli:enquiries_group"))


def _rest(kdc: Kdc, section: Mapping[str, Any]) -> Any:
    from kdc_core.enquiries.rest import RestBackend

    return RestBackend.from_config(section)


@hookimpl
def kdc_register_casework_backends(register: Callable[[BackendType], None]) -> None:
    register(BackendType("sql", lambda kdc, _s: SqlBackend(kdc), "this database (default)"))
    register(BackendType("rest", _rest, "an external casework system's JSON API"))


@hookimpl
def kdc_register_jobs(register: Callable[[Job], None]) -> None:
    """The daily ``enquiry_escalation`` and weekly ``enquiry_digest`` jobs."""
    from kdc_core.enquiries.jobs import JOBS

    for job in JOBS:
        register(job)


@hookimpl
def kdc_enquiry_weekly_digest(digests: Sequence[EnquiryDigest], kdc: Kdc) -> None:
    """The built-in digest mailer: queue each councillor's digest as one letter in the
    outbox, keyed ``enquiry-digest:<Monday>:<councillor id>`` (nothing when no mailer is
    configured)."""
    from kdc_core.enquiries.digest_mail import deliver

    deliver(kdc, digests)


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    from kdc_core.enquiries.jobs import escalate_after

    escalate_after(settings.jobs.get("enquiry_escalation", {}))
    config = settings.plugin_config("enquiries", into=EnquiriesConfig)
    if config.backend == "rest" and config.url is None:
        raise ConfigError(
            f"{settings.source}: plugins.enquiries.url is needed for the rest backend",
            key="plugins.enquiries.url",
        )


@hookimpl
def kdc_councillor_feed_events(
    councillor_id: int, start: dt.datetime, end: dt.datetime, kdc: Kdc
) -> list[Any]:
    """Each open enquiry's response date, for the councillor's private feed."""
    from kdc_core.calendar.events import uid_domain
    from kdc_core.enquiries.feed import due_date_events

    with kdc.unit_of_work(source="feed", dry_run=True) as uow:
        return due_date_events(uow, councillor_id, start, end, uid_domain(uow))
