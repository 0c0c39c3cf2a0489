"""The people feature's hook implementations: its ``kdc`` commands, and the weekly
``councillor_photos`` job."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click

from kdc_core import hookimpl
from kdc_core.cli_listing import lazy
from kdc_core.jobs.values import Job, JobContext


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(lazy(__name__, "ward", "kdc_core.people.cli:ward_cmd"))
    cli.add_command(lazy(__name__, "wards", "kdc_core.people.cli:wards_cmd"))
    cli.add_command(lazy(__name__, "seed-demo", "kdc_core.people.cli:seed_demo_cmd"))
    cli.add_command(lazy(__name__, "councillors", "kdc_core.people.cli:councillors_group"))


#: The photos job's name, which is also the lock ``kdc councillors photos`` takes.
PHOTOS_JOB = "councillor_photos"


def photos_job(context: JobContext) -> Mapping[str, Any]:
    """Copy the councillors' photos to this site (the runner holds the job's lock, the one
    ``kdc councillors photos`` takes). Each skipped photo is echoed and logged by name."""
    from kdc_core.people.photos import fetch_photos

    report = fetch_photos(context.kdc, dry_run=context.dry_run)
    for warning in report.warnings:
        context.echo(warning)
    return report.counts()


@hookimpl
def kdc_register_jobs(register: Callable[[Job], None]) -> None:
    """``councillor_photos`` weekly, early on Monday morning."""
    register(
        Job(
            name=PHOTOS_JOB,
            help="Copy councillors' photos (their photo_url) to this site.",
            run=photos_job,
            schedule="20 4 * * 1",
        )
    )
