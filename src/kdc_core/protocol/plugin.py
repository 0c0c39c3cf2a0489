"""The protocol's hook implementations: the built-in rules and ``kdc protocol``."""

from __future__ import annotations

from collections.abc import Callable

import click

from kdc_core import hookimpl
from kdc_core.cli_listing import lazy
from kdc_core.protocol.complaints import COMPLAINT_RULE
from kdc_core.protocol.event_rules import EVENT_RULES
from kdc_core.protocol.rules import Rule


@hookimpl
def kdc_register_protocol_rules(register: Callable[[Rule], None]) -> None:
    # The briefing rules (8.1, 9.1) are registered by :mod:`kdc_core.briefings.plugin`,
    # which knows how to read stored briefings.
    for rule in (*EVENT_RULES, COMPLAINT_RULE):
        register(rule)


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(lazy(__name__, "protocol", "kdc_core.protocol.cli:protocol_group"))
