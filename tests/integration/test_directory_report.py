"""``kdc directory report``: stale and incomplete profiles and missing ward links, on the demo."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kdc_core import hookimpl
from kdc_core.config import MailSettings, Settings
from kdc_core.db import OfficerRow
from kdc_core.demo import CONTACT_GAPS
from kdc_core.directory.report import FreshnessReport, months_before
from kdc_core.mail import outbox
from kdc_core.mail.dispatch import dispatch
from kdc_core.timewords import govuk_date


class Reminders:
    """A plugin reminding over another channel: keeps what it was asked to remind about."""

    def __init__(self) -> None:
        self.reports: list[tuple[FreshnessReport, str, bool]] = []

    @hookimpl
    def kdc_directory_reminders(self, report: FreshnessReport, month: str, dry_run: bool) -> None:
        self.reports.append((report, month, dry_run))


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path, mailbox) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        plugin_sections={"smtp": {"host": "127.0.0.1", "port": mailbox[1], "retries": 0}},
        mail=MailSettings(mailer="smtp", sender="people-finder@kirklees.example"),
    )


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
    return "demo"


@pytest.fixture
def reminders() -> Reminders:
    return Reminders()


@pytest.fixture
def kdc_extra_plugins(reminders):
    return [("reminders", reminders)]


@pytest.fixture
def demo(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return uow.session.execute(
            select(OfficerRow.person_id, OfficerRow.email, OfficerRow.phone, OfficerRow.updated_at)
        ).all()


def test_report_lists_exactly_the_stale_and_incomplete_demo_profiles(kdc_run, demo):
    result = kdc_run("directory", "report", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    cutoff = dt.datetime.fromisoformat(report["stale_before"])
    stale = {o.person_id for o in demo if o.updated_at is None or o.updated_at < cutoff}
    incomplete = {o.person_id for o in demo if not o.email or not o.phone}
    assert stale and incomplete
    assert {i["person_id"] for i in report["stale"]} == stale
    assert {i["person_id"] for i in report["incomplete"]} == incomplete
    no_phone = next(i for i in report["incomplete"] if "no phone" in i["reasons"])
    assert no_phone["manager"] and no_phone["manager_email"]
    gaps = {(g["ward"], s) for g in report["wards_without_contacts"] for s in g["services"]}
    assert set(CONTACT_GAPS) <= gaps
    assert report["counts"]["stale"] == len(stale)


def test_report_as_text_ends_with_the_counts(kdc_run, demo):
    result = kdc_run("directory", "report")
    assert result.exit_code == 0, result.output
    assert "Stale profiles (not updated or confirmed since" in result.output
    assert result.output.strip().splitlines()[-1].endswith("wards with gaps.")


def test_hook_kdc_directory_reminders_queues_a_letter_per_stale_officer_and_manager_monthly(
    kdc_app, kdc_run, demo, reminders, mailbox
):
    box, _ = mailbox
    kdc_run("directory", "report", "--json")
    assert reminders.reports == []
    dry = kdc_run("directory", "report", "--remind", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would queue reminders for" in dry.output
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert outbox.counts(uow)["pending"] == 0

    result = kdc_run("directory", "report", "--json", "--remind")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    (queued,) = printed["reminders"]
    report, month, dry_run = reminders.reports[-1]
    assert not dry_run and month == queued["month"]
    stale_with_email = {i.name for i in report.stale if i.email}
    assert stale_with_email and set(queued["officers"]) == stale_with_email
    managers = {i.manager_name for i in report.stale if i.manager_email}
    assert managers and set(queued["managers"]) == managers

    again = kdc_run("directory", "report", "--remind")
    assert again.exit_code == 0, again.output
    assert "Queued reminders for" in again.output and "0 officers, 0 managers" in again.output
    assert "They go when the outbox is dispatched." in again.output

    dispatch(kdc_app)
    assert len(box.messages) == len(stale_with_email) + len(managers)
    someone = next(i for i in report.stale if i.email and i.updated_at)
    (letter,) = [m for m in box.messages if m["To"].addresses[0].addr_spec == someone.email]
    text = box.text(letter)
    assert letter["Subject"] == "Please check your details in the staff directory"
    assert govuk_date(someone.updated_at, kdc_app.settings.tz) in text
    assert "People Finder" in text and someone.email in text
    boss = next(i for i in report.stale if i.manager_email)
    (team,) = [m for m in box.messages if m["To"].addresses[0].addr_spec == boss.manager_email]
    assert boss.name in box.text(team)


def test_directory_reminders_job_is_monthly_and_queues_once(kdc_app, demo, mailbox):
    from kdc_core.jobs import runner

    (status,) = [s for s in runner.statuses(kdc_app) if s.job.name == "directory_reminders"]
    assert status.schedule.expression == "0 9 1 * *"
    first = runner.run(kdc_app, "directory_reminders")
    assert first.status == "ok" and first.record is not None
    assert first.record.summary["officers"] > 0
    second = runner.run(kdc_app, "directory_reminders")
    assert second.record is not None and second.record.summary["officers"] == 0


def test_months_before_never_gives_a_day_the_month_lacks():
    moment = dt.datetime(2026, 8, 31, 12, tzinfo=dt.UTC)
    assert months_before(moment, 6) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert months_before(moment, 12).year == 2025
