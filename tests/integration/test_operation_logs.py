"""Jobs, imports, directory syncs and deliveries log their start, counts and outcome, with the
figures as structured fields and no addresses, tokens or what people wrote."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from directory_data import directory, write_csv
from outbox import OutboxMailer

from fixture_files import fixture_path
from kdc_core import hookimpl
from kdc_core.config import MailSettings, Settings
from kdc_core.jobs import runner
from kdc_core.jobs.values import Job
from kdc_core.logs import JsonFormatter, TextFormatter
from kdc_core.mail import dispatch as dispatching
from kdc_core.mail import outbox
from kdc_core.mail.delivery import DeliveryError
from kdc_core.mail.outbox import Outgoing

ADDRESS = "aisha.khan@example.com"


class Jobs:
    """Two jobs: one that counts, one that fails naming an address."""

    @hookimpl
    def kdc_register_jobs(self, register):
        register(Job(name="counting", help="Count.", run=lambda _ctx: {"counted": 3}))
        register(Job(name="failing", help="Fail.", run=self.fail))

    @staticmethod
    def fail(_context):
        raise RuntimeError(f"the server refused {ADDRESS}")


@pytest.fixture
def mailer() -> OutboxMailer:
    return OutboxMailer()


@pytest.fixture
def kdc_extra_plugins(mailer):
    return [("jobs-for-logs", Jobs()), ("outbox-mailer", mailer)]


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        mail=MailSettings(mailer="outbox", sender="support@kirklees.example"),
    )


def _records(caplog, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger]


def _json(record: logging.LogRecord) -> dict:
    return json.loads(JsonFormatter().format(record))


def _written(caplog) -> str:
    """Every record as the ``kdc`` command writes it, in both formats."""
    text, structured = TextFormatter(), JsonFormatter()
    return "\n".join(f(r) for r in caplog.records for f in (text.format, structured.format))


def test_a_job_run_logs_its_start_counts_and_outcome(kdc_app, caplog):
    with caplog.at_level(logging.INFO, logger="kdc_core.jobs.runner"):
        assert runner.run(kdc_app, "counting").status == "ok"
        assert runner.run(kdc_app, "failing").status == "failed"
    started, ok, started_again, raised, failed = _records(caplog, "kdc_core.jobs.runner")
    assert started.getMessage() == "job counting started (manual)"
    assert (started.job, started.trigger, started.levelname) == ("counting", "manual", "INFO")
    assert ok.getMessage().startswith("job counting ok in ")
    assert ok.getMessage().endswith(": counted 3")
    entry = _json(ok)
    assert (entry["job"], entry["outcome"], entry["counts"]) == ("counting", "ok", {"counted": 3})
    assert entry["duration_s"] >= 0 and entry["run_id"] == started.run_id
    assert started_again.job == "failing"
    assert (failed.levelname, failed.outcome, failed.job) == ("WARNING", "failed", "failing")
    assert "the server refused <address>" in failed.getMessage()
    # The unexpected exception's traceback is logged, without the address it quoted.
    assert raised.levelname == "ERROR" and raised.exc_info is not None
    assert "RuntimeError: the server refused <address>" in _json(raised)["exception"]
    assert ADDRESS not in _written(caplog)


def test_an_import_logs_its_start_counts_and_outcome(kdc_run, caplog):
    path = fixture_path("moderngov", "district-two-member-wards.xml")
    with caplog.at_level(logging.INFO, logger="kdc_core.services.imports"):
        result = kdc_run("import", "moderngov-councillors", str(path))
    assert result.exit_code == 0, result.output
    lines = _records(caplog, "kdc_core.services.imports")
    assert lines[0].getMessage() == f"import moderngov-councillors from {path} started"
    done = lines[-1]
    assert done.levelname == "INFO" and done.outcome == "applied"
    assert done.getMessage().startswith(f"import moderngov-councillors from {path} applied in ")
    assert done.records > 0 and done.changes > 0 and done.warnings == 2
    assert _json(done)["counts"]["councillor added"] == 5
    assert sum(1 for r in lines if r.levelname == "WARNING") == 2


def test_an_import_that_fails_logs_the_failure_and_raises(kdc_run, tmp_path, caplog):
    broken = tmp_path / "broken.xml"
    broken.write_text("<not-moderngov/>")
    with caplog.at_level(logging.INFO, logger="kdc_core.services.imports"):
        result = kdc_run("import", "moderngov-councillors", str(broken))
    assert result.exit_code != 0
    failed = _records(caplog, "kdc_core.services.imports")[-1]
    assert (failed.levelname, failed.outcome) == ("WARNING", "failed")
    assert "nothing was written" in failed.getMessage()


def test_a_directory_sync_logs_its_start_counts_and_outcome(kdc_run, tmp_path, caplog):
    path = write_csv(tmp_path / "staff.csv", directory(30))
    with caplog.at_level(logging.INFO, logger="kdc_core.directory.engine"):
        result = kdc_run("directory", "sync", "csv", str(path))
        assert result.exit_code == 0, result.output
        refused = kdc_run("directory", "sync", "csv", str(write_csv(tmp_path / "none.csv", [])))
        assert refused.exit_code != 0
    started, applied, _again, refusal = _records(caplog, "kdc_core.directory.engine")
    assert started.getMessage() == "directory sync from csv started"
    assert (applied.outcome, applied.source, applied.dry_run) == ("applied", "csv", False)
    assert _json(applied)["counts"]["added"] == 30
    assert "30 added" in applied.getMessage()
    assert (refusal.levelname, refusal.outcome) == ("WARNING", "refused")
    assert "@example.gov.uk" not in _written(caplog) and "Given1" not in _written(caplog)


def test_a_delivery_run_logs_what_it_queued_sent_and_refused(kdc_app, mailer, caplog):
    def refuse_one(message):
        if "refuse" in message["To"]:
            raise DeliveryError("550 <refuse.me@example.com> unknown user", permanent=True)
        return "ok"

    mailer.outbox.send_email = refuse_one
    messages = [
        Outgoing(
            key=f"logs:{who}",
            kind="test",
            to_address=f"{who}@example.com",
            to_name=who,
            subject="A private subject",
            text="What a constituent wrote",
        )
        for who in ("keep", "refuse.me")
    ]
    with caplog.at_level(logging.DEBUG, logger="kdc_core.mail"):
        with kdc_app.unit_of_work() as uow:
            outbox.queue(uow, messages)
        report = dispatching.dispatch(kdc_app)
    assert (report.sent, report.failed) == (1, 1)
    queued = _records(caplog, "kdc_core.mail.outbox")[-1]
    assert (queued.queued, queued.already_queued, queued.mailer) == (2, 0, "outbox")
    lines = _records(caplog, "kdc_core.mail.dispatch")
    assert lines[0].getMessage() == "outbox dispatch started"
    assert any(r.getMessage() == "outbox dispatch claimed 2 due messages" for r in lines)
    (refused,) = [r for r in lines if r.levelname == "WARNING" and hasattr(r, "message_id")]
    assert refused.getMessage().endswith("not sent (permanent): 550 <<address>> unknown user")
    summary = lines[-1]
    assert summary.levelname == "WARNING"  # a message failed
    assert _json(summary)["counts"] == {"sent": 1, "retrying": 0, "failed": 1, "handed_back": 0}
    for private in ("keep@example.com", "refuse.me@", "A private subject", "constituent wrote"):
        assert private not in _written(caplog)
