"""The demo council at work: after the living seed every feature has data, the queued mail is
in the Maildir, and a second run changes nothing.

SQLite only: the seed is a few seconds of real service calls, and what it exercises on
PostgreSQL (the services themselves) is tested there by their own tests.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import mailbox
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, log_in
from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.db import load_tables
from kdc_core.db.base import Base
from kdc_core.db.enquiries import EnquiryRow
from kdc_core.db.events import EventRow
from kdc_core.db.jobs import JobRunRow
from kdc_core.db.newsletters import BriefingRow, NewsletterIssueRow, SuccessStoryRow
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.demo import casework, news
from kdc_core.demo.living import DEMO_SENDER, LivingReport, seed_living, use_demo_mail
from kdc_core.enquiries import service as enquiries
from kdc_core.enquiries.values import Status
from kdc_core.plugins import make_plugin_manager
from kdc_core.testing import copy_template


@pytest.fixture
def kdc_database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite only (see the module docstring)."""
    yield f"sqlite:///{tmp_path / 'kdc.sqlite3'}"


@pytest.fixture(scope="module")
def living(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Kdc, LivingReport]]:
    """The demo council with its activity, seeded once for the module's tests."""
    folder = tmp_path_factory.mktemp("living")
    url = f"sqlite:///{folder / 'kdc.sqlite3'}"
    copy_template(request, url, "demo")
    settings = Settings(database_url=url, instance_path=folder / "instance", environ={})
    kdc = Kdc(settings, make_plugin_manager(settings))
    assert use_demo_mail(kdc) == folder / "instance" / "mail"
    report = seed_living(kdc)
    yield kdc, report
    kdc.dispose()


def count(kdc: Kdc, row: Any, *where: Any) -> int:
    with kdc.unit_of_work(dry_run=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(row).where(*where)) or 0


def maildir(kdc: Kdc) -> mailbox.Maildir:
    return mailbox.Maildir(kdc.settings.instance_path / "mail", create=False)


def test_the_demo_uses_the_maildir_with_the_demo_sender(living):
    kdc, _ = living
    assert kdc.settings.mail.mailer == "maildir"
    assert kdc.settings.mail.sender == DEMO_SENDER


def test_enquiries_are_in_every_state_some_overdue_one_assigned_one_unassigned(living):
    kdc, report = living
    assert report.added["enquiries"] == len(casework.CASES)
    with kdc.unit_of_work(dry_run=True) as uow:
        found = enquiries.search(uow, limit=100)
        overdue = enquiries.overdue(uow)
        assigned = enquiries.get(uow, found_by(found, "Colne Valley").reference)
    assert {e.status for e in found} == set(Status)
    assert overdue and all(e.is_open for e in overdue)
    assert {e.status for e in overdue} >= {Status.RECEIVED, Status.EXTENDED}
    assert found_by(found, "Golcar").unassigned
    assert not assigned.unassigned
    assert [a.action for a in assigned.audit] == ["created", "routed", "assigned", "note"]
    received = sorted(e.received_at.date() for e in found)
    assert (received[-1] - received[0]).days >= 40  # spread over the past weeks
    in_time = EnquiryRow.resolved_in_time
    assert count(kdc, EnquiryRow, in_time.is_(True)) and count(kdc, EnquiryRow, in_time.is_(False))


def found_by(found: list[Any], ward: str) -> Any:
    return next(e for e in found if e.ward == ward)


def test_events_of_several_kinds_and_the_rota_for_every_ward(living):
    kdc, report = living
    year = dt.date.today().year
    with kdc.unit_of_work(dry_run=True) as uow:
        kinds = dict(
            uow.session.execute(select(EventRow.kind, func.count()).group_by(EventRow.kind)).all()
        )
    assert kinds["council_meeting"] == report.added["council_meetings"] >= 40
    assert kinds["open_day"] == 2
    assert kinds["walkabout"] == report.added["walkabouts"]
    assert count(kdc, EventRow, EventRow.external_id.like(f"{year}-Q%")) >= 23 * 3


def test_briefings_stories_and_this_months_newsletter(living):
    kdc, report = living
    with kdc.unit_of_work(dry_run=True) as uow:
        briefings = uow.session.execute(select(BriefingRow.significant, BriefingRow.public_on))
        late = [public_on for _, public_on in briefings if public_on <= dt.date.today()]
    assert count(kdc, BriefingRow) == 3
    assert count(kdc, BriefingRow, BriefingRow.significant.is_(True)) == 1
    assert len(late) == 1
    assert count(kdc, SuccessStoryRow) == len(news.STORIES)
    month = dt.date.today().strftime("%Y-%m")
    issues = count(kdc, NewsletterIssueRow, NewsletterIssueRow.month == month)
    assert issues == report.added["newsletter_issues"] == 69
    with kdc.unit_of_work(dry_run=True) as uow:
        text = uow.session.scalar(
            select(NewsletterIssueRow.text)
            .where(NewsletterIssueRow.ward_id == uow.people.ward_row("Almondbury").id)
            .limit(1)
        )
    assert "Castle Hill's new accessible path opens" in text


def test_every_queued_message_was_written_to_the_maildir_by_the_jobs(living):
    kdc, report = living
    assert {name for name, _ in report.jobs} >= {"outbox_dispatch", "enquiry_escalation"}
    assert all(status == "ok" for _, status in report.jobs)
    assert count(kdc, JobRunRow) == len(report.jobs)
    sent = count(kdc, OutboxMessageRow, OutboxMessageRow.status == "sent")
    assert sent == count(kdc, OutboxMessageRow) > 40
    assert count(kdc, OutboxMessageRow, OutboxMessageRow.kind == "feed-link") == 5
    box = maildir(kdc)
    assert len(box) == sent
    subjects = [email.message_from_bytes(m.as_bytes())["Subject"] for m in box]
    assert any(s.startswith("Enquiry KE-") for s in subjects)
    assert "Your calendar of ward events" in subjects


def test_every_admin_page_has_rows(living):
    kdc, _ = living
    add_user(kdc, "admin@example.gov.uk", "admin")
    client = create_app(kdc, SECRET_KEY=TEST_SECRET).test_client()
    log_in(client, "admin@example.gov.uk")
    with kdc.unit_of_work(dry_run=True) as uow:
        linked = uow.people.councillors()[0].name  # the first few by name have their link
    pages = {
        "/admin/enquiry/": "KE-20",
        "/admin/enquiry_audit/": "assigned",
        "/admin/event/": "Strategic Planning Committee",
        "/admin/briefing/": "Emergency closure of Batley Baths",
        "/admin/success_story/": "Lindley library",
        "/admin/newsletter_issue/": "ward newsletter",
        f"/admin/rota/?year={dt.date.today().year}": "Almondbury",
        "/admin/feeds/": linked,
        "/admin/complaints/": "Monitoring Officer",
        "/admin/unavailability/": "Annual leave",
        "/admin/topic_choice/": "Planning briefings",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.get_data(as_text=True), url


def test_a_second_run_changes_nothing(living):
    kdc, _ = living
    load_tables()
    tables = sorted(Base.metadata.tables.values(), key=lambda t: t.name)
    with kdc.unit_of_work(dry_run=True) as uow:
        before = {t.name: uow.session.scalar(select(func.count()).select_from(t)) for t in tables}
    mail = len(maildir(kdc))

    again = seed_living(kdc)

    assert not again.changed and again.jobs == () and again.plugins == ()
    assert again.lines() == ["Demo activity already there: nothing added."]
    with kdc.unit_of_work(dry_run=True) as uow:
        after = {t.name: uow.session.scalar(select(func.count()).select_from(t)) for t in tables}
    assert after == before
    assert len(maildir(kdc)) == mail


# -- the command and the plugins' hook ------------------------------------------------------------


class DemoPlugin:
    """Adds one thing the first time it is asked, nothing after."""

    def __init__(self) -> None:
        self.calls: list[Kdc] = []

    @hookimpl
    def kdc_seed_demo_activity(self, kdc):
        self.calls.append(kdc)
        return ["Example plugin: 1 demo widget added."] if len(self.calls) == 1 else []


@pytest.fixture
def demo_plugin() -> DemoPlugin:
    return DemoPlugin()


@pytest.fixture
def kdc_extra_plugins(demo_plugin):
    return [("example-demo", demo_plugin)]


@pytest.fixture
def kdc_template() -> str:
    return "demo"


def test_hook_kdc_seed_demo_activity_through_kdc_seed_demo_twice(kdc_app, kdc_run, demo_plugin):
    first = kdc_run("seed-demo")
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[0] == "Demo council already loaded: 0 changes."
    assert lines[1].startswith("Demo activity added: ")
    assert f"{len(casework.CASES)} enquiries" in lines[1]
    assert "Example plugin: 1 demo widget added." in lines
    assert "Calendar links queued for 5 councillors (they go when the outbox is dispatched)." in (
        lines
    )
    messages = count(kdc_app, OutboxMessageRow, OutboxMessageRow.status == "sent")
    mail = kdc_app.settings.instance_path / "mail"
    assert lines[-1] == f"Demo mail is written to {mail}: {messages} messages."
    assert demo_plugin.calls == [kdc_app]
    assert "Running the scheduled jobs once…" in first.stderr

    second = kdc_run("seed-demo", "--json")
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout) == {
        "loaded": False,
        "changes": 0,
        "added": {},
        "activity": {},
        "plugins": [],
        "jobs": [],
    }
    assert len(demo_plugin.calls) == 2
    assert count(kdc_app, OutboxMessageRow) == messages
