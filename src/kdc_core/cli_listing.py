"""What ``kdc --help`` lists, without importing the modules that define the commands.

Importing every plugin's commands brings in SQLAlchemy, every table, Flask, icalendar and
more: over a second before a word is printed. So the top-level commands of the core's own
plugins and of the plugins kdc-core installs are written down here with their short help,
and ``kdc --help`` shows them from this table (for the plugins that are installed and not
disabled). A plugin from another distribution is loaded and asked for its commands as
before; its hook module should stay light (import what a command needs inside the command).

The core's plugins register their commands with :func:`lazy`, so running one command does
not import the others' modules either.

``tests/unit/test_cli_listing.py`` compares this table with the commands the plugins
register, so a command added or renamed without updating it fails the tests.
"""

from __future__ import annotations

import importlib.metadata as md
from collections.abc import Mapping
from typing import Any

import click

#: The distribution whose entry points are described by :data:`COMMANDS`.
DISTRIBUTION = "kdc-core"

#: Plugin name → {top-level command: its short help}, for the core's plugins
#: (:data:`kdc_core.plugins.DEFAULT_PLUGINS`) and kdc-core's own entry points.
COMMANDS: Mapping[str, Mapping[str, str]] = {
    "kdc_core.people.plugin": {
        "ward": "Show a ward: its councillors, the officers working in it by service, and its "
        "contacts.",
        "wards": "List every ward with its councillors, officers and named contacts counted.",
        "seed-demo": "Load the fictional demo council into an empty database (run `kdc init` "
        "first).",
        "councillors": "Councillors: copy their photos to this site.",
    },
    "kdc_core.users.plugin": {
        "users": "Manage web app accounts (admin, liaison or viewer).",
    },
    "kdc_core.calendar.rota.plugin": {
        "rota": "The quarterly ward walkabout rota.",
    },
    "kdc_core.protocol.plugin": {
        "protocol": "The member–officer protocol: clauses, guide, scenarios, checks and "
        "complaints.",
    },
    "kdc_core.enquiries.plugin": {
        "enquiries": "Casework: enquiries with references, due dates and a named officer.",
    },
    "kdc_core.newsletter.plugin": {
        "newsletter": "Monthly ward newsletters: build them to files, or send them.",
    },
    "kdc_core.briefings.plugin": {
        "briefing": "Ward briefings: post one, send them to ward councillors before they are "
        "public.",
    },
    "kdc_core.directory.plugin": {
        "directory": "Keep officers in step with the staff directory; report stale profiles.",
    },
    "kdc_core.mail.plugin": {
        "outbox": "Messages kdc has queued to send: list them, send them, retry failures.",
    },
    "kdc_core.jobs.plugin": {
        "jobs": "Scheduled jobs: what they are, when they ran, and running them.",
        "worker": "Run due jobs (the outbox dispatch among them) until stopped (SIGTERM or "
        "Ctrl-C).",
    },
    "admin": {
        "serve": "Serve the web app (admin and plugin routes) on an existing database.",
        "demo": "Set up a demo council and serve it on 127.0.0.1.",
    },
    "ical": {
        "feeds": "Private calendar-feed addresses for councillors and officers.",
    },
}


def lazy(plugin: str, name: str, target: str) -> click.Command:
    """What ``plugin`` registers for its command ``name`` (short help from :data:`COMMANDS`):
    a stand-in that imports ``target`` (``"module:attribute"``) when the command is run."""
    from kdc_core.cli import LazyCommand

    return LazyCommand(name, target, COMMANDS[plugin][name])


def _disabled(config_path: str | None) -> frozenset[str]:
    """The plugins kdc.toml disables (none when the settings cannot be read: the command
    that is run reports why)."""
    from kdc_core.config import load_settings
    from kdc_core.errors import KdcError

    try:
        return frozenset(load_settings(config_path).disabled_plugins)
    except KdcError:
        return frozenset()


def _is_ours(ep: md.EntryPoint) -> bool:
    name = ep.dist.name if ep.dist is not None else ""
    return name.replace("_", "-").lower() == DISTRIBUTION


def _commands_of(plugin: Any) -> dict[str, click.Command]:
    """The top-level commands another distribution's plugin registers."""
    from kdc_core.cli import KdcGroup, _calendar_group

    register = getattr(plugin, "kdc_register_commands", None)
    if register is None:
        return {}
    scratch = KdcGroup(name="kdc", commands={"calendar": _calendar_group()})
    register(cli=scratch)
    return {name: cmd for name, cmd in scratch.commands.items() if name != "calendar"}


def listing(config_path: str | None = None) -> dict[str, click.Command]:
    """Every top-level command ``kdc`` has with these settings, for listing: the core's own
    (as defined), stand-ins carrying the short help of those in :data:`COMMANDS`, and the
    real commands of other distributions' plugins.

    A plugin that fails to load is left out here; running any command reports the failure.
    """
    from kdc_core.cli import _calendar_group, cli
    from kdc_core.plugins import DEFAULT_PLUGINS, ENTRY_POINT_GROUP

    disabled = _disabled(config_path)
    out: dict[str, click.Command] = {**cli.commands, "calendar": _calendar_group()}
    enabled = list(DEFAULT_PLUGINS)
    for ep in sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        if ep.name in disabled:
            continue
        if _is_ours(ep):
            enabled.append(ep.name)
            continue
        try:
            out.update(_commands_of(ep.load()))
        except Exception:  # reported when a command is run
            continue
    for plugin in enabled:
        for name, short_help in COMMANDS.get(plugin, {}).items():
            out[name] = click.Command(name, help=short_help)
    return out
