"""Each open enquiry's response date appears in the councillor's private calendar feed, and
moves or leaves when the enquiry is extended or resolved."""

from __future__ import annotations

import datetime as dt

import icalendar
from enquiry_people import seed_enquiry_people
from sqlalchemy import select

from kdc_core.calendar import feed_tokens
from kdc_core.calendar.feed_tokens import FeedOwner, OwnerKind
from kdc_core.db.people import CouncillorRow
from kdc_core.enquiries import service
from kdc_core.enquiries.values import Constituent, NewEnquiry
from kdc_ical.feedserver import feed_server


def due_entries(body: bytes) -> dict[str, dt.date]:
    cal = icalendar.Calendar.from_ical(body)
    return {
        str(e["UID"]).split("@")[0]: e.decoded("DTSTART").date()
        for e in cal.walk("VEVENT")
        if str(e["SUMMARY"]).startswith("Enquiry ")
    }


def test_hook_kdc_councillor_feed_events_puts_due_dates_in_the_private_feed(kdc_app):
    seed_enquiry_people(kdc_app)
    today = dt.datetime.now(dt.UTC)
    new = NewEnquiry(
        councillors=("Ann Smith", "Bob Jones"), ward="Almondbury", category="general",
        service="Highways", description="Flooded underpass", received_at=today,
        constituent=Constituent("Pat Resident"),
    )  # fmt: skip
    with kdc_app.unit_of_work() as uow:
        made = service.create(uow, new, "clerk")
        ann, cat = (
            uow.session.scalar(select(CouncillorRow).where(CouncillorRow.name == name))
            for name in ("Ann Smith", "Cat Lee")
        )
        token = feed_tokens.issue(uow, FeedOwner(OwnerKind.COUNCILLOR, ann.id, ann.name)).token
        other = feed_tokens.issue(uow, FeedOwner(OwnerKind.COUNCILLOR, cat.id, cat.name)).token
        window_start, window_end = today - dt.timedelta(days=1), today + dt.timedelta(days=90)
    answers = kdc_app.pm.hook.kdc_councillor_feed_events(
        councillor_id=ann.id, start=window_start, end=window_end, kdc=kdc_app
    )
    [entry] = [e for answer in answers for e in answer]
    assert entry.title == f"Enquiry {made.reference} response due"
    assert "Hana Road" in entry.description and "Pat" not in entry.description

    server = feed_server(kdc_app)
    feed = server.councillor(token)
    assert due_entries(feed.body) == {f"enquiry-{made.reference}": made.respond_by}
    assert b"Pat Resident" not in feed.body
    assert due_entries(server.councillor(other).body) == {}

    with kdc_app.unit_of_work() as uow:
        moved = service.extend(uow, made.reference, "Waiting for a pump", "hana")
    assert due_entries(server.councillor(token).body) == {
        f"enquiry-{made.reference}": moved.respond_by
    }
    with kdc_app.unit_of_work() as uow:
        service.update_status(uow, made.reference, "resolved", "hana")
    assert due_entries(server.councillor(token).body) == {}
