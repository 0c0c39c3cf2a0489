"""``kdc enquiries retention``: closed enquiries past retention lose their personal data, and
nothing else changes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from enquiry_people import seed_enquiry_people
from sqlalchemy import select

from kdc_core.db.enquiries import EnquiryRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries import service
from kdc_core.enquiries.retention import REMOVED
from kdc_core.enquiries.values import CategorySettings, Constituent, NewEnquiry

PAT = Constituent("Pat Resident", "pat@example.org", "01484 000000", "1 Long Lane")


def open_enquiry(uow, category="general", day="2024-01-10"):
    new = NewEnquiry(
        councillors=("Ann Smith",), ward="Almondbury", category=category, service="Highways",
        description="Pat's pothole outside number 1", constituent=PAT,
        received_at=dt.datetime.fromisoformat(f"{day}T09:00:00+00:00"),
    )  # fmt: skip
    return service.create(uow, new, "clerk").reference


def close(uow, ref, when: dt.datetime):
    service.update_status(uow, ref, "resolved", "officer", note="Told Pat it is fixed", now=when)
    service.update_status(uow, ref, "closed", "officer", now=when)


@pytest.fixture
def cases(kdc_app):
    """Old closed (due), recently closed (kept), short-retention category closed 40 days ago
    (due), old but still open (kept)."""
    seed_enquiry_people(kdc_app)
    with kdc_app.unit_of_work() as uow:
        store.save_category(uow.session, CategorySettings("potholes", retention_days=30))
        old = open_enquiry(uow)
        close(uow, old, dt.datetime(2024, 2, 1, tzinfo=dt.UTC))
        recent = open_enquiry(uow, day="2026-01-05")
        close(uow, recent, dt.datetime(2026, 1, 20, tzinfo=dt.UTC))
        short = open_enquiry(uow, category="potholes", day="2026-09-01")
        close(uow, short, dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
        still_open = open_enquiry(uow, day="2023-01-10")
    return {"old": old, "recent": recent, "short": short, "open": still_open}


def snapshot(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        rows = uow.session.scalars(select(EnquiryRow).order_by(EnquiryRow.id)).all()
        return {r.reference: {c.name: getattr(r, c.name) for c in EnquiryRow.__table__.columns}
                for r in rows}  # fmt: skip


def test_retention_lists_without_apply_and_changes_nothing(kdc_app, kdc_run, cases):
    before = snapshot(kdc_app)
    result = kdc_run("enquiries", "retention", "--today", "2026-11-22", "--json")
    assert json.loads(result.output) == {"applied": False, "due": [cases["old"], cases["short"]]}
    assert snapshot(kdc_app) == before


def test_retention_apply_anonymises_only_closed_enquiries_past_retention(kdc_app, kdc_run, cases):
    before = snapshot(kdc_app)
    result = kdc_run("enquiries", "retention", "--apply", "--today", "2026-11-22")
    assert result.exit_code == 0 and "2 anonymised" in result.output
    after = snapshot(kdc_app)
    personal = {"constituent_name", "constituent_email", "constituent_phone",
                "constituent_address", "description", "anonymised_at", "updated_at"}  # fmt: skip
    for key in ("old", "short"):
        ref = cases[key]
        kept = {k: v for k, v in after[ref].items() if k not in personal}
        assert kept == {k: v for k, v in before[ref].items() if k not in personal}
        assert after[ref]["constituent_name"] is None and after[ref]["description"] == REMOVED
        with kdc_app.unit_of_work(dry_run=True) as uow:
            shown = service.get(uow, ref)
        assert shown.anonymised and shown.constituent == Constituent()
        assert {n.body for n in shown.notes} == {REMOVED}
        assert shown.audit[-1].action == "anonymised"
        assert "Pat" not in json.dumps(shown.to_json())
    for key in ("recent", "open"):
        assert after[cases[key]] == before[cases[key]]
    again = kdc_run("enquiries", "retention", "--apply", "--today", "2026-11-22")
    assert "0 anonymised" in again.output


def test_an_enquiry_resolved_but_never_closed_is_anonymised_counted_from_resolution(
    kdc_app, kdc_run
):
    seed_enquiry_people(kdc_app)
    with kdc_app.unit_of_work() as uow:
        left = open_enquiry(uow, day="2024-01-10")
        service.extend(uow, left, "Waiting for Pat's photos of the hole", "officer")
        service.update_status(
            uow, left, "resolved", "officer", note="Pat happy",
            now=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
        )  # fmt: skip
        fresh = open_enquiry(uow, day="2026-06-01")
        service.update_status(
            uow, fresh, "resolved", "officer", now=dt.datetime(2026, 6, 10, tzinfo=dt.UTC)
        )
    # General keeps a finished case 730 days: 1 March 2024 + 730 days is 1 March 2026.
    listed = kdc_run("enquiries", "retention", "--today", "2026-03-01")
    assert "0 due for anonymising" in listed.output
    listed = kdc_run("enquiries", "retention", "--today", "2026-03-03")
    assert (
        f"{left}  General  resolved Fri 1 Mar 2024" in listed.output and fresh not in listed.output
    )
    done = kdc_run("enquiries", "retention", "--apply", "--today", "2026-03-03", "--json")
    assert json.loads(done.output) == {"applied": True, "anonymised": [left]}
    with kdc_app.unit_of_work(dry_run=True) as uow:
        shown = service.get(uow, left)
        row = store.enquiry_row(uow.session, left)
        assert (row.status, row.closed_at, row.resolved_in_time) == ("resolved", None, False)
        assert row.resolved_at is not None and row.extension_stage == 1
    assert shown.anonymised and shown.constituent == Constituent()
    assert shown.description == REMOVED and shown.extension_reason == REMOVED
    assert {n.body for n in shown.notes} == {REMOVED}
    assert "resolved" in (shown.audit[-1].new or "")
    assert "Pat" not in json.dumps(shown.to_json())
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert service.get(uow, fresh).constituent == PAT


def test_the_letters_about_an_anonymised_enquiry_lose_their_text(kdc_app, kdc_run):
    from kdc_core.app import Kdc
    from kdc_core.config import MailSettings
    from kdc_core.db.outbox import OutboxMessageRow
    from kdc_core.db.people import CouncillorRow, OfficerRow
    from kdc_core.mail.outbox import message_text

    seed_enquiry_people(kdc_app)
    mailing = Kdc(
        kdc_app.settings.evolve(mail=MailSettings(mailer="smtp", sender="cs@kirklees.example")),
        kdc_app.pm,
    )
    with mailing.unit_of_work() as uow:
        for row in uow.session.scalars(select(CouncillorRow)):
            row.email = "cllr@kirklees.example"
        for row in uow.session.scalars(select(OfficerRow)):
            row.email = "officer@kirklees.example"
    with mailing.unit_of_work() as uow:
        gone = open_enquiry(uow)
        close(uow, gone, dt.datetime(2024, 2, 1, tzinfo=dt.UTC))
        kept = open_enquiry(uow, day="2026-10-01")

    def texts(reference):
        with kdc_app.unit_of_work(dry_run=True) as uow:
            ids = uow.session.scalars(
                select(OutboxMessageRow.id).where(OutboxMessageRow.key.contains(reference))
            ).all()
            return {
                i: (
                    message_text(uow, i),
                    (uow.session.get(OutboxMessageRow, i).recipient,
                     uow.session.get(OutboxMessageRow, i).subject),
                )
                for i in ids
            }  # fmt: skip

    before = texts(gone)
    assert any("Pat's pothole" in text for text, _ in before.values())
    assert kdc_run("enquiries", "retention", "--apply", "--today", "2026-11-22").exit_code == 0
    after = texts(gone)
    assert after.keys() == before.keys()
    for i, (text, who_and_what) in after.items():
        assert text.strip() == REMOVED
        assert who_and_what == before[i][1]
    assert any("Pat's pothole" in text for text, _ in texts(kept).values())
