"""The web app's plugin: adds ``kdc serve`` and ``kdc demo`` to the command line.

Registered through the ``kdc`` entry-point group like any other plugin, so the core never
imports the web app.
"""

from __future__ import annotations

import click

from kdc_core import hookimpl


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    from kdc_admin.cli import demo, serve

    cli.add_command(serve)
    cli.add_command(demo)
