"""``kdc export vcard --ward NAME``: a ward's people as vCard 3.0 (RFC 2426) for phones.

One card each for the ward's councillors, its link officer and the named contacts for its
ward-facing services, in that order; an officer who is both appears once, with every role
in the card's NOTE. The cards are built and serialised with vobject (see
:mod:`kdc_vcard.cards`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from kdc_core import hookimpl
from kdc_core.interchange import Exporter

if TYPE_CHECKING:
    from kdc_vcard.cards import councillor_card, officer_card, ward_cards, ward_vcards

__all__ = ["councillor_card", "kdc_register_exporters", "officer_card", "ward_cards", "ward_vcards"]

_CARDS = frozenset({"councillor_card", "officer_card", "ward_cards", "ward_vcards"})


def __getattr__(name: str) -> Any:
    """The card builders, from :mod:`kdc_vcard.cards` when first asked for: every ``kdc``
    command loads this plugin to register the exporter, and vobject is a large import."""
    if name not in _CARDS:
        raise AttributeError(f"module 'kdc_vcard' has no attribute {name!r}")
    from kdc_vcard import cards

    return getattr(cards, name)


def _export(uow: Any, ward: str) -> str:
    from kdc_core.people.queries import ward_summary
    from kdc_vcard.cards import ward_vcards

    return ward_vcards(ward_summary(uow, ward), uow.settings.council_name)


@hookimpl
def kdc_register_exporters(register: Callable[[Exporter], None]) -> None:
    register(
        Exporter(
            name="vcard",
            help="A ward's councillors, link officer and named contacts as vCard 3.0.",
            export=_export,
            suffix=".vcf",
            media_type="text/vcard",
            options=(
                click.Option(["--ward"], required=True, help="The ward's name or slug (any case)."),
            ),
        )
    )
