"""The people feature's hook implementations: its ``kdc`` commands."""

from __future__ import annotations

import click

from kdc_core import hookimpl
from kdc_core.people.cli import seed_demo_cmd, ward_cmd, wards_cmd


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(ward_cmd)
    cli.add_command(wards_cmd)
    cli.add_command(seed_demo_cmd)
