"""The outbox against a real SMTP server: queued with the change, sent once, retried with
backoff, failures kept for the admin, and safe when two dispatchers run at once."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from kdc_core.app import Kdc
from kdc_core.config import MailSettings, Settings
from kdc_core.mail import dispatch as dispatching
from kdc_core.mail import outbox
from kdc_core.mail.addresses import AddressError
from kdc_core.mail.outbox import NoMailer, Outgoing


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path, mailbox) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        plugin_sections={"smtp": {"host": "127.0.0.1", "port": mailbox[1], "retries": 0}},
        mail=MailSettings(
            mailer="smtp", sender="councillor-support@kirklees.example", retry_seconds=60
        ),
    )


def letters(n: int, prefix: str = "test") -> list[Outgoing]:
    return [
        Outgoing(
            key=f"{prefix}:{i}",
            kind="test",
            to_address=f"cllr{i}@kirklees.example",
            to_name=f"Councillor {i}",
            subject=f"Letter {i}",
            text=f"Dear Councillor {i}",
            html=f"<p>Dear Councillor {i}</p>",
        )
        for i in range(n)
    ]


def queue(kdc: Kdc, messages: list[Outgoing]) -> outbox.QueueReport:
    with kdc.unit_of_work() as uow:
        return outbox.queue(uow, messages)


def counts(kdc: Kdc) -> dict[str, int]:
    with kdc.unit_of_work(dry_run=True) as uow:
        return outbox.counts(uow)


def test_a_key_is_queued_once_however_often_it_is_queued(kdc_app):
    first = queue(kdc_app, letters(3))
    again = queue(kdc_app, letters(4))
    assert len(first.queued) == 3 and first.already == ()
    assert again.queued == ("test:3",)
    assert set(again.already) == {"test:0", "test:1", "test:2"}
    assert counts(kdc_app)["pending"] == 4


def test_a_message_queued_in_a_failed_unit_of_work_is_not_queued(kdc_app):
    with pytest.raises(RuntimeError), kdc_app.unit_of_work() as uow:
        outbox.queue(uow, letters(2))
        raise RuntimeError("the change failed")
    assert counts(kdc_app)["pending"] == 0


def test_without_a_mailer_nothing_is_queued(kdc_app):
    kdc_app.settings = kdc_app.settings.evolve(mail=MailSettings())
    with pytest.raises(NoMailer, match="no mailer is configured"), kdc_app.unit_of_work() as uow:
        outbox.queue(uow, letters(1))
    assert counts(kdc_app)["pending"] == 0


@pytest.mark.parametrize(
    "bad",
    [
        "cllr@kirklees.example>, <someone@elsewhere.example",
        "cllr@kirklees.example, other@kirklees.example",
        "Cllr <cllr@kirklees.example>",
        "not-an-address",
        "cllr@kirklees.example\nBcc: x@y.example",
    ],
)
def test_an_address_that_is_not_one_valid_address_is_refused(kdc_app, bad):
    message = Outgoing(key="k", kind="test", to_address=bad, to_name="X", subject="s", text="t")
    with pytest.raises(AddressError), kdc_app.unit_of_work() as uow:
        outbox.queue(uow, [message])
    assert counts(kdc_app)["pending"] == 0


def test_dispatch_sends_each_message_once_and_a_second_run_sends_nothing(kdc_app, mailbox):
    box, _ = mailbox
    queue(kdc_app, letters(5))
    report = dispatching.dispatch(kdc_app)
    assert (report.sent, report.failed, report.retrying) == (5, 0, 0)
    assert sorted(box.to()) == sorted(f"cllr{i}@kirklees.example" for i in range(5))
    assert box.messages[0]["From"].addresses[0].addr_spec == "councillor-support@kirklees.example"
    assert box.messages[0]["Message-ID"].endswith("@kirklees.example>")
    again = dispatching.dispatch(kdc_app)
    assert again.tried == 0
    assert len(box.messages) == 5
    assert counts(kdc_app) == {"pending": 0, "sending": 0, "sent": 5, "failed": 0}


def test_a_server_that_stops_after_ten_loses_nothing_and_repeats_nothing(kdc_app, mailbox):
    box, _ = mailbox
    box.accept = 10
    queue(kdc_app, letters(25))
    first = dispatching.dispatch(kdc_app)
    assert first.sent == 10 and first.retrying == 1
    assert first.stopped and "421" in first.stopped[0]
    assert counts(kdc_app) == {"pending": 15, "sending": 0, "sent": 10, "failed": 0}

    box.accept = None
    # The one that met the 421 waits for its backoff; the 14 handed back untried are due now.
    second = dispatching.dispatch(kdc_app)
    assert second.sent == 14
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    third = dispatching.dispatch(kdc_app, now=lambda: later)
    assert third.sent == 1
    assert sorted(box.to()) == sorted(f"cllr{i}@kirklees.example" for i in range(25))
    assert len(set(box.to())) == 25


def test_a_refused_recipient_fails_permanently_and_can_be_retried(kdc_app, mailbox):
    box, _ = mailbox
    box.reject["cllr1@kirklees.example"] = "550 5.1.1 no such user"
    queue(kdc_app, letters(3))
    report = dispatching.dispatch(kdc_app)
    assert (report.sent, report.failed) == (2, 1)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        (failed,) = outbox.messages(uow, status="failed")
    assert failed.key == "test:1" and "550" in (failed.last_error or "")
    assert failed.attempts == 1

    box.reject.clear()
    with kdc_app.unit_of_work() as uow:
        outbox.retry(uow, failed.id)
    assert dispatching.dispatch(kdc_app).sent == 1
    assert sorted(box.to()).count("cllr1@kirklees.example") == 1


def test_a_message_that_keeps_failing_is_given_up_after_max_attempts(kdc_app, mailbox):
    box, _ = mailbox
    box.accept = 0
    kdc_app.settings = kdc_app.settings.evolve(
        mail=MailSettings(
            mailer="smtp", sender="cs@kirklees.example", max_attempts=3, retry_seconds=1
        )
    )
    queue(kdc_app, letters(1))
    clock = dt.datetime.now(dt.UTC)
    for step in range(3):
        at = clock + dt.timedelta(hours=step)
        dispatching.dispatch(kdc_app, now=lambda at=at: at)
    assert counts(kdc_app)["failed"] == 1
    assert box.messages == []


def test_a_run_that_died_holding_messages_is_taken_over_after_its_lease(kdc_app, mailbox):
    box, _ = mailbox
    queue(kdc_app, letters(4))
    now = dt.datetime.now(dt.UTC)
    with kdc_app.engine.connect() as conn:
        claimed = dispatching._claim(conn, "dead-host:1:x", 4, now, 300, set())
    assert len(claimed) == 4
    assert dispatching.dispatch(kdc_app).tried == 0  # still leased
    later = now + dt.timedelta(seconds=301)
    assert dispatching.dispatch(kdc_app, now=lambda: later).sent == 4
    assert len(box.messages) == 4


def test_two_dispatchers_at_once_send_every_message_exactly_once(kdc_app, mailbox):
    box, _ = mailbox
    queue(kdc_app, letters(120))
    reports: list[dispatching.DispatchReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            reports.append(dispatching.dispatch(kdc_app, batch=7))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(r.sent for r in reports) == 120
    assert len(box.to()) == 120 and len(set(box.to())) == 120
