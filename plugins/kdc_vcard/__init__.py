"""``kdc export vcard --ward NAME``: a ward's people as vCard 4.0 (RFC 6350) for phones.

One card each for the ward's councillors, its link officer and the named contacts for its
ward-facing services, in that order; an officer who is both appears once, with every role
in the card's TITLE and NOTE. Lines end in CRLF and are folded at 75 octets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from kdc_core import hookimpl
from kdc_core.interchange import Exporter
from kdc_core.people.values import Officer, WardSummary

CRLF = "\r\n"


def escape(value: str) -> str:
    """RFC 6350 text escaping: backslash, comma, semicolon and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not out else 74
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return (CRLF + " ").join(out)


def card(uid: str, full_name: str, lines: list[str]) -> str:
    body = ["BEGIN:VCARD", "VERSION:4.0", f"UID:{uid}", f"FN:{escape(full_name)}", *lines]
    body.append("END:VCARD")
    return "".join(fold(line) + CRLF for line in body)


def _phone(kind: str, number: str | None) -> list[str]:
    if not number:
        return []
    return [f"TEL;VALUE=uri;TYPE={kind}:tel:{number.replace(' ', '-')}"]


def _officer_card(officer: Officer, roles: list[str], council: str) -> str:
    lines = [f"N:{escape(officer.family_name)};{escape(officer.given_name)};;;"]
    units = [council] + ([officer.service.name] if officer.service else [])
    lines.append("ORG:" + ";".join(escape(unit) for unit in units))
    if officer.job_title:
        lines.append(f"TITLE:{escape(officer.job_title)}")
    lines.append(f"NOTE:{escape('; '.join(roles))}")
    if officer.email:
        lines.append(f"EMAIL;TYPE=work:{officer.email}")
    lines += _phone("work,voice", officer.phone)
    return card(f"urn:kdc:officer:{officer.person_id}", officer.name, lines)


def ward_vcards(summary: WardSummary, council: str) -> str:
    """The ward's councillors, link officer and named contacts as one vCard 4.0 file."""
    cards = []
    ward = summary.ward.name
    for c in summary.councillors:
        lines = [f"N:{escape(c.name)};;;;", f"ORG:{escape(council)}"]
        title = f"Councillor for {ward}"
        if c.group:
            title += f" ({c.group.name})"
        lines.append(f"TITLE:{escape(title)}")
        if c.email:
            lines.append(f"EMAIL;TYPE=work:{c.email}")
        lines += _phone("work,voice", c.phone) + _phone("cell,voice", c.mobile)
        cards.append(card(f"urn:kdc:councillor:{c.id}", f"Cllr {c.name}", lines))
    roles: dict[str, list[str]] = {}
    people: dict[str, Officer] = {}
    if summary.link_officer is not None:
        people[summary.link_officer.person_id] = summary.link_officer
        roles.setdefault(summary.link_officer.person_id, []).append(f"Link officer for {ward}")
    for contact in summary.contacts:
        pid = contact.officer.person_id
        people.setdefault(pid, contact.officer)
        roles.setdefault(pid, []).append(f"{contact.service.name} contact for {ward}")
    for pid, officer in people.items():
        cards.append(_officer_card(officer, roles[pid], council))
    return "".join(cards)


def _export(uow: Any, ward: str) -> str:
    from kdc_core.people.queries import ward_summary

    return ward_vcards(ward_summary(uow, ward), uow.settings.council_name)


@hookimpl
def kdc_register_exporters(register: Callable[[Exporter], None]) -> None:
    register(
        Exporter(
            name="vcard",
            help="A ward's councillors, link officer and named contacts as vCard 4.0.",
            export=_export,
            suffix=".vcf",
            media_type="text/vcard",
            options=(
                click.Option(["--ward"], required=True, help="The ward's name or slug (any case)."),
            ),
        )
    )
