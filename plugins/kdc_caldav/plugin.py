"""The caldav plugin's hooks: its config check and ``kdc calendar push``."""

from __future__ import annotations

import click

from kdc_core import hookimpl
from kdc_core.config import Settings


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    from kdc_caldav.config import load_config

    load_config(settings)


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    from kdc_caldav.commands import push_cmd

    group = cli.commands.get("calendar")
    if isinstance(group, click.Group):
        group.add_command(push_cmd)
