"""Issues rendered from fixed sections are byte for byte the pinned ones.

``tests/fixtures/newsletter/`` holds the HTML, text and message of each issue below as the
renderer made them before it was made faster; any change to an issue's output shows up here.
The message's Date header and MIME boundary differ on every run and are replaced before the
comparison. Regenerate deliberately with ``KDC_WRITE_GOLDEN=1`` after changing a template.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kdc_core.config import MailSettings, Settings
from kdc_core.mail.values import TOPICS, Recipient
from kdc_core.newsletter.build import IssueMaker
from kdc_core.newsletter.values import FilledSection, Month, SectionItem

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "newsletter"
ALL = frozenset(TOPICS)

SECTIONS = (
    FilledSection(
        "ward_events",
        "Coming up in the ward",
        "ward_events",
        (
            SectionItem("Walkabout: Almondbury", "Meet at the library", "Walkabout, 10:00am"),
            SectionItem("Open day <Depot & Yard>", "", "Open day, 2:30pm"),
        ),
    ),
    FilledSection(
        "briefings",
        "Briefings this month",
        "briefings",
        (
            SectionItem("Bin rounds change", "From 1 April.", "Public from 3 March 2027"),
            SectionItem(
                "Resurfacing on St Helen's Gate",
                "Work starts after Easter — expect delays.",
                "Public from 20 March 2027",
                topic="roadworks",
            ),
            SectionItem(
                "New homes at Fenay Bridge", "", "Public from 25 March 2027", topic="planning"
            ),
        ),
    ),
    FilledSection("staff_changes", "Officers who joined or left", "staff_changes", ()),
    FilledSection(
        "contacts",
        "Your named contacts",
        "contacts",
        (
            SectionItem(
                "Zoë O'Brien",
                "zoe.obrien@kirklees.example · 01484 221000",
                "Ward link officer",
                url="mailto:zoe.obrien@kirklees.example",
            ),
            SectionItem("Sam Lee", "", "Parks"),
        ),
    ),
    FilledSection(
        "success_stories",
        "Success stories",
        "success_stories",
        (
            SectionItem(
                "Litter pick <cleared> 40 bags",
                'Volunteers & officers cleared the "brook" path.',
                "Parks",
                image_url="https://kdc.example.gov.uk/img/litter.jpg?a=1&b=2",
                image_alt="",
            ),
            SectionItem(
                "Café reopens",
                "Thanks to everyone.",
                None,
                image_url="https://x.test/c.png",
                image_alt="A café",
            ),
        ),
    ),
    FilledSection(
        "service_spotlight",
        "Service spotlight",
        "service_spotlight",
        (SectionItem("Parks", "3 of its officers work in Almondbury.", "Environment"),),
    ),
)

PEOPLE = (
    Recipient(11, "Amir Hussain", "amir@example.gov.uk", None, "Labour", ALL),
    Recipient(
        12,
        "Bernadette Ní Bhriain",
        "bnb@example.gov.uk",
        None,
        None,
        ALL - {"contacts", "roadworks"},
    ),
    Recipient(
        13, "Chris Smith", None, None, None, frozenset({"newsletter", "planning", "briefings"})
    ),
    Recipient(14, "Dee <Dev> & Co", "dee@example.gov.uk", None, None, frozenset({"newsletter"})),
)


def maker() -> IssueMaker:
    settings = Settings(
        database_url="sqlite://",
        instance_path=Path("/nonexistent/kdc-golden"),
        environ={"KDC_SECRET_KEY": "golden-secret-" + "g" * 32},
        base_url="https://kdc.example.gov.uk/",
        council_name="Kirklees Council",
        mail=MailSettings(sender="ward-newsletter@kirklees.example"),
    )
    return IssueMaker(
        settings, "Kirklees Council <ward-newsletter@kirklees.example>", Month(2027, 3)
    )


def stable(eml: bytes) -> str:
    """The message with its Date header and MIME boundary (different each time) replaced."""
    text = eml.decode("ascii")
    text = re.sub(r"(?m)^Date: .*$", "Date: DATE", text)
    return re.sub(r"=_kdc_[0-9a-f]{24}", "=_kdc_BOUNDARY", text)


@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: str(p.councillor_id))
def test_issue_is_the_pinned_html_text_and_message(person: Recipient) -> None:
    issue = maker().ward(7, "Almondbury & Ryburn", SECTIONS).issue(person)
    got = {"html": issue.html, "txt": issue.text, "eml": stable(issue.eml)}
    for suffix, text in got.items():
        path = GOLDEN / f"issue-{person.councillor_id}.{suffix}"
        if os.environ.get("KDC_WRITE_GOLDEN"):
            path.write_bytes(text.encode("utf-8"))
        assert text == path.read_bytes().decode("utf-8"), path.name


def test_one_ward_makes_the_same_issues_in_any_order() -> None:
    ward = maker().ward(7, "Almondbury & Ryburn", SECTIONS)
    first = [ward.issue(p) for p in PEOPLE]
    again = [ward.issue(p) for p in reversed(PEOPLE)][::-1]
    assert [(i.html, i.text) for i in first] == [(i.html, i.text) for i in again]
