"""vCard 3.0 cards (RFC 2426) for a ward's people, built and serialised with vobject.

vobject writes the text escaping (``\\,`` ``\\;`` ``\\\\`` ``\\n``), the structured ``N`` and
``ORG`` values, CRLF line ends and the line folding; this module only decides what goes on
each card. Version 3.0 is the one vobject implements and the one phones' contact apps import
most reliably.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import vobject
from vobject.base import Component
from vobject.vcard import Name

from kdc_core.people.names import NameParts, split_name
from kdc_core.people.values import Councillor, Officer, WardSummary

#: The title every councillor's card puts before their name.
COUNCILLOR_PREFIX = "Cllr"


def _name(parts: NameParts) -> Name:
    return Name(
        family=parts.family,
        given=parts.given,
        additional=parts.additional,
        prefix=parts.prefix,
        suffix=parts.suffix,
    )


def _revision(moment: dt.datetime | None) -> str | None:
    """A ``REV`` timestamp in UTC, or None when the record has no time of change."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ") if moment else None


def _card(
    *,
    uid: str,
    full_name: str,
    name: NameParts,
    organization: Sequence[str],
    title: str | None,
    note: str | None,
    email: str | None,
    phones: Sequence[tuple[Sequence[str], str | None]],
    revised: dt.datetime | None,
) -> Component:
    card = vobject.vCard()
    card.add("version").value = "3.0"
    card.add("uid").value = uid
    card.add("fn").value = full_name
    card.add("n").value = _name(name)
    card.add("org").value = list(organization)
    if title:
        card.add("title").value = title
    if note:
        card.add("note").value = note
    if email:
        line = card.add("email")
        line.value = email
        line.type_param = "work"
    for kinds, number in phones:
        if number:
            line = card.add("tel")
            line.value = number
            line.type_paramlist = list(kinds)
    revision = _revision(revised)
    if revision:
        card.add("rev").value = revision
    return card


def councillor_card(councillor: Councillor, ward: str, council: str) -> Component:
    """A councillor's card: ``N`` with ``Cllr`` as prefix, e.g. ``Lee;Ann;;Cllr;``."""
    parts = split_name(councillor.name)
    prefix = " ".join(p for p in (COUNCILLOR_PREFIX, parts.prefix) if p)
    title = f"Councillor for {ward}"
    if councillor.group:
        title += f" ({councillor.group.name})"
    return _card(
        uid=f"urn:kdc:councillor:{councillor.id}",
        full_name=f"{COUNCILLOR_PREFIX} {councillor.name}",
        name=NameParts(parts.family, parts.given, parts.additional, prefix, parts.suffix),
        organization=[council],
        title=title,
        note=None,
        email=councillor.email,
        phones=((("work", "voice"), councillor.phone), (("cell", "voice"), councillor.mobile)),
        revised=councillor.updated_at,
    )


def officer_card(officer: Officer, roles: Sequence[str], council: str) -> Component:
    """An officer's card: the directory's family and given names, their service as the
    organisational unit, and their roles in the ward in ``NOTE``."""
    return _card(
        uid=f"urn:kdc:officer:{officer.person_id}",
        full_name=officer.name,
        name=NameParts(family=officer.family_name, given=officer.given_name),
        organization=[council] + ([officer.service.name] if officer.service else []),
        title=officer.job_title,
        note="; ".join(roles),
        email=officer.email,
        phones=((("work", "voice"), officer.phone),),
        revised=officer.updated_at,
    )


def ward_cards(summary: WardSummary, council: str) -> list[Component]:
    """The ward's councillors, then its link officer and named contacts, each officer once
    with every role they hold in the ward."""
    ward = summary.ward.name
    cards = [councillor_card(c, ward, council) for c in summary.councillors]
    roles: dict[str, list[str]] = {}
    people: dict[str, Officer] = {}
    if summary.link_officer is not None:
        people[summary.link_officer.person_id] = summary.link_officer
        roles.setdefault(summary.link_officer.person_id, []).append(f"Link officer for {ward}")
    for contact in summary.contacts:
        pid = contact.officer.person_id
        people.setdefault(pid, contact.officer)
        roles.setdefault(pid, []).append(f"{contact.service.name} contact for {ward}")
    cards += [officer_card(officer, roles[pid], council) for pid, officer in people.items()]
    return cards


def ward_vcards(summary: WardSummary, council: str) -> str:
    """The ward's cards as one vCard file (CRLF line ends, folded by vobject)."""
    return "".join(card.serialize() for card in ward_cards(summary, council))
