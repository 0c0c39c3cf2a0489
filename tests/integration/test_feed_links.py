"""Councillors are emailed their calendar address through the outbox: every active councillor
once, each link working, a rotation sending the new one, and nothing claimed without a mailer."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from smtp_server import Mailbox

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET
from kdc_core.config import MailSettings, Settings

WEBCAL = re.compile(r"webcal://\S+?\.ics")


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path, mailbox) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        base_url="https://kdc.kirklees.example",
        plugin_sections={"smtp": {"host": "127.0.0.1", "port": mailbox[1], "retries": 0}},
        mail=MailSettings(mailer="smtp", sender="councillor-support@kirklees.example"),
    )


@pytest.fixture
def kdc_template() -> str:
    return "demo"


@pytest.fixture
def demo(kdc_app):
    return kdc_app


def links(box: Mailbox) -> dict[str, str]:
    """To-address → the webcal link in that message's text."""
    found = {}
    for message in box.messages:
        match = WEBCAL.search(box.text(message))
        assert match, box.text(message)
        found[str(message["To"].addresses[0].addr_spec)] = match.group(0)
    return found


def test_send_links_all_queues_one_working_link_per_councillor(demo, kdc_run, mailbox):
    box, _ = mailbox
    result = kdc_run("feeds", "send-links", "--all", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["queued"]) == 69 and report["no_email"] == []
    assert box.messages == []  # queued, not yet sent

    sent = kdc_run("outbox", "dispatch")
    assert sent.exit_code == 0 and "69 sent" in sent.output
    found = links(box)
    assert len(found) == 69
    text = box.text(box.messages[0])
    for words in ("Outlook", "Google Calendar", "Apple Calendar"):
        assert words in text

    client = create_app(demo, TESTING=True, SECRET_KEY=TEST_SECRET).test_client()
    for webcal in list(found.values())[:5]:
        response = client.get(urlsplit(webcal).path)
        assert response.status_code == 200
        assert response.data.startswith(b"BEGIN:VCALENDAR")

    again = kdc_run("feeds", "send-links", "--all")
    assert "Queued 0 calendar links." in again.output
    assert "69 already have their current link" in again.output


def test_rotating_a_councillors_address_emails_the_new_one(demo, kdc_run, mailbox):
    box, _ = mailbox
    with demo.unit_of_work(dry_run=True) as uow:
        name = uow.people.councillors()[5].name
    queued = kdc_run("feeds", "send-links", "--councillor", name)
    assert "Queued 1 calendar link." in queued.output, queued.output
    kdc_run("outbox", "dispatch")
    (old,) = links(box).values()
    box.messages.clear()

    rotated = kdc_run("feeds", "rotate", "--councillor", name)
    assert rotated.exit_code == 0, rotated.output
    assert f"queued for Cllr {name}" in rotated.output
    kdc_run("outbox", "dispatch")
    (new,) = links(box).values()
    assert new != old and "replaces the address you had before" in box.text(box.messages[0])
    client = create_app(demo, TESTING=True, SECRET_KEY=TEST_SECRET).test_client()
    assert client.get(urlsplit(old).path).status_code == 404
    assert client.get(urlsplit(new).path).status_code == 200


def test_without_a_mailer_send_links_says_so_and_changes_nothing(demo, kdc_run, mailbox):
    demo.settings = demo.settings.evolve(mail=MailSettings())
    result = kdc_run("feeds", "send-links", "--all")
    assert result.exit_code == 1
    assert "no mailer is configured" in result.output and "nothing was queued" in result.output
    listed = json.loads(kdc_run("outbox", "list", "--json").output)
    assert listed["counts"]["pending"] == 0
