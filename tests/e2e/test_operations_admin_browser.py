"""The admin's Outbox and Jobs pages in headless Chromium behind waitress, with messages sent
to a real aiosmtpd server that refuses one recipient: retry a failed message, read the jobs
log. Screenshots land in ``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from admin_browser import LIAISON, log_in, served, shot
from aiosmtpd.controller import Controller

from kdc_admin.testing import add_user
from kdc_core import Kdc, Settings
from kdc_core.config import MailSettings
from kdc_core.demo import seed_demo
from kdc_core.jobs import runner
from kdc_core.mail import outbox
from kdc_core.mail.outbox import Outgoing

pytestmark = pytest.mark.browser


class Refusing:
    """An SMTP handler that accepts everything but the addresses in ``refuse``."""

    def __init__(self) -> None:
        self.refuse: set[str] = set()
        self.accepted: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.accepted.append(envelope.content)
        return "250 OK"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Refusing, int]]:
    handler = Refusing()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def kdc(tmp_path_factory: pytest.TempPathFactory, smtp) -> Iterator[Kdc]:
    handler, port = smtp
    folder: Path = tmp_path_factory.mktemp("kdc-operations")
    kdc = Kdc(
        Settings(
            database_url=f"sqlite:///{folder / 'kdc.sqlite3'}",
            instance_path=folder / "instance",
            environ={},
            plugin_sections={"smtp": {"host": "127.0.0.1", "port": port, "retries": 0}},
            mail=MailSettings(mailer="smtp", sender="councillor-support@kirklees.example"),
        )
    )
    kdc.upgrade_schema()
    with kdc.unit_of_work(source="demo") as uow:
        seed_demo(uow)
        councillors = [c for c in uow.people.councillors() if c.email][:4]
        outbox.queue(
            uow,
            [
                Outgoing(
                    key=f"briefing:1:{c.id}",
                    kind="briefing",
                    to_address=c.email or "",
                    to_name=c.name,
                    subject="Briefing: winter gritting routes",
                    text=f"Dear {c.name}, the gritting routes for your ward are attached.",
                    councillor_id=c.id,
                )
                for c in councillors
            ],
        )
    handler.refuse.add(councillors[0].email or "")
    add_user(kdc, LIAISON, "liaison")
    add_user(kdc, "admin@example.gov.uk", "admin")
    assert runner.run(kdc, "outbox_dispatch").status == "ok"
    yield kdc
    kdc.dispose()


@pytest.fixture(scope="module")
def base_url(kdc: Kdc) -> Iterator[str]:
    with served(kdc) as url:
        yield url


def test_the_outbox_shows_a_failure_and_liaison_retries_it(page, kdc, smtp):
    handler, _ = smtp
    log_in(page)
    page.goto("/admin/outbox/")
    assert page.locator("#count-sent").inner_text() == "3 sent"
    assert page.locator("#count-failed").inner_text() == "1 failed"
    failed = page.locator("#outbox-messages tr.status-failed")
    assert failed.count() == 1
    assert "refused the recipient: 550" in failed.locator(".kdc-last-error").inner_text()
    assert re.search(r"\w+day \d{1,2} \w+ \d{4}, \d{1,2}:\d\d[ap]m", failed.inner_text())
    shot(page, "12-outbox")

    handler.refuse.clear()
    with page.expect_navigation():
        failed.locator("button", has_text="Retry").click()
    assert "goes when the outbox is next dispatched" in page.content()
    assert page.locator("#count-pending").inner_text() == "1 pending"
    shot(page, "13-outbox-retried")
    assert runner.run(kdc, "outbox_dispatch").status == "ok"
    page.goto("/admin/outbox/")
    assert page.locator("#count-sent").inner_text() == "4 sent"


def test_the_jobs_page_shows_the_runs_and_an_admin_runs_a_job(page, kdc):
    log_in(page, "admin@example.gov.uk")
    page.goto("/admin/jobs/")
    row = page.locator("#job-outbox_dispatch")
    assert row.count() == 1 and "ok" in row.locator(".kdc-outcome").inner_text()
    assert page.locator("#job-runs tbody tr.outcome-ok").count() >= 1
    never_run = page.locator("#job-enquiry_retention .kdc-next-due").inner_text()
    assert never_run == "due now"  # its schedule has fired and it has never run
    shot(page, "14-jobs")
    with page.expect_navigation():
        page.locator("#job-enquiry_retention button", has_text="Run now").click()
    assert "enquiry_retention ran in" in page.content()
