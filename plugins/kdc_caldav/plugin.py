"""The caldav plugin's hooks: its config check, ``kdc calendar push`` and the job
``caldav_push``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click

from kdc_core import hookimpl
from kdc_core.config import Settings
from kdc_core.errors import KdcError
from kdc_core.jobs.values import Job, JobContext


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    from kdc_caldav.config import load_config

    load_config(settings)


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    """``kdc calendar push``, imported (with the CalDAV client and the feeds) when it runs."""
    from kdc_core.cli import LazyCommand

    group = cli.commands.get("calendar")
    if isinstance(group, click.Group):
        group.add_command(
            LazyCommand(
                "push",
                "kdc_caldav.commands:push_cmd",
                "Write each councillor's events into their calendar on the CalDAV server.",
            )
        )


def push_job(context: JobContext) -> Mapping[str, Any]:
    """Push every councillor's calendar to the CalDAV server (a dry run compares only)."""
    from kdc_caldav.config import load_config
    from kdc_caldav.push import push

    config = load_config(context.kdc.settings)
    if config is None:
        raise KdcError("CalDAV push is not configured: add a [plugins.caldav] section")
    outcomes = push(context.kdc, config, None, dry_run=context.dry_run)
    totals = {
        key: sum(getattr(o, key) for o in outcomes)
        for key in ("created", "updated", "deleted", "unchanged", "writes")
    }
    return {"calendars": len(outcomes), **totals}


@hookimpl
def kdc_register_jobs(register: Callable[[Job], None]) -> None:
    """``caldav_push``: runs on a schedule only when ``[jobs.caldav_push] schedule`` is set
    (and fails, saying so, when ``[plugins.caldav]`` is missing)."""
    register(
        Job(
            name="caldav_push",
            help="Push councillors' events to their CalDAV calendars ([plugins.caldav]).",
            run=push_job,
            schedule=None,
        )
    )
