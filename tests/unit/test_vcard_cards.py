"""vCard 3.0 cards built with vobject: the N field, escaping, folding, and two readers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import vobject
from vcard.vcard_validator import VCard

from kdc_core.people.values import (
    Councillor,
    Officer,
    PoliticalGroup,
    Service,
    Ward,
    WardContact,
    WardSummary,
)
from kdc_vcard import councillor_card, officer_card, ward_vcards

WARD = Ward(1, "Almondbury", "almondbury")
LABOUR = PoliticalGroup(1, "Labour")
HIGHWAYS = Service(3, "Highways", "highways", None)
CHANGED = dt.datetime(2026, 7, 1, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def councillor(name: str, **kw) -> Councillor:
    return Councillor(id=12, name=name, ward=WARD, group=LABOUR, **kw)


def officer(given: str, family: str, **kw) -> Officer:
    return Officer(id=40, person_id="P0040", given_name=given, family_name=family, **kw)


def unescape(value: str) -> str:
    """RFC 2426 §4 text unescaping, written here independently of both libraries."""
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def second_reader(text: str) -> dict[str, list[str]]:
    """Each property's values as the ``vcard`` package (an RFC 2426 validator) reads them,
    unescaped; it raises on anything the RFC's grammar does not allow.

    The RFC's grammar is over octets (NON-ASCII is %x80-FF), so the validator is given the
    UTF-8 octets one character each, and the values are turned back into text after.
    """
    card = VCard(text.encode("utf-8").decode("latin-1"))
    return {
        p.name: [unescape(",".join(v).encode("latin-1").decode("utf-8")) for v in p.values]
        for p in card.properties
    }


def lines_of(text: str) -> list[str]:
    """The unfolded content lines (RFC 2426 §2.6)."""
    return text.replace("\r\n ", "").split("\r\n")


def test_a_councillors_card_has_a_structured_name_with_cllr_as_prefix():
    card = councillor_card(
        councillor(
            "Ann Lee", email="ann.lee@example.gov.uk", phone="01484 221000", updated_at=CHANGED
        ),
        "Almondbury",
        "Kirklees Council",
    ).serialize()
    assert lines_of(card) == [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "UID:urn:kdc:councillor:12",
        "EMAIL;TYPE=work:ann.lee@example.gov.uk",
        "FN:Cllr Ann Lee",
        "N:Lee;Ann;;Cllr;",
        "ORG:Kirklees Council",
        "REV:20260701T163000Z",
        "TEL;TYPE=work,voice:01484 221000",
        "TITLE:Councillor for Almondbury (Labour)",
        "END:VCARD",
        "",
    ]


def test_an_officers_card_uses_the_directorys_names_service_and_roles():
    card = officer_card(
        officer("Bob", "Smith", job_title="Highways Officer", service=HIGHWAYS, phone="01484 1"),
        ["Link officer for Almondbury", "Highways contact for Almondbury"],
        "Kirklees Council",
    )
    assert card.n.value.family == "Smith" and card.n.value.given == "Bob"
    assert card.org.value == ["Kirklees Council", "Highways"]
    assert card.title.value == "Highways Officer"
    assert card.note.value == "Link officer for Almondbury; Highways contact for Almondbury"
    assert card.tel.type_paramlist == ["work", "voice"]
    assert "rev" not in card.contents, "no time of change, no REV"
    assert "email" not in card.contents


AWKWARD = [
    ("Zoë", "O'Brien-Łukasiewicz"),
    ("Ann, Jr", "Lee; Smith"),
    ("Back\\slash", "Line\nBreak"),
    ("Siân", "D'Arcy, MBE"),
]


# The validator hints that a name part with a space may be two names; these are on purpose.
@pytest.mark.filterwarnings("ignore:Possible split name")
@pytest.mark.parametrize(("given", "family"), AWKWARD)
def test_awkward_names_round_trip_through_vobject_and_a_second_reader(given, family):
    service = Service(4, "Parks, Greenspace; Trees", "parks", None)
    text = officer_card(
        officer(given, family, job_title="Ranger", service=service), ["Parks contact"], "Kirklees"
    ).serialize()

    parsed = vobject.readOne(text)
    assert (parsed.n.value.family, parsed.n.value.given) == (family, given)
    assert parsed.fn.value == f"{given} {family}"
    assert parsed.org.value == ["Kirklees", "Parks, Greenspace; Trees"]

    second = second_reader(text)
    assert second["N"] == [family, given, "", "", ""]
    assert second["FN"] == [f"{given} {family}"]
    assert second["ORG"] == ["Kirklees", "Parks, Greenspace; Trees"]


def test_long_lines_are_folded_by_vobject_and_unfold_to_the_same_value():
    title = "Head of Strategic Highways, Transport and Infrastructure Planning " * 3
    text = officer_card(officer("Bob", "Smith", job_title=title), ["x"], "Kirklees").serialize()
    raw = text.encode()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert "\r\n " in text, "the TITLE line is folded"
    assert vobject.readOne(text).title.value == title


def test_a_ward_file_holds_councillors_then_each_officer_once_with_every_role():
    bob = officer("Bob", "Smith", service=HIGHWAYS)
    summary = WardSummary(
        WARD,
        (councillor("Ann Lee"), Councillor(13, "Raj Patel", WARD, None)),
        (),
        (WardContact(WARD, HIGHWAYS, bob),),
        bob,
    )
    cards = list(vobject.readComponents(ward_vcards(summary, "Kirklees Council")))
    assert [c.fn.value for c in cards] == ["Cllr Ann Lee", "Cllr Raj Patel", "Bob Smith"]
    assert cards[1].title.value == "Councillor for Almondbury"
    assert cards[2].note.value == "Link officer for Almondbury; Highways contact for Almondbury"
