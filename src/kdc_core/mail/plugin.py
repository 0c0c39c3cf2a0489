"""The mail feature's hooks: ``kdc outbox``."""

from __future__ import annotations

import click

from kdc_core import hookimpl


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    from kdc_core.mail.cli import outbox_group

    cli.add_command(outbox_group)
