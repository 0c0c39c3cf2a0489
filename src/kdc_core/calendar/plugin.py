"""The calendar's hook implementations: ``kdc calendar clashes`` and ``open-day``, registered
by name and short help, so a command that does not use them never imports them."""

from __future__ import annotations

import click

from kdc_core import hookimpl
from kdc_core.cli import LazyCommand


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    calendar = cli.commands["calendar"]
    assert isinstance(calendar, click.Group)
    calendar.add_command(
        LazyCommand(
            "clashes",
            "kdc_core.calendar.cli:clashes_cmd",
            "List clashes: a person expected at two overlapping events.",
        )
    )
    calendar.add_command(
        LazyCommand(
            "open-day",
            "kdc_core.calendar.cli:open_day_cmd",
            "Declare a service open day and invite the councillors (all, or those of --ward).",
        )
    )
