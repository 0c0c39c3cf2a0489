"""The core's own CLI commands about people and wards, added through the plugin hook."""

from __future__ import annotations

import click

from kdc_core import hookimpl


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    pass
