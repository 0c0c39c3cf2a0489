"""The protocol in the admin: event saves run the rules; the dashboard lists open findings."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from event_people import local, seed_cast

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, form_fields, log_in
from kdc_core.calendar.events import create_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.protocol import complaints as complaint_log
from kdc_core.protocol.meetings import mark_political
from kdc_core.protocol.service import open_findings


@pytest.fixture
def cast(kdc_app):
    with kdc_app.unit_of_work() as uow:
        return seed_cast(uow)


@pytest.fixture
def client(kdc_app, cast):
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_saving_a_public_meeting_that_leaves_out_a_ward_councillor_warns_by_name(
    client, kdc_app, cast
):
    log_in(client, "liaison@example.gov.uk")
    data = {
        "kind": "ward_solution_meeting",
        "title": "Dalton: flooding on Long Lane",
        "start": "2027-04-30 18:00:00",
        "end": "2027-04-30 20:00:00",
        "location": "Dalton Library",
        "wards": [str(cast.dalton)],
        "councillors": [str(cast.ann)],
        "public": "y",
        "status": "confirmed",
        "csrf_token": csrf_token(client, "/admin/event/new/"),
    }
    page = _text(client.post("/admin/event/new/", data=data, follow_redirects=True))
    assert "Protocol 7.4 (warning): Public meeting about Dalton does not invite Bob Hall." in page
    dashboard = _text(client.get("/admin/protocol/"))
    assert 'data-clause="7.4"' in dashboard and "Invite Bob Hall" in dashboard


def test_an_error_refuses_the_admin_save_until_a_reason_is_given(client, kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        start = local(2027, 5, 4, 19)
        event = create_event(
            uow,
            NewEvent(
                EventKind.OTHER, "Dalton branch meeting", start, start + dt.timedelta(hours=1)
            ),
        )
        mark_political(uow, event.id, "ward")
    log_in(client, "liaison@example.gov.uk")
    url = f"/admin/event/edit/?id={event.id}"
    form = form_fields(client.get(url).get_data(as_text=True), "title")
    form["officers"] = str(cast.olu)
    page = _text(client.post(url, data=form, follow_redirects=True))
    assert "the member–officer protocol blocks this change" in page and "7.5" in page
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.events.get(event.id).officer_ids == ()

    form["csrf_token"] = csrf_token(client, url)
    form["protocol_override"] = "Attends to explain the flood scheme at the chair's request"
    client.post(url, data=form, follow_redirects=True)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.events.get(event.id).officer_ids == (cast.olu,)
        [found] = open_findings(uow, "event", event.id)
    assert found.finding.clause == "7.5"
    assert found.override_reason.startswith("Attends to explain")
    assert found.overridden_by == "admin:liaison@example.gov.uk"


def test_protocol_pages_are_behind_the_login_and_viewers_cannot_run_the_check(
    client, kdc_app, cast
):
    assert client.get("/admin/protocol/").status_code == 302
    with kdc_app.unit_of_work() as uow:
        complaint_log.open_complaint(uow, cast.ann, "Shouting <at> reception", dt.date(2027, 1, 5))
    log_in(client, "viewer@example.gov.uk")
    guide = _text(client.get("/admin/protocol/guide?audience=officer"))
    assert "(7.5)" in guide and "(5.3)" not in guide
    scenarios = client.get("/admin/protocol/scenarios").get_data(as_text=True)
    assert scenarios.count('id="scenario-') == 6
    assert client.get("/admin/complaints/").status_code == 403  # complaints: admins only
    token = csrf_token(client, "/admin/protocol/")
    assert client.post("/admin/protocol/check", data={"csrf_token": token}).status_code == 403


def test_an_editor_runs_the_whole_database_check_from_the_dashboard(client, kdc_app, cast):
    log_in(client, "liaison@example.gov.uk")
    token = csrf_token(client, "/admin/protocol/")
    response = client.post(
        "/admin/protocol/check", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Protocol check done: 0 open finding(s)." in _text(response)
