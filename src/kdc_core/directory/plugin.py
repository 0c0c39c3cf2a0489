"""The directory feature's hook implementations: ``kdc directory``."""

from __future__ import annotations

import click

from kdc_core import hookimpl
from kdc_core.directory.cli import directory_group


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(directory_group())
