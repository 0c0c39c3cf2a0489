"""The jobs feature's hooks: ``kdc jobs``, ``kdc worker`` and the core's own jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from kdc_core import hookimpl
from kdc_core.cli_listing import lazy
from kdc_core.jobs.builtin import BUILTIN_JOBS
from kdc_core.jobs.values import Job

if TYPE_CHECKING:
    from kdc_core.app import Kdc


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(lazy(__name__, "jobs", "kdc_core.jobs.cli:jobs_group"))
    cli.add_command(lazy(__name__, "worker", "kdc_core.jobs.cli:worker_cmd"))


@hookimpl
def kdc_register_jobs(register: Callable[[Job], None]) -> None:
    for job in BUILTIN_JOBS:
        register(job)


@hookimpl
def kdc_startup(kdc: Kdc) -> None:
    """Check every ``[jobs.NAME]`` table against the registered jobs as kdc starts."""
    from kdc_core.jobs.runner import jobs

    jobs(kdc)
