"""The mail feature's hooks: ``kdc outbox``."""

from __future__ import annotations

import click

from kdc_core import hookimpl
from kdc_core.cli_listing import lazy


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(lazy(__name__, "outbox", "kdc_core.mail.cli:outbox_group"))
