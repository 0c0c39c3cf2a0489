"""Briefings' hook implementations: ``kdc briefing`` and protocol rules 8.1 and 9.1."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from kdc_core import hookimpl
from kdc_core.cli_listing import lazy

if TYPE_CHECKING:
    from kdc_core.protocol.rules import Rule


@hookimpl
def kdc_register_protocol_rules(register: Callable[[Rule], None]) -> None:
    """Rules 8.1 and 9.1, over the stored briefings as well as values handed to them."""
    from kdc_core.briefings.protocol import stored_briefing_rules

    for rule in stored_briefing_rules():
        register(rule)


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(lazy(__name__, "briefing", "kdc_core.briefings.cli:briefing_group"))
