"""Small pieces of the people's own pages: GOV.UK dates, status words, when texts are offered."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from kdc_core.config import MailSettings, Settings
from kdc_core.enquiries.values import Status
from kdc_core.mail.delivery import Mailer, sms_available
from kdc_core.registry import Registry
from kdc_notify import kdc_register_mailers as notify_mailers
from kdc_site.formats import govuk_date, govuk_time

LONDON = ZoneInfo("Europe/London")


def test_times_are_shown_in_the_councils_zone_the_govuk_way():
    summer = dt.datetime(2027, 7, 6, 17, 0, tzinfo=dt.UTC)  # 6pm in London (BST)
    winter = dt.datetime(2027, 3, 2, 18, 0, tzinfo=dt.UTC)  # 6pm in London (GMT)
    assert govuk_time(summer, LONDON) == "Tuesday 6 July 2027, 6:00pm"
    assert govuk_time(winter, LONDON) == "Tuesday 2 March 2027, 6:00pm"
    assert govuk_time(dt.datetime(2027, 3, 3, 0, 5, tzinfo=dt.UTC), LONDON) == (
        "Wednesday 3 March 2027, 12:05am"
    )
    assert govuk_time(dt.datetime(2027, 3, 3, 12, 30), LONDON) == "Wednesday 3 March 2027, 12:30pm"
    late_evening_utc = dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC)  # already 1 July here
    assert govuk_date(late_evening_utc, LONDON) == "Thursday 1 July 2027"
    assert govuk_date(dt.date(2027, 3, 9), LONDON) == "Tuesday 9 March 2027"
    assert govuk_date(None, LONDON) == govuk_time(None, LONDON) == ""


def test_statuses_read_as_words():
    assert Status.IN_PROGRESS.label == "In progress"
    assert [s.label for s in (Status.RECEIVED, Status.CLOSED)] == ["Received", "Closed"]


def _settings(mailer: str, notify: dict | None = None) -> Settings:
    return Settings(
        database_url="sqlite://",
        instance_path=Path("/nonexistent"),
        environ={},
        mail=MailSettings(mailer=mailer, sender="council@example.gov.uk"),
        plugin_sections={"notify": notify} if notify is not None else {},
    )


def test_texts_are_offered_only_through_a_mailer_configured_to_send_them():
    mailers: Registry[Mailer] = Registry("mailer")
    notify_mailers(mailers.register)
    mailers.register(Mailer("smtp", "Email only", open=lambda s: contextlib.nullcontext()))
    with_template = {"api_key": "k", "sms_template_id": "0f9c3b6a-0000-4000-8000-000000000000"}
    assert sms_available(_settings("notify", with_template), mailers)
    assert not sms_available(_settings("notify", {"api_key": "k"}), mailers)
    assert not sms_available(_settings("smtp", with_template), mailers)
    assert not sms_available(_settings("", with_template), mailers)
    assert not sms_available(_settings("not-installed", with_template), mailers)
