"""The ical plugin's hook implementations, kept light: every ``kdc`` command loads this module,
so it imports Flask, icalendar and the feed server only inside the hooks that need them (the
web app, a feed, ``kdc import ics``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from kdc_core import hookimpl
from kdc_core.cli_listing import lazy

if TYPE_CHECKING:
    import click

    from kdc_core.app import Kdc
    from kdc_core.changes import ChangeSet
    from kdc_core.config import Settings
    from kdc_core.interchange import Importer

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
    from kdc_ical.importer import IMPORTER

    register(IMPORTER)
