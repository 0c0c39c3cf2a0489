"""Letters: one layout for every message, HTML escaped."""

from __future__ import annotations

import attrs

from kdc_core.mail.letters import Letter, Section, outgoing, render


def letter(**changes) -> Letter:
    base = Letter(
        subject="Enquiry KE-2027-000001 is with Jo Bloggs",
        heading="Your enquiry has a named officer",
        greeting="Dear Councillor Lee,",
        paragraphs=("Jo Bloggs will reply.",),
        facts=(("Reference", "KE-2027-000001"), ("Respond by", "Friday 12 March 2027")),
        sections=(Section("Due this week", ("KE-2027-000002, Highways",)),),
        link=("Open the enquiry", "https://kdc.example.gov.uk/my/enquiries/KE-2027-000001"),
        why="You receive this because you raised this enquiry.",
    )
    return attrs.evolve(base, **changes)


def test_text_and_html_carry_the_same_parts():
    text, html = render(letter(), "Kirklees Council")
    for part in (
        "Your enquiry has a named officer",
        "Dear Councillor Lee,",
        "KE-2027-000001",
        "Friday 12 March 2027",
        "Due this week",
        "because you raised this enquiry",
    ):
        assert part in text and part in html
    assert "Respond by: Friday 12 March 2027" in text
    assert '<html lang="en-GB">' in html and "From Kirklees Council." in html


def test_user_text_is_escaped_in_html():
    text, html = render(letter(paragraphs=('<img src=x onerror="alert(1)">',)), "K")
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert '<img src=x onerror="alert(1)">' in text


def test_outgoing_addresses_the_rendered_letter():
    message = outgoing(
        letter(),
        council="K",
        key="k:1",
        kind="test",
        to_address="a@x.gov.uk",
        to_name="A",
        councillor_id=3,
    )
    assert message.subject == "Enquiry KE-2027-000001 is with Jo Bloggs"
    assert message.html and "KE-2027-000001" in message.html
    assert message.councillor_id == 3 and message.key == "k:1"
