"""Enquiry messages go through the outbox to a real SMTP server, each exactly once: created,
assigned, extended, overdue (officer, then line manager), resolved, and the weekly digest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from enquiry_people import seed_enquiry_people
from smtp_server import Mailbox
from sqlalchemy import select

from kdc_core.app import Kdc
from kdc_core.config import MailSettings, Settings
from kdc_core.db.people import CouncillorRow, OfficerRow
from kdc_core.enquiries import service
from kdc_core.enquiries.timescales import add_working_days
from kdc_core.enquiries.values import NewEnquiry
from kdc_core.jobs import runner
from kdc_core.mail import outbox
from kdc_core.timewords import govuk_date

EMAILS = {
    "Ann Smith": "ann.smith@kirklees.example",
    "Bob Jones": "bob.jones@kirklees.example",
    "Cat Lee": "cat.lee@kirklees.example",
}
OFFICERS = {
    "Road": "hana.road@kirklees.example",
    "Default": "dev.default@kirklees.example",
    "Bins": "wes.bins@kirklees.example",
}
MANAGER = "mo.manager@kirklees.example"


@pytest.fixture
def mail_configured() -> bool:
    return True


@pytest.fixture
def jobs_config() -> dict[str, dict[str, object]]:
    """Only the enquiry jobs and the outbox: the monthly newsletter and directory reminders
    would otherwise run too (never run, so due) and write to the same people."""
    return {"newsletter": {"schedule": "off"}, "directory_reminders": {"schedule": "off"}}


@pytest.fixture
def kdc_settings(
    kdc_database_url: str, tmp_path: Path, mailbox, mail_configured: bool, jobs_config
) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        plugin_sections={"smtp": {"host": "127.0.0.1", "port": mailbox[1], "retries": 0}},
        mail=MailSettings(mailer="smtp", sender="councillor-support@kirklees.example")
        if mail_configured
        else MailSettings(),
        jobs=jobs_config,
    )


@pytest.fixture
def council(kdc_app: Kdc) -> Kdc:
    """The enquiry people with email addresses; Dev Default's line manager is Mo Manager."""
    seed_enquiry_people(kdc_app)
    with kdc_app.unit_of_work() as uow:
        s = uow.session
        for row in s.scalars(select(CouncillorRow)):
            row.email = EMAILS[row.name]
        mo = OfficerRow(
            person_id="p9", given_name="Mo", family_name="Manager", email=MANAGER, phone="01484 1"
        )
        s.add(mo)
        s.flush()
        for row in s.scalars(select(OfficerRow).where(OfficerRow.id != mo.id)):
            row.email = OFFICERS.get(row.family_name)
            row.manager_id = mo.id
    return kdc_app


def local(day: dt.date, hour: int, kdc: Kdc) -> dt.datetime:
    """``hour``:30 on ``day`` in the council's time zone, as UTC."""
    return dt.datetime.combine(day, dt.time(hour, 30), kdc.settings.tz).astimezone(dt.UTC)


def counts(kdc: Kdc) -> dict[str, int]:
    with kdc.unit_of_work(dry_run=True) as uow:
        return outbox.counts(uow)


def new_messages(mailbox: Mailbox, seen: int) -> dict[str, str]:
    """The messages accepted since the first ``seen``: address → plain text (one each)."""
    fresh = mailbox.messages[seen:]
    found = {str(m["To"].addresses[0].addr_spec): mailbox.text(m) for m in fresh}
    assert len(found) == len(fresh), "two messages to one person in one step"
    return found


def dispatch(kdc_run) -> None:
    result = kdc_run("jobs", "run", "outbox_dispatch")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "jobs_config",
    [
        {
            name: {"schedule": "off"}
            for name in ("enquiry_digest", "newsletter", "directory_reminders")
        }
    ],
)
def test_each_enquiry_change_delivers_its_messages_once(council, kdc_run, mailbox):
    box, _port = mailbox
    kdc = council
    created = kdc_run(
        "enquiries", "create", "--councillor", "Ann Smith", "--ward", "Almondbury",
        "--category", "general", "--service", "Highways",
        "--description", "Pothole on Thorpe Lane outside number 12",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert (
        "A message is queued for Cllr Ann Smith, Hana Road (it goes when the outbox is "
        "dispatched)." in created.output
    )
    assert box.messages == []  # queued is not sent
    ref = created.output.split("Reference: ")[1].split()[0]
    with kdc.unit_of_work(dry_run=True) as uow:
        first_due = service.get(uow, ref).respond_by
    due_text = govuk_date(first_due, kdc.settings.tz)

    ran = kdc_run("jobs", "run-due")
    assert ran.exit_code == 0, ran.output
    got = new_messages(box, 0)
    assert set(got) == {EMAILS["Ann Smith"], OFFICERS["Road"]}
    for text in got.values():
        assert ref in text and "Hana Road" in text and f"Respond by: {due_text}" in text
    ann = got[EMAILS["Ann Smith"]]
    assert f"Named officer: Hana Road (Highways), {OFFICERS['Road']}" in ann
    hana = got[OFFICERS["Road"]]
    assert "Pothole on Thorpe Lane outside number 12" in hana
    assert f"Raised by: Cllr Ann Smith, {EMAILS['Ann Smith']}" in hana
    assert "Named officer:" not in hana  # not her own contact details
    seen = len(box.messages)

    typo = kdc_run("enquiries", "assign", ref, "--officer", "Dev Defalt")
    assert typo.exit_code == 1
    assert "no officer called 'Dev Defalt'; did you mean 'Dev Default'?" in typo.output
    assert "Traceback" not in typo.output
    assigned = kdc_run(
        "enquiries", "assign", ref, "--officer", "Dev Default", "--reason", "Hana is on leave"
    )
    assert assigned.exit_code == 0, assigned.output
    assert "Named officer: Dev Default" in assigned.output
    assert "A message is queued for Cllr Ann Smith, Dev Default, Hana Road" in assigned.output
    dispatch(kdc_run)
    got = new_messages(box, seen)
    assert set(got) == {EMAILS["Ann Smith"], OFFICERS["Default"], OFFICERS["Road"]}
    assert "is now with Dev Default; it was with Hana Road." in got[EMAILS["Ann Smith"]]
    assert "Reason given: Hana is on leave" in got[EMAILS["Ann Smith"]]
    assert "Pothole on Thorpe Lane" in got[OFFICERS["Default"]]
    assert "is no longer yours" in got[OFFICERS["Road"]]
    seen = len(box.messages)

    extended = kdc_run("enquiries", "extend", ref, "--reason", "Contractor booked")
    assert extended.exit_code == 0, extended.output
    assert "A message is queued for Cllr Ann Smith (it goes" in extended.output
    dispatch(kdc_run)
    with kdc.unit_of_work(dry_run=True) as uow:
        due = service.get(uow, ref).respond_by
    got = new_messages(box, seen)
    assert list(got) == [EMAILS["Ann Smith"]]
    assert (
        f"The respond-by date has moved from {due_text} to {govuk_date(due, kdc.settings.tz)}"
        in got[EMAILS["Ann Smith"]]
    )
    assert "Reason given: Contractor booked" in got[EMAILS["Ann Smith"]]
    seen = len(box.messages)

    # The first working day it is late: the named officer is told; the run after sends it.
    late_day = add_working_days(due, 1)
    runner.run_due(kdc, now=lambda: local(late_day, 7, kdc))
    runner.run_due(kdc, now=lambda: local(late_day, 8, kdc))
    got = new_messages(box, seen)
    assert list(got) == [OFFICERS["Default"]]
    assert f"{ref} was due {govuk_date(due, kdc.settings.tz)}" in got[OFFICERS["Default"]]
    seen = len(box.messages)

    # Three working days late: the line manager too, once; the officer is not told again.
    escalate_day = add_working_days(due, 3)
    runner.run_due(kdc, now=lambda: local(escalate_day, 7, kdc))
    runner.run_due(kdc, now=lambda: local(escalate_day, 8, kdc))
    again = runner.run(kdc, "enquiry_escalation", now=lambda: local(escalate_day, 9, kdc))
    assert again.record is not None
    assert again.record.summary == {"queued": 0, "already_queued": 2, "no_address": 0}
    runner.run(kdc, "outbox_dispatch", now=lambda: local(escalate_day, 9, kdc))
    got = new_messages(box, seen)
    assert list(got) == [MANAGER]
    assert "Dev Default is the named officer for" in got[MANAGER]
    assert "3 working days late" in box.messages[-1]["Subject"]
    seen = len(box.messages)

    resolved = kdc_run("enquiries", "update", ref, "--status", "resolved")
    assert resolved.exit_code == 0, resolved.output
    assert "A message is queued for Cllr Ann Smith" in resolved.output
    dispatch(kdc_run)
    got = new_messages(box, seen)
    assert list(got) == [EMAILS["Ann Smith"]]
    assert f"Enquiry {ref} has been resolved." in got[EMAILS["Ann Smith"]]
    seen = len(box.messages)

    # Nothing goes twice: running the jobs again sends nothing new.
    assert kdc_run("jobs", "run-due").exit_code == 0
    rerun = kdc_run("jobs", "run", "outbox_dispatch")
    assert "sent 0" in rerun.output
    assert len(box.messages) == seen == 9
    assert counts(kdc) == {"pending": 0, "sending": 0, "sent": 9, "failed": 0}


@pytest.mark.parametrize("mail_configured", [False])
def test_with_no_mailer_the_cli_says_nobody_was_told_and_queues_nothing(council, kdc_run):
    created = kdc_run(
        "enquiries", "create", "--councillor", "Ann Smith", "--ward", "Almondbury",
        "--category", "general", "--service", "Highways", "--description", "Pothole",
        "--received-at", "2026-10-01T09:00:00+00:00",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "Nobody was told: no mailer is configured ([mail] in kdc.toml)." in created.output
    assert "queued for" not in created.output
    ref = created.output.split("Reference: ")[1].split()[0]
    assigned = kdc_run("enquiries", "assign", ref, "--officer", "p2")
    assert "Nobody was told: no mailer is configured" in assigned.output
    escalation = kdc_run("jobs", "run", "enquiry_escalation")
    assert escalation.exit_code == 0, escalation.output
    assert "Nobody was told" in escalation.output
    digest = kdc_run("enquiries", "digest")
    assert "the digest mailer queued nothing: no mailer is configured" in digest.output
    assert counts(council) == {"pending": 0, "sending": 0, "sent": 0, "failed": 0}


def test_the_digest_job_queues_one_letter_per_councillor_once_a_week(council, kdc_run, mailbox):
    box, _port = mailbox
    kdc = council
    today = dt.datetime.now(kdc.settings.tz).date()
    next_monday = today + dt.timedelta(days=7 - today.weekday())

    def new(councillors: tuple[str, ...], received: dt.date) -> NewEnquiry:
        at = dt.datetime.combine(received, dt.time(9), dt.UTC)
        return NewEnquiry(
            councillors=councillors, ward="Almondbury", category="general", service="Waste",
            description="Bins not collected", received_at=at,
        )  # fmt: skip

    with kdc.unit_of_work() as uow:
        late = service.create(uow, new(("Ann Smith",), today - dt.timedelta(days=42)), "t")
        fresh = service.create(uow, new(("Ann Smith", "Cat Lee"), today), "t")
        done = service.create(uow, new(("Bob Jones",), today), "t")
        service.update_status(uow, done.reference, "resolved", "t")
    before = counts(kdc)["pending"]

    monday = lambda: local(next_monday, 7, kdc)  # noqa: E731
    first = runner.run(kdc, "enquiry_digest", now=monday)
    assert first.record is not None
    assert first.record.summary == {"digests": 2, "queued": 2, "already_queued": 0}
    assert counts(kdc)["pending"] == before + 2
    later = runner.run(kdc, "enquiry_digest", now=lambda: local(next_monday, 15, kdc))
    assert later.record is not None
    assert later.record.summary == {"digests": 2, "queued": 0, "already_queued": 2}
    printed = kdc_run("enquiries", "digest", "--week-of", next_monday.isoformat())
    assert (
        "Built 2 digests; the digest mailer queued 0 messages (they go when the outbox is "
        "dispatched); 2 were already queued this week." in printed.output
    )

    runner.run(kdc, "outbox_dispatch", now=monday)
    digests = {
        str(m["To"].addresses[0].addr_spec): box.text(m)
        for m in box.messages
        if m["Subject"].startswith("Your enquiries")
    }
    assert set(digests) == {EMAILS["Ann Smith"], EMAILS["Cat Lee"]}
    ann = digests[EMAILS["Ann Smith"]].replace("\r\n", "\n")
    assert "You have 2 open enquiries: 0 due this week and 1 late." in ann
    late_part = ann.split("Late\n----\n")[1].split("\n\n")[0]
    assert late.reference in late_part and fresh.reference not in late_part
    assert f"{fresh.reference} logged" in ann.split("What changed last week")[1]
    assert f"respond by {govuk_date(fresh.respond_by, kdc.settings.tz)}" in ann
    assert done.reference not in digests[EMAILS["Cat Lee"]]


def test_assigning_an_unassigned_enquiry_audits_it_and_tells_both_sides(council, kdc_run):
    """Parks has no contact, so the enquiry starts unassigned; naming Jo Joint audits who,
    when, nobody → Jo Joint and the reason, and queues the councillor's and Jo's messages."""
    with council.unit_of_work() as uow:
        joint = uow.session.scalars(
            select(OfficerRow).where(OfficerRow.family_name == "Joint")
        ).one()
        joint.email = "jo.joint@kirklees.example"
        made = service.create(
            uow,
            NewEnquiry(
                councillors=("Cat Lee",), ward="Dalton", category="general", service="Parks",
                description="Broken swing",
            ),
            "t",
        )  # fmt: skip
    assert made.officer is None
    assert made.told is not None and made.told.queued == ("Cllr Cat Lee",)
    result = kdc_run("enquiries", "assign", made.reference, "--officer", "jo joint",
                     "--reason", "Parks asked for it")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "A message is queued for Cllr Cat Lee, Jo Joint" in result.output
    with council.unit_of_work(dry_run=True) as uow:
        e = service.get(uow, made.reference)
        keys = [m.key for m in outbox.messages(uow, kind="enquiry-reassigned")]
    (entry,) = [a for a in e.audit if a.action == "assigned"]
    assert (entry.field, entry.old, entry.new) == ("officer", None, "Jo Joint")
    assert entry.actor.startswith("cli") and entry.at.tzinfo is not None
    assert [n.body for n in e.notes] == ["Assigned to Jo Joint: Parks asked for it"]
    assert len(keys) == 2 and all(
        k.startswith(f"enquiry-reassigned:{made.reference}:") for k in keys
    )
    again = kdc_run("enquiries", "assign", made.reference, "--officer", "Jo Joint")
    assert again.exit_code == 1 and "already with Jo Joint" in again.output
