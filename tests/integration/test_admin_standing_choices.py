"""The admin pages for rota unavailability, services' default contacts and topic choices:
editors record and change them through the core's services (so the same rules refuse the same
mistakes), viewers read them, and each shows names and words."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape
from sqlalchemy import select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in, version_field
from kdc_core.db.enquiries import ServiceContactRow
from kdc_core.db.events import OfficerUnavailabilityRow
from kdc_core.db.newsletters import TopicChoiceRow
from kdc_core.db.people import CouncillorRow, OfficerRow, ServiceRow
from kdc_core.enquiries.routing import SERVICE_DEFAULT, route
from kdc_core.mail.topics import menu_of

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def kdc_template() -> str:
    return "demo"


@pytest.fixture
def app(kdc_app):
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


def _client(app, email):
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    return client


def _first(kdc_app, query):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return uow.session.execute(query.limit(1)).one()


def test_unavailability_is_recorded_in_local_time_and_a_backwards_span_is_refused(app, kdc_app):
    officer_id, given, family = _first(
        kdc_app,
        select(OfficerRow.id, OfficerRow.given_name, OfficerRow.family_name).order_by(
            OfficerRow.person_id
        ),
    )
    liaison = _client(app, "liaison@example.gov.uk")
    token = csrf_token(liaison, "/admin/unavailability/new/")
    form = {
        "csrf_token": token,
        "officer": str(officer_id),
        "start": "2027-07-05 09:00:00",
        "end": "2027-07-09 17:30:00",
        "reason": "Annual leave",
    }
    backwards = liaison.post("/admin/unavailability/new/", data={**form, "end": form["start"]})
    assert backwards.status_code == 200
    assert "ends before (or when) it starts" in backwards.get_data(as_text=True)
    saved = liaison.post("/admin/unavailability/new/", data=form)
    assert saved.status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        (row,) = uow.session.scalars(select(OfficerUnavailabilityRow)).all()
        assert row.officer_id == officer_id and row.reason == "Annual leave"
        assert row.start == dt.datetime(2027, 7, 5, 9, tzinfo=LONDON)  # 08:00 UTC, in BST
        assert row.end == dt.datetime(2027, 7, 9, 17, 30, tzinfo=LONDON)
        row_id = row.id

    viewer = _client(app, "viewer@example.gov.uk")
    listing = viewer.get("/admin/unavailability/").get_data(as_text=True)
    assert escape(f"{given} {family}") in listing
    assert "Monday 5 July 2027, 9:00am" in listing and "Friday 9 July 2027, 5:30pm" in listing
    refused = viewer.post(
        f"/admin/unavailability/edit/?id={row_id}",
        data={**form, "csrf_token": csrf_token(viewer, "/admin/unavailability/")},
    )
    assert refused.status_code == 403

    url = f"/admin/unavailability/edit/?id={row_id}"
    edit = liaison.post(url, data={**form, **version_field(liaison, url), "reason": "Training"})
    assert edit.status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.get(OfficerUnavailabilityRow, row_id).reason == "Training"


def test_one_default_contact_per_service_and_routing_uses_it(app, kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        service = uow.session.scalars(select(ServiceRow).order_by(ServiceRow.name)).first()
        first, second = uow.session.scalars(
            select(OfficerRow).order_by(OfficerRow.person_id).limit(2)
        ).all()
        service_id, service_name = service.id, service.name
        first_id, first_name, second_id, second_name = first.id, first.name, second.id, second.name
    liaison = _client(app, "liaison@example.gov.uk")
    token = csrf_token(liaison, "/admin/service_contact/new/")
    new = {"csrf_token": token, "service": str(service_id), "officer": str(first_id)}
    assert liaison.post("/admin/service_contact/new/", data=new).status_code == 302
    again = liaison.post("/admin/service_contact/new/", data={**new, "officer": str(second_id)})
    page = again.get_data(as_text=True)
    assert escape(f"{service_name} already has a default contact, {first_name}") in page

    listing = liaison.get("/admin/service_contact/").get_data(as_text=True)
    assert escape(service_name) in listing and escape(first_name) in listing
    url = f"/admin/service_contact/edit/?id={service_id}"
    edit = {"csrf_token": token, "officer": str(second_id), **version_field(liaison, url)}
    changed = liaison.post(url, data=edit)
    assert changed.status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.get(ServiceContactRow, service_id).officer_id == second_id
        ward_without = 10**6  # no ward has a named contact under this id
        assert route(uow.session, ward_without, service_id).routed_by == SERVICE_DEFAULT
    assert escape(second_name) in liaison.get("/admin/service_contact/").get_data(as_text=True)


def test_topic_choices_go_through_the_menu_and_read_as_words(app, kdc_app):
    (councillor_id,) = _first(
        kdc_app,
        select(CouncillorRow.id)
        .where(CouncillorRow.archived_at.is_(None))
        .order_by(CouncillorRow.name),
    )
    liaison = _client(app, "liaison@example.gov.uk")
    token = csrf_token(liaison, "/admin/topic_choice/new/")
    form = {"csrf_token": token, "councillor": str(councillor_id), "topic": "planning", "sms": "y"}
    unknown = liaison.post("/admin/topic_choice/new/", data={**form, "topic": "gossip"})
    assert unknown.status_code == 200 and "Not a valid choice" in unknown.get_data(as_text=True)
    assert liaison.post("/admin/topic_choice/new/", data=form).status_code == 302  # opted out
    with kdc_app.unit_of_work(dry_run=True) as uow:
        menu = menu_of(uow, councillor_id)
    assert "planning" not in menu.email and "planning" in menu.sms

    listing = liaison.get("/admin/topic_choice/").get_data(as_text=True)
    assert "Planning briefings" in listing and "Receives it" in listing
    url = f"/admin/topic_choice/edit/?id={councillor_id},planning"
    edit = {"csrf_token": token, "opted_in": "y", **version_field(liaison, url)}
    assert liaison.post(url, data=edit).status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        row = uow.session.get(TopicChoiceRow, (councillor_id, "planning"))
        assert row.opted_in and not row.sms
