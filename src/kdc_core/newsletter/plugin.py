"""The newsletter's hook implementations.

``kdc newsletter``, the built-in sections and the unsubscribe page. Briefings have their own
plugin, :mod:`kdc_core.briefings.plugin`.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.newsletter.cli import newsletter_group
from kdc_core.newsletter.sections import BUILT_IN
from kdc_core.newsletter.values import NewsletterConfig, Section


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(newsletter_group)


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    settings.plugin_config("newsletter", into=NewsletterConfig)


@hookimpl
def kdc_blueprints(kdc: Kdc) -> list[object]:
    from kdc_core.newsletter.web import make_blueprint

    return [make_blueprint(kdc)]


@hookimpl
def kdc_register_newsletter_sections(register: Callable[[Section], None]) -> None:
    for order, (name, title, topic, collect) in enumerate(BUILT_IN):
        register(Section(name=name, title=title, topic=topic, collect=collect, order=order * 10))
    from kdc_core.newsletter.enquiry_section import enquiry_section

    enquiries = enquiry_section()
    if enquiries is not None:
        register(enquiries)
