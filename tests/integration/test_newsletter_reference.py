"""A demo month's issues, on each database, are exactly what the reference templates make.

``tests/fixtures/newsletter/reference/`` keeps the issue templates as they were when each
issue was rendered whole from one template. The build now renders what a ward's councillors
share once; here every issue of two months of the demo council is also rendered the old way,
from the same sections, and the two must be identical, character for character.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import jinja2
import pytest

from fixture_files import fixture_path
from kdc_core.app import Kdc
from kdc_core.newsletter.build import build_month
from kdc_core.newsletter.delivery import this_month
from kdc_core.newsletter.unsubscribe import signing_key, unsubscribe_url
from kdc_core.newsletter.values import Month, WardMonth


@pytest.fixture
def kdc_template() -> str:
    return "demo"


def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(fixture_path("newsletter", "reference")),
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def check_month(kdc: Kdc, month: Month) -> int:
    """Build ``month`` and compare every issue with the reference; how many there were."""
    settings, env = kdc.settings, templates()
    key = signing_key(settings)
    ordered = sorted(kdc.sections.values(), key=lambda s: (s.order, s.name))
    with kdc.unit_of_work(dry_run=True) as uow:
        built = build_month(uow, kdc.sections, month, store=False)
        wards = {i.ward_id: i.ward_name for i in built}
        wms = [WardMonth(w, n, month, settings.timezone) for w, n in wards.items()]
        found = {s.name: s.collect_many(uow, wms) for s in ordered}
    for issue in built:
        person = issue.recipient
        sections = []
        for s in ordered:
            items = tuple(
                i for i in found[s.name][issue.ward_id] if (i.topic or s.topic) in person.topics
            )
            if s.topic in person.topics and items:
                stop = unsubscribe_url(settings, key, person.councillor_id, s.topic)
                sections.append({"title": s.title, "entries": items, "stop_url": stop})
        context = {
            "ward": issue.ward_name,
            "month_label": month.label,
            "recipient": person.name,
            "council": settings.council_name,
            "subject": f"{issue.ward_name} ward newsletter — {month.label}",
            "unsubscribe_url": unsubscribe_url(settings, key, person.councillor_id, "newsletter"),
            "sections": sections,
        }
        assert issue.html == env.get_template("issue.html").render(context)
        assert issue.text == env.get_template("issue.txt").render(context)
        message = email.message_from_bytes(
            issue.eml, _class=EmailMessage, policy=email.policy.default
        )
        text, html = message.get_body(("plain",)), message.get_body(("html",))
        assert text is not None and html is not None
        assert text.get_content().replace("\r\n", "\n") == issue.text
        assert html.get_content().replace("\r\n", "\n") == issue.html
        assert message["Subject"] == context["subject"]
    return len(built)


def test_a_demo_months_issues_match_the_reference_templates(kdc_app: Kdc) -> None:
    month = this_month(kdc_app)
    issues = check_month(kdc_app, month)
    following = Month(month.year + month.month // 12, month.month % 12 + 1)
    assert issues == check_month(kdc_app, following) > 40
