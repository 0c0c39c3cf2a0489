"""One contract for every casework backend: the SQL backend and the REST backend (talking to
a local server that implements the JSON API of docs/enquiries-api.md) pass the same tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from enquiry_people import seed_enquiry_people

from kdc_core.enquiries.backends import CaseworkBackend, SqlBackend
from kdc_core.enquiries.rest import RestBackend
from kdc_core.enquiries.service import EnquiryError
from kdc_core.enquiries.values import KEPT_ELSEWHERE, Constituent, NewEnquiry, Status
from kdc_core.errors import NotFound
from kdc_core.testing.casework_api import serve


@pytest.fixture(params=["sql", "rest"])
def backend(request, kdc_app) -> Iterator[CaseworkBackend]:
    seed_enquiry_people(kdc_app)
    sql = SqlBackend(kdc_app)
    if request.param == "sql":
        yield sql
        return
    server = serve(sql)
    try:
        yield RestBackend(server.url)
    finally:
        server.shutdown()
        server.server_close()


def new(day: str = "2026-12-23", **kw) -> NewEnquiry:
    return NewEnquiry(
        councillors=kw.pop("councillors", ("Ann Smith", "Bob Jones")),
        ward=kw.pop("ward", "Almondbury"),
        category="general",
        service=kw.pop("service", "Highways"),
        description=kw.pop("description", "Blocked gully on Long Lane"),
        received_at=dt.datetime.fromisoformat(f"{day}T09:30:00+00:00"),
        constituent=Constituent("Pat Resident", "pat@example.org"),
        **kw,
    )


def test_create_returns_reference_due_dates_and_named_officer(backend):
    made = backend.create(new(info_public=True), actor="clerk")
    assert made.reference == "KE-2026-000001"
    assert (made.acknowledge_by, made.respond_by) == (dt.date(2026, 12, 24), dt.date(2027, 1, 11))
    assert made.officer == "Hana Road"
    assert made.councillors == ("Ann Smith", "Bob Jones")
    assert made.constituent == Constituent("Pat Resident", "pat@example.org")
    assert made.info_public is True and made.info_not_barred is None
    assert backend.get(made.reference) == made


def test_get_an_unknown_reference_is_not_found(backend):
    with pytest.raises(NotFound, match="KE-2026-999999"):
        backend.get("KE-2026-999999")


def test_create_with_an_unknown_ward_is_refused_naming_it(backend):
    with pytest.raises(NotFound, match="Nowhere"):
        backend.create(new(ward="Nowhere"), actor="clerk")


def test_status_changes_are_kept_and_audited(backend):
    ref = backend.create(new(), actor="clerk").reference
    backend.update_status(ref, "acknowledged", actor="hana")
    done = backend.update_status(ref, "in_progress", actor="hana", note="On site Monday")
    assert done.status is Status.IN_PROGRESS
    assert [(a.actor, a.new) for a in done.audit if a.field == "status"] == [
        ("clerk", "received"),
        ("hana", "acknowledged"),
        ("hana", "in_progress"),
    ]
    assert [n.body for n in done.notes] == ["On site Monday"]


def test_a_status_change_the_rules_forbid_is_refused(backend):
    ref = backend.create(new(), actor="clerk").reference
    with pytest.raises(EnquiryError, match="received → closed"):
        backend.update_status(ref, "closed", actor="hana")
    assert backend.get(ref).status is Status.RECEIVED


def test_extension_moves_the_due_date_and_records_the_reason(backend):
    ref = backend.create(new(), actor="clerk").reference
    first = backend.extend(ref, "Needs a contractor", actor="hana")
    second = backend.extend(ref, "Parts delayed", actor="hana", new_due=dt.date(2027, 3, 1))
    assert first.respond_by == dt.date(2027, 1, 25)
    assert (second.status, second.extension_stage, second.respond_by) == (
        Status.EXTENDED,
        2,
        dt.date(2027, 3, 1),
    )
    with pytest.raises(EnquiryError, match="both extensions"):
        backend.extend(ref, "Again", actor="hana")


def test_notes_are_added_in_order(backend):
    ref = backend.create(new(), actor="clerk").reference
    note = backend.add_note(ref, "Rang the resident", actor="hana")
    assert (note.author, note.body) == ("hana", "Rang the resident")
    backend.add_note(ref, "Job raised", actor="hana")
    assert [n.body for n in backend.get(ref).notes] == ["Rang the resident", "Job raised"]


def test_search_filters_by_status_ward_service_and_text(backend):
    a = backend.create(new(description="Fly-tipping behind the shops", service="Waste"), "c")
    b = backend.create(new(ward="Dalton", councillors=("Cat Lee",)), "c")
    backend.create(new(day="2026-12-24"), "c")
    backend.update_status(b.reference, "acknowledged", "c")
    assert [e.reference for e in backend.search(text="fly-tipping")] == [a.reference]
    assert [e.reference for e in backend.search(ward="Dalton")] == [b.reference]
    assert [e.reference for e in backend.search(status="acknowledged")] == [b.reference]
    assert [e.reference for e in backend.search(service="Waste")] == [a.reference]
    assert len(backend.search(limit=2)) == 2


def test_overdue_lists_open_enquiries_past_due_oldest_first(backend):
    old = backend.create(new(day="2026-10-01"), "c").reference
    older = backend.create(new(day="2026-09-01"), "c").reference
    done = backend.create(new(day="2026-09-01"), "c").reference
    backend.create(new(day="2026-11-19"), "c")
    backend.update_status(done, "resolved", "c")
    found = backend.overdue(dt.date(2026, 11, 20))
    assert [e.reference for e in found] == [older, old]
    assert all(e.respond_by < dt.date(2026, 11, 20) for e in found)


def test_a_change_says_what_it_queued_and_rest_leaves_messages_to_the_casework_system(backend):
    """No mailer here: the sql backend says nobody was told; the rest backend that the
    external system owns the messages. Assigning goes through sql only."""
    made = backend.create(new(), actor="clerk")
    assert made.told is not None
    if isinstance(backend, RestBackend):
        assert made.told == KEPT_ELSEWHERE
        with pytest.raises(EnquiryError, match="name the officer there"):
            backend.assign(made.reference, "Dev Default", "clerk")
    else:
        assert made.told.summary().startswith("Nobody was told: no mailer is configured")
        moved = backend.assign(made.reference, "Dev Default", "clerk", "Hana is away")
        assert moved.officer == "Dev Default"
