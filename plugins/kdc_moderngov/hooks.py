"""The ModernGov plugin's hook implementations, kept light: every ``kdc`` command loads this
module, so the importers are registered here by name, help and options, and their ``load``
and ``apply`` import the parsers and the roster, committee and calendar services only when an
import runs (:func:`kdc_core.registry.deferred`)."""

from __future__ import annotations

from collections.abc import Callable

import click

from kdc_core import hookimpl
from kdc_core.config import Settings
from kdc_core.interchange import Importer
from kdc_core.registry import deferred
from kdc_moderngov.config import DEFAULT_DURATION, ModernGovConfig

COUNCILLORS = Importer(
    name="moderngov-councillors",
    help=(
        "Councillors, wards, groups, key posts and terms of office from ModernGov's "
        "GetCouncillorsByWard XML. SOURCE is a file, an http(s) URL, or '-' for "
        "plugins.moderngov.base_url. Councillors missing from SOURCE are archived; an "
        "answer that would archive more than plugins.moderngov.max_archive_share of them, "
        "or empty more than one ward, is refused unless --force."
    ),
    load=deferred("kdc_moderngov.plugin:load_councillors"),
    apply=deferred("kdc_moderngov.plugin:apply_councillors"),
    options=(
        click.Option(
            ["--force"],
            is_flag=True,
            default=False,
            help="Apply even if the answer would archive more councillors than "
            "plugins.moderngov.max_archive_share allows, or empty several wards.",
        ),
    ),
)

COMMITTEES = Importer(
    name="moderngov-committees",
    help=(
        "Committees from ModernGov's GetCommittees XML (a file, an http(s) URL, or '-' for "
        "plugins.moderngov.base_url) and their members from --members answers (GetCommittee "
        "or GetCommitteesByUser; '-' asks the web service for every current committee). "
        "Committees missing from SOURCE are archived; seats a member list no longer has are "
        "removed. A committee's meetings concern its members (substitutes excepted)."
    ),
    load=deferred("kdc_moderngov.committees:load_committees"),
    apply=deferred("kdc_moderngov.committees:apply_committees"),
    options=(
        click.Option(
            ["--members"],
            multiple=True,
            metavar="FILE_OR_URL",
            help=(
                "A committee's member list (GetCommittee) or a councillor's committees "
                "(GetCommitteesByUser); repeat for more. '-': every current committee's list "
                "from plugins.moderngov.base_url."
            ),
        ),
    ),
)

MEETINGS = Importer(
    name="moderngov-meetings",
    help=(
        "Council meetings from ModernGov's GetMeetings XML (a file or an http(s) URL), "
        "upserted by meeting id as public council_meeting events; meetings marked "
        "Cancelled are cancelled. Times are the council's local time."
    ),
    load=deferred("kdc_moderngov.meetings:load_meetings"),
    apply=deferred("kdc_moderngov.meetings:apply_meetings"),
    options=(
        click.Option(
            ["--duration"],
            type=click.IntRange(1, 24 * 60),
            default=DEFAULT_DURATION,
            show_default=True,
            metavar="MINUTES",
            help="How long a meeting is taken to last (GetMeetings gives no end time).",
        ),
    ),
)


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    ModernGovConfig.from_settings(settings)


@hookimpl
def kdc_register_importers(register: Callable[[Importer], None]) -> None:
    register(COUNCILLORS)
    register(COMMITTEES)
    register(MEETINGS)
