"""The newsletter and briefing commands fail clearly, exit non-zero and write nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from kdc_core.config import MailSettings
from kdc_core.db import WardRow
from kdc_core.db.newsletters import BriefingRow, NewsletterIssueRow


def count(kdc_app, row) -> int:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(row)) or 0)


def test_unknown_ward_or_bad_month_fails_and_writes_nothing(kdc_app, kdc_run, tmp_path):
    with kdc_app.unit_of_work() as uow:
        uow.session.add(WardRow(name="Lindley", slug="lindley"))
    bad = kdc_run(
        "newsletter",
        "build",
        "--month",
        "2027-03",
        "--ward",
        "Lindely",
        "--out",
        str(tmp_path / "out"),
    )
    assert bad.exit_code == 1 and "no ward called 'Lindely'" in bad.output
    assert not (tmp_path / "out").exists() and count(kdc_app, NewsletterIssueRow) == 0
    month = kdc_run("newsletter", "build", "--month", "2027-3", "--out", str(tmp_path))
    assert month.exit_code == 2 and "YYYY-MM" in month.output


def test_posting_a_briefing_for_an_unknown_ward_or_topic_writes_nothing(kdc_app, kdc_run):
    with kdc_app.unit_of_work() as uow:
        uow.session.add(WardRow(name="Lindley", slug="lindley"))
    args = ("briefing", "post", "--title", "T", "--body", "B", "--public-on", "2030-01-01")
    ward = kdc_run(*args, "--ward", "Lindley", "--ward", "Nowhere")
    assert ward.exit_code == 1 and "no ward called 'Nowhere'" in ward.output
    topic = kdc_run(*args, "--ward", "Lindley", "--topic", "gossip")
    assert topic.exit_code == 1 and "unknown topic 'gossip'" in topic.output
    assert count(kdc_app, BriefingRow) == 0


def test_sending_with_an_unknown_mailer_names_the_ones_installed(kdc_app, kdc_run):
    kdc_app.settings = kdc_app.settings.evolve(
        mail=MailSettings(mailer="smtp", sender="ward-newsletter@kirklees.example")
    )
    result = kdc_run("newsletter", "send", "--month", "2027-03", "--mailer", "pigeon")
    assert result.exit_code == 1 and "no mailer called 'pigeon'" in result.output
    assert "smtp" in result.output and "notify" in result.output
