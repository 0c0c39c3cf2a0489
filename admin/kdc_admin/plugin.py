"""The web app's plugin: adds ``kdc serve`` and ``kdc demo`` to the command line.

Registered through the ``kdc`` entry-point group like any other plugin, so the core never
imports the web app.
"""

from __future__ import annotations

import click

from kdc_core import hookimpl
from kdc_core.cli_listing import lazy


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(lazy("admin", "serve", "kdc_admin.cli:serve"))
    cli.add_command(lazy("admin", "demo", "kdc_admin.cli:demo"))
