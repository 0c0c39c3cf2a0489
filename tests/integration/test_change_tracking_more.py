"""Enquiries, briefings, success stories and protocol data reach ``kdc_changes_committed`` like
people and wards do; an enquiry's change never carries its constituent's details."""

from __future__ import annotations

import datetime as dt
import gc

import pytest
from enquiry_people import seed_enquiry_people
from event_people import local, seed_cast, walkabout
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, form_fields, log_in
from kdc_core import hookimpl
from kdc_core.briefings.service import post_briefing
from kdc_core.calendar.events import create_event, update_event
from kdc_core.changes import Action, Change
from kdc_core.db import Base, WardRow, tracking
from kdc_core.db.enquiries import EnquiryRow
from kdc_core.db.newsletters import BriefingRow, SuccessStoryRow
from kdc_core.enquiries import retention, service
from kdc_core.enquiries.values import Constituent, NewEnquiry, Status
from kdc_core.protocol.complaints import Stage, close_complaint, escalate, open_complaint
from kdc_core.protocol.document import packaged_document
from kdc_core.protocol.meetings import adopt, mark_political

TODAY = dt.date.today()
PAT = Constituent("Pat Resident", "pat.resident@example.org", "01484 765432", "1 Long Lane")


class Listener:
    def __init__(self) -> None:
        self.seen: list = []

    @hookimpl
    def kdc_changes_committed(self, changes, kdc):
        self.seen.append(changes)

    def changes(self) -> list[Change]:
        return [c for changes in self.seen for c in changes]


@pytest.fixture
def listener():
    return Listener()


@pytest.fixture
def kdc_extra_plugins(listener):
    return [("listener", listener)]


@pytest.fixture
def council(kdc_app, listener):
    seed_enquiry_people(kdc_app)
    listener.seen.clear()
    return kdc_app


def new_enquiry(constituent: Constituent = PAT, **kw) -> NewEnquiry:
    return NewEnquiry(
        councillors=("Ann Smith", "Bob Jones"),
        ward="Almondbury",
        category="general",
        service="Highways",
        description=kw.pop("description", "Pothole outside 1 Long Lane"),
        received_at=dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC),
        constituent=constituent,
        joint_officers=("Dev Default",),
        **kw,
    )


def test_creating_an_enquiry_reports_it_added_under_its_reference(council, listener):
    with council.unit_of_work(source="cli") as uow:
        enquiry = service.create(uow, new_enquiry(), actor="test")
        enquiry_id = service.store.enquiry_row(uow.session, enquiry.reference).id
    (changes,) = listener.seen
    # Its councillors and joint officer are part of the new enquiry; audit rows are a log.
    assert changes.summary() == {"enquiry": {"added": 1}}
    (change,) = changes
    assert (change.entity, change.action, change.key) == ("enquiry", Action.ADDED, enquiry_id)
    assert change.label == enquiry.reference == "KE-2027-000001"
    assert change.source == "cli"


def test_status_changes_extensions_and_notes_report_the_field_names(council, listener):
    with council.unit_of_work() as uow:
        reference = service.create(uow, new_enquiry(), actor="test").reference
    with council.unit_of_work(source="cli") as uow:
        service.update_status(uow, reference, Status.ACKNOWLEDGED, actor="test")
    (change,) = listener.seen[-1]
    assert (change.entity, change.action, change.label) == ("enquiry", Action.UPDATED, reference)
    assert change.fields == ("acknowledged_at", "status")

    with council.unit_of_work() as uow:
        service.update_status(
            uow, reference, Status.IN_PROGRESS, actor="test", note="Called Pat Resident back"
        )
    (change,) = listener.seen[-1]
    assert change.fields == ("notes", "status")

    with council.unit_of_work() as uow:
        service.extend(uow, reference, reason="Waiting for a contractor", actor="test")
    (change,) = listener.seen[-1]
    assert change.fields == (
        "extension_reason",
        "extension_stage",
        "notes",
        "respond_by",
        "status",
    )

    with council.unit_of_work() as uow:
        service.add_note(uow, reference, "Spoke to the contractor", actor="test")
    (change,) = listener.seen[-1]
    assert (change.action, change.fields) == (Action.UPDATED, ("notes",))


def test_no_change_to_an_enquiry_carries_the_constituents_details(council, listener):
    """Create, edit the constituent's details, note, close and anonymise: the name, email,
    phone, address and description never appear in a change, only field names do."""
    with council.unit_of_work() as uow:
        reference = service.create(uow, new_enquiry(), actor="Pat Resident").reference
    with council.unit_of_work() as uow:
        row = uow.session.scalars(select(EnquiryRow)).one()
        row.constituent_name = "Patricia Resident"
        row.constituent_address = "2 Long Lane, Almondbury"
        row.constituent_email = "patricia@example.org"
    with council.unit_of_work() as uow:
        service.update_status(
            uow, reference, Status.RESOLVED, actor="test", note="Told Pat Resident it is fixed"
        )
        service.update_status(uow, reference, Status.CLOSED, actor="test")
    with council.unit_of_work() as uow:
        now = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
        retention.anonymise(uow, retention.due_for_anonymising(uow, now), "retention", now)

    changes = listener.changes()
    assert [(c.entity, c.action) for c in changes] == [
        ("enquiry", Action.ADDED),
        ("enquiry", Action.UPDATED),
        ("enquiry", Action.UPDATED),
        ("enquiry", Action.UPDATED),
    ]
    assert {c.label for c in changes} == {reference}
    assert changes[1].fields == ("constituent_address", "constituent_email", "constituent_name")
    assert "anonymised_at" in changes[3].fields
    personal = (
        "Pat",
        "Patricia",
        "Resident",
        "pat.resident@example.org",
        "patricia@example.org",
        "765432",
        "Long Lane",
        "Pothole",
    )
    for change in changes:
        text = " ".join([repr(change), change.label, *change.fields]).lower()
        for value in personal:
            assert value.lower() not in text, (value, change)


def test_an_enquiry_label_is_its_reference_even_if_its_str_changes(council, listener, monkeypatch):
    """The label does not rest on ``str(row)``, which the admin might one day want richer."""
    monkeypatch.setattr(
        EnquiryRow, "__str__", lambda row: f"{row.reference} {row.constituent_name}"
    )
    with council.unit_of_work() as uow:
        reference = service.create(uow, new_enquiry(), actor="test").reference
    (change,) = listener.seen[-1]
    assert change.label == reference


def test_posting_a_briefing_reports_it_and_a_ward_change_names_the_wards(council, listener):
    with council.unit_of_work(source="cli") as uow:
        briefing = post_briefing(
            uow,
            wards=["Almondbury"],
            title="New crossing on Long Lane",
            body="Consultation opens next month.",
            public_on=TODAY + dt.timedelta(days=14),
            service="Highways",
        )
    (change,) = listener.seen[-1]
    assert (change.entity, change.action, change.key) == ("briefing", Action.ADDED, briefing.id)
    assert (change.label, change.source) == ("New crossing on Long Lane", "cli")

    with council.unit_of_work() as uow:
        row = uow.session.get(BriefingRow, briefing.id)
        dalton = uow.session.scalars(select(WardRow).where(WardRow.name == "Dalton")).one()
        row.wards.append(dalton)
    (change,) = listener.seen[-1]
    assert (change.entity, change.action, change.fields) == ("briefing", Action.UPDATED, ("wards",))

    with council.unit_of_work() as uow:
        row = uow.session.get(BriefingRow, briefing.id)
        row.wards = list(row.wards)  # the same wards again: not a change
    assert len(listener.seen) == 2


def test_a_success_story_edited_in_the_admin_reports_the_fields(council, listener):
    with council.unit_of_work(source="cli") as uow:
        story = SuccessStoryRow(
            title="Park reopened", body="New paths.", published_on=dt.date(2027, 3, 4)
        )
        uow.session.add(story)
        uow.session.flush()
        story_id = story.id
    (change,) = listener.seen[-1]
    assert (change.entity, change.action, change.key) == ("success_story", Action.ADDED, story_id)
    assert change.label == "Park reopened"

    add_user(council, "lia@example.gov.uk", "liaison")
    client = create_app(council, SECRET_KEY=TEST_SECRET).test_client()
    log_in(client, "lia@example.gov.uk")
    url = f"/admin/success_story/edit/?id={story_id}"
    data = form_fields(client.get(url).get_data(as_text=True), "title")
    data["title"] = "Greenhead Park reopened"
    data["body"] = "New paths and a café."
    saved = client.post(url, data=data)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    (change,) = listener.seen[-1]
    assert (change.entity, change.action, change.key) == (
        "success_story",
        Action.UPDATED,
        story_id,
    )
    assert change.fields == ("body", "title")
    assert change.label == "Greenhead Park reopened"
    assert change.source == "admin:lia@example.gov.uk"


def test_rolled_back_enquiries_briefings_and_stories_report_nothing(council, listener):
    with pytest.raises(RuntimeError), council.unit_of_work() as uow:
        service.create(uow, new_enquiry(), actor="test")
        post_briefing(
            uow,
            wards=["Dalton"],
            title="Bin day moves",
            body="From April.",
            public_on=TODAY + dt.timedelta(days=7),
        )
        uow.session.add(SuccessStoryRow(title="x", body="y", published_on=TODAY))
        uow.session.flush()
        assert uow.collect().summary() == {
            "enquiry": {"added": 1},
            "briefing": {"added": 1},
            "success_story": {"added": 1},
        }
        raise RuntimeError("abandon")
    assert listener.seen == []
    with council.unit_of_work(dry_run=True) as uow:
        assert uow.session.scalars(select(EnquiryRow)).all() == []


def test_complaints_are_reported_by_id_and_their_stages_as_a_field(kdc_app, listener):
    with kdc_app.unit_of_work() as uow:
        cast = seed_cast(uow)
    listener.seen.clear()
    with kdc_app.unit_of_work(source="cli") as uow:
        complaint = open_complaint(
            uow, cast.ann, "Shouted at Olu Ade in a meeting", dt.date(2027, 2, 1), cast.olu
        )
    (change,) = listener.seen[-1]
    assert (change.entity, change.action, change.key) == ("complaint", Action.ADDED, complaint.id)
    assert change.label == f"complaint {complaint.id}"

    with kdc_app.unit_of_work() as uow:
        escalate(uow, complaint.id, Stage.MONITORING_OFFICER, dt.date(2027, 3, 1), "No apology")
    (change,) = listener.seen[-1]
    assert (change.action, change.fields) == (Action.UPDATED, ("stages",))

    with kdc_app.unit_of_work() as uow:
        close_complaint(uow, complaint.id, dt.date(2027, 4, 1), "Apology given")
    (change,) = listener.seen[-1]
    assert change.fields == ("closed_on", "outcome", "stages")
    for change in listener.changes():
        text = repr(change).lower()
        assert "ann lee" not in text and "olu" not in text and "shouted" not in text


def test_marking_a_political_meeting_and_relinking_wards_update_the_event(kdc_app, listener):
    with kdc_app.unit_of_work() as uow:
        cast = seed_cast(uow)
        event = create_event(uow, walkabout(cast.dalton, local(2027, 6, 2, 10)))
    listener.seen.clear()
    with kdc_app.unit_of_work() as uow:
        mark_political(uow, event.id, "ward")
    (change,) = listener.seen[-1]
    assert (change.entity, change.action, change.key) == ("event", Action.UPDATED, event.id)
    assert change.fields == ("political_meeting",)

    with kdc_app.unit_of_work() as uow:
        update_event(uow, event.id, ward_ids=[cast.dalton, cast.almondbury])
    (change,) = listener.seen[-1]
    assert change.entity == "event" and "wards" in change.fields


def test_adopting_a_protocol_version_is_reported(kdc_app, listener):
    protocol, document = packaged_document()
    with kdc_app.unit_of_work(source="cli") as uow:
        adopt(uow, protocol, document)
    (change,) = listener.seen[-1]
    assert (change.entity, change.action) == ("protocol_version", Action.ADDED)
    assert change.label == f"protocol {protocol.version}"


def test_a_new_session_factory_is_tracked_even_where_an_old_one_was_collected(tmp_path):
    """SQLAlchemy's event registry is keyed by ``id()``: a factory made where a collected one
    used to be looked tracked already, and its sessions recorded nothing."""
    engine = create_engine(f"sqlite:///{tmp_path / 'kdc.db'}")
    Base.metadata.create_all(engine, tables=[WardRow.__table__])
    # Leave the rest of the session's heap out of the collections below: each would walk it
    # all (over a second apiece in a full run); what this test makes is still collected.
    gc.freeze()
    try:
        for n in range(50):
            factory = sessionmaker(engine)
            tracking.track(factory)
            with factory() as session:
                session.add(WardRow(name=f"Ward {n}", slug=f"ward-{n}"))
                session.flush()
                assert tracking.collected(session).count("ward", Action.ADDED) == 1, n
                session.rollback()
            del factory
            gc.collect()
    finally:
        gc.unfreeze()
        engine.dispose()


def test_a_ward_contact_set_by_ids_alone_is_labelled_by_service_and_ward(council, listener):
    from kdc_core.db.people import OfficerRow, ServiceRow, WardContactRow

    with council.unit_of_work(source="admin:liaison@example.gov.uk") as uow:
        ward = uow.session.scalar(select(WardRow).where(WardRow.name == "Almondbury"))
        taken = {c.service_id for c in uow.session.scalars(select(WardContactRow))}
        free = uow.session.scalars(select(ServiceRow).where(ServiceRow.id.not_in(taken))).first()
        officer = uow.session.scalars(select(OfficerRow)).first()
        assert ward is not None and free is not None and officer is not None
        ward_id, service_id, name = ward.id, free.id, free.name
        uow.session.expunge_all()  # as a form post does: ids only, nothing loaded
        uow.session.add(
            WardContactRow(ward_id=ward_id, service_id=service_id, officer_id=officer.id)
        )
    (change,) = [c for c in listener.changes() if c.entity == "ward_contact"]
    assert change.action == Action.ADDED
    assert change.label == f"service {service_id} contact for ward {ward_id}"
    with council.unit_of_work(dry_run=True) as uow:
        row = uow.session.scalar(
            select(WardContactRow).where(WardContactRow.service_id == service_id)
        )
        assert str(row) == f"{name} contact for Almondbury"
