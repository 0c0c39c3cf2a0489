"""The calendar's hook implementations: ``kdc calendar clashes`` and ``open-day``."""

from __future__ import annotations

import click

from kdc_core import hookimpl
from kdc_core.calendar.cli import clashes_cmd, open_day_cmd


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    calendar = cli.commands["calendar"]
    assert isinstance(calendar, click.Group)
    calendar.add_command(clashes_cmd)
    calendar.add_command(open_day_cmd)
