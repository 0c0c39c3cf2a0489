"""``kdc enquiries digest`` builds each councillor's week and hands it to plugins."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from enquiry_people import seed_enquiry_people

from kdc_core import hookimpl
from kdc_core.enquiries import service
from kdc_core.enquiries.values import NewEnquiry


class Outbox:
    """A plugin that keeps the digests it is given, as a mail plugin would send them."""

    def __init__(self) -> None:
        self.sent: list = []

    @hookimpl
    def kdc_enquiry_weekly_digest(self, digests, kdc):
        self.sent.append(list(digests))


OUTBOX = Outbox()


@pytest.fixture
def kdc_extra_plugins():
    OUTBOX.sent.clear()
    return [("outbox", OUTBOX)]


def enquiry(day: str, councillors=("Ann Smith",), ward="Almondbury") -> NewEnquiry:
    return NewEnquiry(
        councillors=councillors, ward=ward, category="general", service="Waste",
        description="Bins", received_at=dt.datetime.fromisoformat(f"{day}T09:00:00+00:00"),
    )  # fmt: skip


def test_hook_kdc_enquiry_weekly_digest_gets_each_councillors_week(kdc_app, kdc_run):
    seed_enquiry_people(kdc_app)
    with kdc_app.unit_of_work() as uow:
        late = service.create(uow, enquiry("2026-10-01"), "t").reference  # due 2026-10-15
        due = service.create(uow, enquiry("2026-11-09", ("Ann Smith", "Bob Jones")), "t")
        later = service.create(uow, enquiry("2026-11-20"), "t").reference  # due 2026-12-04
        done = service.create(uow, enquiry("2026-11-02"), "t").reference
        service.update_status(uow, done, "resolved", "t")
        service.create(uow, enquiry("2026-11-10", ("Cat Lee",), "Dalton"), "t")
    assert due.respond_by == dt.date(2026, 11, 23)
    result = kdc_run("enquiries", "digest", "--week-of", "2026-11-25", "--json")
    assert result.exit_code == 0, result.output
    [digests] = OUTBOX.sent
    assert [d.councillor for d in digests] == ["Ann Smith", "Bob Jones", "Cat Lee"]
    ann = digests[0]
    assert ann.week_start == dt.date(2026, 11, 23)
    assert {e.reference for e in ann.open} == {late, due.reference, later}
    assert [e.reference for e in ann.due_this_week] == [due.reference]
    assert [e.reference for e in ann.overdue] == [late]
    assert [e.reference for e in digests[1].open] == [due.reference]
    printed = json.loads(result.output)
    assert printed["digests"][0] == {
        "councillor": "Ann Smith",
        "open": 3,
        "due_this_week": [due.reference],
        "overdue": [late],
    }
