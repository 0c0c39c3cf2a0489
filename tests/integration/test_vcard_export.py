"""``kdc export vcard --ward NAME``: vCard 3.0 of a ward's councillors, link officer, contacts."""

from __future__ import annotations

import pytest
import vobject
from vcard.vcard_validator import VCard

from kdc_core.demo import WARD_NAMES
from kdc_core.people.names import split_name
from kdc_core.people.queries import ward_summary


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
    return "demo"


@pytest.fixture
def demo(kdc_app):
    return kdc_app


def test_a_wards_people_export_as_vcard_3(kdc_app, kdc_run, demo, tmp_path):
    ward = WARD_NAMES[0]
    with kdc_app.unit_of_work(dry_run=True) as uow:
        summary = ward_summary(uow, ward)
    out = tmp_path / "ward.vcf"
    result = kdc_run("export", "vcard", "--ward", ward.lower(), "--out", str(out))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")

    cards = list(vobject.readComponents(raw.decode("utf-8")))
    assert {c.version.value for c in cards} == {"3.0"}
    names = [c.fn.value for c in cards]
    councillors = [f"Cllr {c.name}" for c in summary.councillors]
    assert names[: len(councillors)] == councillors
    for card, councillor in zip(cards, summary.councillors, strict=False):
        parts = split_name(councillor.name)
        assert (card.n.value.family, card.n.value.given, card.n.value.prefix) == (
            parts.family,
            parts.given,
            "Cllr",
        )
        assert card.uid.value == f"urn:kdc:councillor:{councillor.id}"
        assert card.rev.value.endswith("Z")
    officers = {c.officer.name for c in summary.contacts}
    assert summary.link_officer is not None
    officers.add(summary.link_officer.name)
    assert set(names[len(councillors) :]) == officers
    link = next(c for c in cards if c.fn.value == summary.link_officer.name)
    assert f"Link officer for {ward}" in link.note.value
    assert link.email.type_param == "work"

    # A second reader, an RFC 2426 validator, accepts every card (it raises on an error).
    text = raw.decode("latin-1")  # the RFC's grammar is over octets
    chunks = [c + "END:VCARD\r\n" for c in text.split("END:VCARD\r\n") if c]
    assert len(chunks) == len(cards)
    for chunk in chunks:
        assert {p.name for p in VCard(chunk).properties} >= {"FN", "N", "UID", "ORG"}


def test_an_unknown_ward_fails_with_a_message(kdc_run, demo):
    result = kdc_run("export", "vcard", "--ward", "Atlantis")
    assert result.exit_code != 0 and "Atlantis" in result.output


def test_the_ward_option_is_required(kdc_run):
    result = kdc_run("export", "vcard")
    assert result.exit_code == 2 and "--ward" in result.output
