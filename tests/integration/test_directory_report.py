"""``kdc directory report``: stale and incomplete profiles and missing ward links, on the demo."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from kdc_core import hookimpl
from kdc_core.db import OfficerRow
from kdc_core.demo import CONTACT_GAPS
from kdc_core.directory.report import FreshnessReport, months_before


class Reminders:
    """A stand-in mail plugin: keeps the reports it was asked to send reminders for."""

    def __init__(self) -> None:
        self.reports: list[FreshnessReport] = []

    @hookimpl
    def kdc_directory_reminders(self, report: FreshnessReport) -> None:
        self.reports.append(report)


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
    assert "Stale profiles (not updated since" in result.output
    assert result.output.strip().splitlines()[-1].endswith("wards with gaps.")


def test_hook_kdc_directory_reminders_receives_the_report_with_remind(kdc_run, demo, reminders):
    kdc_run("directory", "report", "--json")
    assert reminders.reports == []
    result = kdc_run("directory", "report", "--json", "--remind")
    assert result.exit_code == 0, result.output
    (report,) = reminders.reports
    printed = json.loads(result.stdout)
    assert len(report.stale) == printed["counts"]["stale"]
    assert {i.person_id for i in report.incomplete} == {
        i["person_id"] for i in printed["incomplete"]
    }


def test_months_before_never_gives_a_day_the_month_lacks():
    moment = dt.datetime(2026, 8, 31, 12, tzinfo=dt.UTC)
    assert months_before(moment, 6) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert months_before(moment, 12).year == 2025
