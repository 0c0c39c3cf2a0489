"""The core's own CLI commands about people and wards, registered through the same hook as a plugin's."""

from __future__ import annotations

import click

from kdc_core import hookimpl


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    pass
