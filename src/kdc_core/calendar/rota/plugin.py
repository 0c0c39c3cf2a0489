"""The rota's hook implementations: ``kdc rota``."""

from __future__ import annotations

import click

from kdc_core import hookimpl
from kdc_core.calendar.rota.cli import rota_group


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(rota_group)
