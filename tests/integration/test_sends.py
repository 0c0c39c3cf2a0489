"""Newsletters and briefings go through the outbox: each councillor gets each message once,
however many commands or job runners start at the same moment, and nothing is lost when the
SMTP server stops answering part way."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from kdc_core.app import Kdc
from kdc_core.briefings.service import get_briefing, post_briefing
from kdc_core.config import MailSettings, Settings
from kdc_core.db import CouncillorRow, PoliticalGroupRow, WardRow
from kdc_core.db.newsletters import NewsletterIssueRow
from kdc_core.mail import outbox
from kdc_core.mail.dispatch import dispatch
from kdc_core.plugins import make_plugin_manager

SENDER = "councillor-support@kirklees.example"
SECRET = "sends-test-secret-" + "s" * 32
KDC = str(Path(sys.executable).parent / "kdc")
WARDS = ("Almondbury", "Batley East", "Colne Valley", "Dewsbury West", "Golcar")


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path, mailbox) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={"KDC_SECRET_KEY": SECRET},
        base_url="https://kdc.example.gov.uk",
        plugin_sections={"smtp": {"host": "127.0.0.1", "port": mailbox[1], "retries": 0}},
        mail=MailSettings(mailer="smtp", sender=SENDER, retry_seconds=60),
    )


@pytest.fixture
def council(kdc_app: Kdc) -> list[str]:
    """Five wards of three councillors (two groups); returns their email addresses."""
    with kdc_app.unit_of_work() as uow:
        labour, green = PoliticalGroupRow(name="Labour"), PoliticalGroupRow(name="Green")
        uow.session.add_all([labour, green])
        for w, name in enumerate(WARDS):
            ward = WardRow(name=name, slug=name.lower().replace(" ", "-"))
            uow.session.add(ward)
            for n in range(3):
                uow.session.add(
                    CouncillorRow(
                        name=f"Cllr {w}-{n}",
                        ward=ward,
                        group=labour if n != 1 else green,
                        email=f"cllr{w}{n}@kirklees.example",
                    )
                )
    return [f"cllr{w}{n}@kirklees.example" for w in range(len(WARDS)) for n in range(3)]


def config_file(kdc_app: Kdc, tmp_path: Path, port: int) -> Path:
    path = tmp_path / "kdc.toml"
    path.write_text(
        f'database_url = "{kdc_app.settings.database_url}"\n'
        f'instance_path = "{tmp_path / "instance"}"\n'
        'base_url = "https://kdc.example.gov.uk"\n'
        f'[mail]\nmailer = "smtp"\nsender = "{SENDER}"\n'
        f'[plugins.smtp]\nhost = "127.0.0.1"\nport = {port}\nretries = 0\n',
        encoding="utf-8",
    )
    return path


def at_once(config: Path, *args: str, runs: int = 2) -> list[subprocess.CompletedProcess[str]]:
    """Start ``runs`` ``kdc`` processes with the same arguments at the same moment."""
    env = os.environ | {"KDC_SECRET_KEY": SECRET}
    procs = [
        subprocess.Popen(
            [KDC, "--config", str(config), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(runs)
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def test_two_newsletter_sends_at_once_give_every_councillor_the_issue_exactly_once(
    kdc_app, council, mailbox, tmp_path
):
    box, port = mailbox
    results = at_once(
        config_file(kdc_app, tmp_path, port), "newsletter", "send", "--month", "2027-03"
    )
    for r in results:
        assert r.returncode == 0, r.stderr
        assert "They go when the outbox is dispatched." in r.stdout
    assert sorted(box.to()) == sorted(council)
    queued = [int(r.stdout.split("Queued ", 1)[1].split()[0]) for r in results]
    assert sum(queued) == len(council)
    message = box.messages[0]
    assert message["From"].addresses[0].addr_spec == SENDER
    assert message["Message-ID"].endswith("@kirklees.example>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<https://kdc.example.gov.uk/newsletter/")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        sent_at = [i.sent_at for i in uow.session.scalars(select(NewsletterIssueRow))]
    assert len(sent_at) == len(council) and all(at is not None for at in sent_at)


def test_two_job_runners_at_once_send_the_months_issues_exactly_once(
    kdc_app, council, mailbox, tmp_path
):
    box, port = mailbox
    results = at_once(config_file(kdc_app, tmp_path, port), "jobs", "run-due")
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    output = "".join(r.stdout for r in results)
    assert output.count("newsletter: ok") == 1
    # Whichever runner dispatched after the newsletter was queued sent it; if none did yet,
    # the next dispatch will.
    dispatch(kdc_app)
    assert sorted(box.to()) == sorted(council)


def test_a_server_that_stops_after_ten_loses_no_issue_and_repeats_none(
    kdc_app, kdc_run, council, mailbox
):
    box, _ = mailbox
    box.accept = 10
    first = kdc_run("newsletter", "send", "--month", "2027-04")
    assert first.exit_code == 0, first.output
    assert "Outbox dispatched: 10 sent" in first.output
    assert len(box.messages) == 10
    box.accept = None
    again = kdc_run("newsletter", "send", "--month", "2027-04")
    assert "Queued 0 issues" in again.output and f"{len(council)} were already" in again.output
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    dispatch(kdc_app, now=lambda: later)
    assert sorted(box.to()) == sorted(council)


def test_newsletter_send_dry_run_queues_nothing(kdc_app, kdc_run, council, mailbox):
    result = kdc_run("newsletter", "send", "--month", "2027-05", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: would queue 15 issues" in result.output
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert outbox.counts(uow)["pending"] == 0


def _post(kdc_app: Kdc, title: str, public_on: dt.date, posted_at: dt.datetime | None = None):
    with kdc_app.unit_of_work() as uow:
        return post_briefing(
            uow,
            wards=["Almondbury"],
            title=title,
            body="The details.",
            public_on=public_on,
            posted_at=posted_at,
        )


def test_a_late_briefing_is_delivered_marked_late_and_the_8_1_finding_stands(
    kdc_app, kdc_run, council, mailbox
):
    box, _ = mailbox
    today = dt.datetime.now(kdc_app.settings.tz).date()
    late = _post(kdc_app, "Bus lane", today - dt.timedelta(days=2))
    timely = _post(kdc_app, "Play area", today + dt.timedelta(days=10))
    dry = kdc_run("briefing", "send", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Dry run: would queue 6 messages for 2 briefings" in dry.output
    assert box.messages == []
    result = kdc_run("briefing", "send")  # every briefing nothing was queued for
    assert result.exit_code == 0, result.output
    assert f"briefing {late.id} (late): queued email" in result.output
    assert "WARNING 8.1 Bus lane" in result.stderr
    got = {m["Subject"]: box.text(m) for m in box.messages}
    assert len(box.messages) == 6
    assert all(m["From"].addresses[0].addr_spec == SENDER for m in box.messages)
    late_text = got["Late: Ward briefing: Bus lane"]
    assert "This briefing is late" in late_text and "not public until" not in late_text
    timely_text = got["Ward briefing: Play area"]
    public = today + dt.timedelta(days=10)
    assert f"not public until {public:%A} {public.day} {public:%B %Y}" in timely_text
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert len(get_briefing(uow, late.id).sent) == 3
    again = kdc_run("briefing", "send", str(timely.id))
    assert again.exit_code == 0 and "3 already queued" in again.output
    assert len(box.messages) == 6


def test_a_briefing_sent_after_its_public_date_but_posted_in_time_says_public_since(
    kdc_app, kdc_run, council, mailbox
):
    box, _ = mailbox
    today = dt.datetime.now(kdc_app.settings.tz).date()
    posted = dt.datetime.now(dt.UTC) - dt.timedelta(days=5)
    b = _post(kdc_app, "Road closure", today - dt.timedelta(days=1), posted_at=posted)
    assert kdc_run("briefing", "send", str(b.id)).exit_code == 0
    text = box.text(box.messages[0])
    assert "This has been public since" in text and "not public until" not in text


def test_without_a_mailer_briefing_send_queues_nothing_and_says_so(kdc_app, kdc_run, council):
    kdc_app.settings = kdc_app.settings.evolve(mail=MailSettings())
    b = _post(kdc_app, "Library hours", dt.date.today() + dt.timedelta(days=3))
    result = kdc_run("briefing", "send", str(b.id))
    assert result.exit_code != 0 and "no mailer is configured" in result.output
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert outbox.counts(uow)["pending"] == 0


def test_the_newsletter_job_queues_this_months_issues_once(kdc_app, council, mailbox):
    from kdc_core.jobs import runner

    first = runner.run(kdc_app, "newsletter")
    assert first.status == "ok" and first.record is not None
    assert first.record.summary["queued"] == len(council)
    second = runner.run(kdc_app, "newsletter")
    assert second.record is not None and second.record.summary["queued"] == 0
    dry = runner.run(kdc_app, "newsletter", dry_run=True)
    assert dry.record is not None and dry.record.summary["would_queue"] == 0


def test_concurrent_sends_in_threads_with_separate_apps_queue_each_issue_once(
    kdc_app, council, mailbox
):
    """Two Kdc objects in two threads: the unique keys, not a check beforehand, decide."""
    from kdc_core.newsletter.delivery import queue_month
    from kdc_core.newsletter.values import Month

    box, _ = mailbox
    apps = [Kdc(kdc_app.settings, make_plugin_manager(kdc_app.settings)) for _ in range(2)]
    start = threading.Barrier(2)
    reports, errors = [], []

    def go(app: Kdc) -> None:
        try:
            start.wait()
            reports.append(queue_month(app, Month(2027, 6)))
            dispatch(app)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for a in apps:
        a.dispose()
    assert errors == []
    assert sum(len(r.queued) for r in reports) == len(council)
    assert sorted(box.to()) == sorted(council)
