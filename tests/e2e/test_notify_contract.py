"""The GOV.UK Notify mailer against a local server that implements Notify's v2 contract."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from notify_server import API_KEY, EMAIL_TEMPLATE, SERVICE_ID, SMS_TEMPLATE, Notify
from sqlalchemy import select

from kdc_core.config import MailSettings, Settings
from kdc_core.db import CouncillorRow, WardRow
from kdc_core.errors import ConfigError
from kdc_core.mail.delivery import DeliveryError
from kdc_core.mail.message import make_message
from kdc_notify import NotifyConfig, NotifyTransport, make_jwt


@pytest.fixture
def notify() -> Iterator[Notify]:
    with Notify() as server:
        yield server


def config(server: Notify, **extra: Any) -> dict[str, Any]:
    return {
        "api_key": API_KEY,
        "email_template_id": EMAIL_TEMPLATE,
        "sms_template_id": SMS_TEMPLATE,
        "base_url": server.url,
        "retries": 2,
        **extra,
    }


def transport(server: Notify, **extra: Any) -> NotifyTransport:
    settings = Settings(
        database_url="sqlite://",
        instance_path=Path("."),
        environ={},
        plugin_sections={"notify": config(server, **extra)},
    )
    return NotifyTransport(NotifyConfig.from_settings(settings))


def message() -> Any:
    return make_message(
        sender="news@kirklees.test",
        to="Cllr Zoë Ash <zoe.ash@kirklees.test>",
        subject="Lindley ward newsletter — March 2027",
        html="<p>Hello</p>",
        text="Hello Zoë\nLine two",
        message_id="<newsletter.2027-03.1.2@kdc.invalid>",
    )


def test_an_email_goes_as_subject_and_text_through_the_template(notify):
    reference = transport(notify).send_email(message())
    [sent] = notify.sent
    assert sent["kind"] == "email" and sent["email_address"] == "zoe.ash@kirklees.test"
    assert sent["template_id"] == EMAIL_TEMPLATE
    assert sent["personalisation"] == {
        "subject": "Lindley ward newsletter — March 2027",
        "body": "Hello Zoë\r\nLine two",
    }
    assert sent["reference"] == "<newsletter.2027-03.1.2@kdc.invalid>"
    assert len(reference) == 36  # Notify's notification id


def test_a_text_message_goes_through_the_sms_template(notify):
    transport(notify).send_sms("07700 900123", "Significant briefing: Estate plans")
    [sent] = notify.sent
    assert (sent["kind"], sent["phone_number"], sent["personalisation"]) == (
        "sms",
        "07700 900123",
        {"body": "Significant briefing: Estate plans"},
    )


def test_the_jwt_is_checked_by_the_server_a_wrong_secret_is_refused_without_retrying(notify):
    wrong = API_KEY[:-4] + "0000"
    t = transport(notify, api_key=wrong)
    with pytest.raises(DeliveryError, match="403 AuthError: Invalid token"):
        t.send_email(message())
    assert notify.requests == 1 and notify.sent == []


def test_a_token_older_than_30_seconds_is_refused_ours_are_fresh(notify):
    import json
    import urllib.error
    import urllib.request

    stale = make_jwt(SERVICE_ID, API_KEY[-36:], now=time.time() - 60)
    request = urllib.request.Request(
        notify.url + "/v2/notifications/sms",
        data=json.dumps(
            {
                "phone_number": "07700900123",
                "template_id": SMS_TEMPLATE,
                "personalisation": {"body": "x"},
            }
        ).encode(),
        headers={"Authorization": f"Bearer {stale}", "Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 403 and b"30 seconds" in info.value.read()
    transport(notify).send_sms("07700900123", "fresh")
    assert len(notify.sent) == 1


def test_rate_limits_and_server_errors_are_retried(notify):
    notify.fail_next = [429, 500]
    transport(notify, retries=2).send_email(message())
    assert notify.requests == 3 and len(notify.sent) == 1


def test_giving_up_after_the_retries_names_notifys_answer(notify):
    notify.fail_next = [500, 500, 500]
    with pytest.raises(DeliveryError, match="after 3 attempts: 500 Exception"):
        transport(notify, retries=2).send_email(message())


def test_a_template_mismatch_is_a_bad_request_that_stops_the_run(notify):
    with pytest.raises(DeliveryError, match="400 BadRequestError: Template not found"):
        transport(notify, email_template_id=SMS_TEMPLATE).send_email(message())


def test_config_names_the_key_at_fault(notify):
    def load(**section: Any) -> NotifyConfig:
        return NotifyConfig.from_settings(
            Settings(
                database_url="sqlite://",
                instance_path=Path("."),
                environ={"K": API_KEY},
                plugin_sections={"notify": section},
            )
        )

    with pytest.raises(ConfigError) as info:
        load(api_key="not-a-key")
    assert info.value.key == "plugins.notify.api_key"
    with pytest.raises(ConfigError) as info:
        load(api_key=API_KEY, template="x")
    assert info.value.key == "plugins.notify.template"
    loaded = load(api_key={"$env": "K"})
    assert loaded.service_id == SERVICE_ID and API_KEY[-36:] not in repr(loaded)


@pytest.fixture
def kdc_settings(kdc_database_url, tmp_path, notify):
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={"KDC_SECRET_KEY": "notify-test-" + "n" * 32},
        plugin_sections={"notify": config(notify)},
        mail=MailSettings(mailer="notify", sender="ward-newsletter@kirklees.example"),
    )


def test_kdc_newsletter_send_through_notify_sends_each_issue_once(kdc_app, kdc_run, notify):
    with kdc_app.unit_of_work() as uow:
        ward = WardRow(name="Lindley", slug="lindley")
        uow.session.add_all(
            [
                ward,
                CouncillorRow(name="Ann Ash", ward=ward, email="ann@kirklees.example"),
                CouncillorRow(name="Bo Birch", ward=ward, email="bo@kirklees.example"),
            ]
        )
    first = kdc_run("newsletter", "send", "--month", "2027-03", "--mailer", "notify")
    assert first.exit_code == 0, first.output
    assert sorted(s["email_address"] for s in notify.sent) == [
        "ann@kirklees.example",
        "bo@kirklees.example",
    ]
    assert all("Lindley ward newsletter" in s["personalisation"]["subject"] for s in notify.sent)
    again = kdc_run("newsletter", "send", "--month", "2027-03", "--mailer", "notify")
    assert again.exit_code == 0 and "Queued 0 issues" in again.output
    assert len(notify.sent) == 2
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert len(list(uow.session.scalars(select(CouncillorRow)))) == 2
