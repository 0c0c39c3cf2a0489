"""The maildir mailer: the outbox's messages written whole into a Maildir folder, once."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from kdc_core.config import MailSettings, Settings
from kdc_core.mail import outbox
from kdc_core.mail.delivery import DeliveryError
from kdc_core.mail.dispatch import dispatch
from kdc_core.mail.outbox import Outgoing
from kdc_maildir import MaildirTransport


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        plugin_sections={"maildir": {"path": str(tmp_path / "mail")}},
        mail=MailSettings(mailer="maildir", sender="councillor-support@kirklees.example"),
    )


def test_dispatch_writes_each_message_once_into_the_folder(kdc_app, tmp_path):
    letters = [
        Outgoing(
            key=f"t:{i}",
            kind="test",
            to_address=f"c{i}@kirklees.example",
            to_name=f"Cllr {i}",
            subject=f"Letter {i}",
            text=f"Dear {i}",
        )
        for i in range(3)
    ]
    with kdc_app.unit_of_work() as uow:
        outbox.queue(uow, letters)
    assert dispatch(kdc_app).sent == 3
    assert dispatch(kdc_app).sent == 0
    folder = mailbox.Maildir(tmp_path / "mail", create=False)
    subjects = sorted(str(m["Subject"]) for m in folder)
    assert subjects == ["Letter 0", "Letter 1", "Letter 2"]
    assert {str(m["From"]) for m in folder} == {
        "Kirklees Council <councillor-support@kirklees.example>"
    }


def test_a_text_message_is_refused_for_good(tmp_path):
    with pytest.raises(DeliveryError) as caught:
        MaildirTransport(tmp_path / "mail").send_sms("07700900123", "hello")
    assert caught.value.permanent
