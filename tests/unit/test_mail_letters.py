"""Letters: one layout for every message, HTML escaped, times in the council's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs

from kdc_core.mail.letters import Letter, Section, local_date, local_time, outgoing, render

LONDON = ZoneInfo("Europe/London")


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


def test_times_are_shown_in_the_council_zone_with_its_abbreviation():
    winter = dt.datetime(2027, 1, 12, 10, 0, tzinfo=dt.UTC)
    summer = dt.datetime(2027, 7, 12, 17, 0, tzinfo=dt.UTC)
    assert local_time(winter, LONDON) == "Tuesday 12 January 2027, 10:00 GMT"
    assert local_time(summer, LONDON) == "Monday 12 July 2027, 18:00 BST"
    assert local_date(dt.datetime(2027, 7, 12, 23, 30, tzinfo=dt.UTC), LONDON) == (
        "Tuesday 13 July 2027"
    )


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
