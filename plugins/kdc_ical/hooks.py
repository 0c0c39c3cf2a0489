"""The ical plugin's hook implementations, kept light: every ``kdc`` command loads this module,
so it imports Flask, icalendar and the feed server only inside the hooks that need them (the
web app, a feed, ``kdc import ics``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

from kdc_core import hookimpl
from kdc_core.calendar.values import EventKind
from kdc_core.cli_listing import lazy
from kdc_core.interchange import Importer
from kdc_core.registry import deferred
from kdc_ical.defaults import DAYS_AHEAD, DAYS_BACK, DEFAULT_MAX_EVENTS, DEFAULT_MAX_INSTANCES

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.changes import ChangeSet
    from kdc_core.config import Settings

IMPORTER = Importer(
    name="ics",
    help=(
        "Events from an iCalendar feed (a file, an http(s) or webcal URL), recurrences "
        "expanded over --from/--to, upserted by UID and instance; STATUS:CANCELLED cancels."
    ),
    load=deferred("kdc_ical.importer:load_ics"),
    apply=deferred("kdc_ical.importer:apply_ics"),
    options=(
        click.Option(
            ["--kind"],
            type=click.Choice([k.value for k in EventKind]),
            required=True,
            help="What kind of events the feed holds.",
        ),
        click.Option(
            ["--public/--private"],
            default=None,
            help="Visibility [default: public for council meetings, else private].",
        ),
        click.Option(["--committee"], help="The committee [default: the first CATEGORIES]."),
        click.Option(
            ["--from", "from_date"],
            type=click.DateTime(["%Y-%m-%d"]),
            help=f"First day to import [default: {DAYS_BACK} days ago].",
        ),
        click.Option(
            ["--to", "to_date"],
            type=click.DateTime(["%Y-%m-%d"]),
            help=f"Last day to import [default: {DAYS_AHEAD} days from today].",
        ),
        click.Option(
            ["--max-instances"],
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_INSTANCES,
            show_default=True,
            help="Most instances of one recurring event inside the window.",
        ),
        click.Option(
            ["--max-events"],
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_EVENTS,
            show_default=True,
            help="Most events in one import; beyond it the import stops.",
        ),
        click.Option(
            ["--allow-sub-daily"],
            is_flag=True,
            help="Accept rules repeating every second or minute (refused by default).",
        ),
        click.Option(
            ["--skip-invalid"],
            is_flag=True,
            help="Import the good events and list the VEVENTs left out, with the reasons.",
        ),
    ),
)


#: Entities whose committed changes can alter a feed.
FEED_ENTITIES = frozenset(
    {"event", "councillor", "officer", "ward", "service", "enquiry", "committee"}
)


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    from kdc_ical.settings import SECTION, FeedSettings

    settings.plugin_config(SECTION, into=FeedSettings)


@hookimpl
def kdc_blueprints(kdc: Kdc) -> Iterable[Any]:
    from kdc_ical.feeds import make_blueprint
    from kdc_ical.feedserver import feed_server

    return [make_blueprint(feed_server(kdc))]


@hookimpl
def kdc_admin_views(kdc: Kdc) -> Iterable[Any]:
    """The councillors' feed addresses page."""
    from kdc_ical.admin import feed_admin_views

    return feed_admin_views(kdc)


@hookimpl
def kdc_changes_committed(changes: ChangeSet, kdc: Kdc) -> None:
    """Tell this process's feed server, if it has one, that feeds may have changed. A process
    that never imported the feed server (a command, not the web app) has none to tell."""
    feedserver = sys.modules.get("kdc_ical.feedserver")
    if feedserver is None:
        return
    server = feedserver.existing_feed_server(kdc)
    if server is not None and any(c.entity in FEED_ENTITIES for c in changes):
        server.invalidate()


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(lazy("ical", "feeds", "kdc_ical.feed_cli:feeds"))


@hookimpl
def kdc_seed_demo_activity(kdc: Kdc) -> list[str]:
    """Queue calendar links for a handful of demo councillors (once; none without a mailer)."""
    from kdc_ical.send_links import demo_links

    return demo_links(kdc)


@hookimpl
def kdc_register_importers(register: Callable[[Importer], None]) -> None:
    """``kdc import ics``."""
    register(IMPORTER)
