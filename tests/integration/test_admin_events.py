"""The admin's events view: local times, clash warnings by name, cancel instead of delete."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from event_people import local, meeting, seed_cast, walkabout
from sqlalchemy import func, select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, form_fields, log_in
from kdc_core import hookimpl
from kdc_core.calendar.events import create_event, update_event
from kdc_core.calendar.values import EventKind, EventStatus, EventTimesError
from kdc_core.changes import Action
from kdc_core.db import EventRow


class Recorder:
    """Keeps every change set ``kdc_changes_committed`` hands to plugins."""

    def __init__(self):
        self.seen = []

    @hookimpl
    def kdc_changes_committed(self, changes, kdc):
        self.seen.append(changes)


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def kdc_extra_plugins(recorder):
    return [("recorder", recorder)]


@pytest.fixture
def cast(kdc_app):
    with kdc_app.unit_of_work() as uow:
        cast = seed_cast(uow)
        create_event(uow, meeting("Standards Committee", local(2027, 4, 30, 13, 30)))
    return cast


@pytest.fixture
def client(kdc_app, cast):
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()


def _walkabout_form(client, cast, token_from="/admin/event/new/", **overrides):
    data = {
        "kind": "walkabout",
        "title": "Dalton walkabout",
        "start": "2027-04-30 14:00:00",
        "end": "2027-04-30 16:00:00",
        "location": "Dalton Library",
        "description": "",
        "committee": "",
        "wards": [str(cast.dalton)],
        "councillors": [str(cast.ann), str(cast.bob)],
        "officers": str(cast.olu),
        "status": "confirmed",
        "csrf_token": csrf_token(client, token_from),
    }
    data.update(overrides)
    return data


def _walkabouts(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return uow.events.query(kinds=[EventKind.WALKABOUT])


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_creating_an_event_stores_local_times_and_warns_of_clashes_by_name(client, kdc_app, cast):
    log_in(client, "liaison@example.gov.uk")
    response = client.post(
        "/admin/event/new/", data=_walkabout_form(client, cast), follow_redirects=True
    )
    assert response.status_code == 200
    page = _text(response)
    assert "Clash warning (1 clash)" in page
    assert (
        "Fri 30 Apr 2027 14:00–15:30 BST: Dalton walkabout clashes with council meeting "
        "Standards Committee for Cllr Ann Lee" in page
    )
    (walk,) = _walkabouts(kdc_app)
    assert walk.start == dt.datetime(2027, 4, 30, 13, 0, tzinfo=dt.UTC)  # BST
    assert walk.councillor_ids == tuple(sorted((cast.ann, cast.bob)))
    assert walk.officer_ids == (cast.olu,) and walk.ward_ids == (cast.dalton,)
    assert walk.sequence == 0 and walk.uid.endswith("@127.0.0.1")
    assert walk.timezone == "Europe/London"


def test_changing_invitees_checks_again_but_a_new_location_does_not(client, kdc_app, cast):
    log_in(client, "liaison@example.gov.uk")
    client.post("/admin/event/new/", data=_walkabout_form(client, cast, councillors=[]))
    (walk,) = _walkabouts(kdc_app)
    url = f"/admin/event/edit/?id={walk.id}"
    form = form_fields(client.get(url).get_data(as_text=True), "title")
    assert form["start"] == "2027-04-30 14:00:00"  # shown in local time

    form["location"] = "Dalton Community Centre"
    # Nobody is invited yet, and a browser sends nothing for an empty multiple select.
    form.pop("councillors")
    quiet = client.post(url, data=form, follow_redirects=True)
    assert "Clash warning" not in _text(quiet)

    form = form_fields(client.get(url).get_data(as_text=True), "title")
    data = {**form, "councillors": [str(cast.ann)]}
    loud = client.post(url, data=data, follow_redirects=True)
    assert "Standards Committee for Cllr Ann Lee" in _text(loud)
    (after,) = _walkabouts(kdc_app)
    assert after.location == "Dalton Community Centre" and after.councillor_ids == (cast.ann,)
    assert after.start == walk.start  # the local-time round trip left the time alone
    assert after.sequence == 1  # the location change; invitees do not bump it


def test_an_event_that_ends_before_it_starts_is_refused(client, kdc_app, cast):
    log_in(client, "liaison@example.gov.uk")
    data = _walkabout_form(client, cast, end="2027-04-30 13:00:00")
    response = client.post("/admin/event/new/", data=data, follow_redirects=True)
    assert "The event must end after it starts." in _text(response)
    assert _walkabouts(kdc_app) == []


def test_cancel_keeps_the_event_and_raises_its_sequence(client, kdc_app, cast):
    log_in(client, "liaison@example.gov.uk")
    client.post("/admin/event/new/", data=_walkabout_form(client, cast))
    (walk,) = _walkabouts(kdc_app)
    response = client.post(
        "/admin/event/action/",
        data={
            "action": "cancel",
            "rowid": [str(walk.id)],
            "csrf_token": csrf_token(client, "/admin/event/"),
        },
        follow_redirects=True,
    )
    assert "Cancelled 1 event(s)." in _text(response)
    (after,) = _walkabouts(kdc_app)
    assert after.status == EventStatus.CANCELLED and after.sequence == walk.sequence + 1
    assert after.cancelled_at is not None


def test_a_viewer_reads_events_but_cannot_create_or_cancel(client, kdc_app, cast):
    log_in(client, "viewer@example.gov.uk")
    listing = client.get("/admin/event/")
    assert listing.status_code == 200 and "Standards Committee" in _text(listing)
    assert "Friday 30 April 2027, 1:30pm" in _text(listing)  # local time in the list
    data = _walkabout_form(client, cast, token_from="/admin/event/")
    token = data["csrf_token"]
    assert client.post("/admin/event/new/", data=data).status_code == 403
    with kdc_app.unit_of_work(dry_run=True) as uow:
        first = uow.session.scalar(select(EventRow.id))
        refused = client.post(
            "/admin/event/action/",
            data={"action": "cancel", "rowid": [str(first)], "csrf_token": token},
        )
        assert refused.status_code == 403
        assert uow.session.scalar(select(func.count()).select_from(EventRow)) == 1


def _shape(change):
    return (change.entity, change.action, change.key, change.label, change.fields)


def test_admin_saves_go_through_the_service_and_notify_once_like_the_cli(
    client, kdc_app, cast, recorder
):
    log_in(client, "liaison@example.gov.uk")
    recorder.seen.clear()
    client.post("/admin/event/new/", data=_walkabout_form(client, cast, councillors=[]))
    (walk,) = _walkabouts(kdc_app)
    assert [[(c.entity, c.action, c.key) for c in s] for s in recorder.seen] == [
        [("event", Action.ADDED, walk.id)]
    ]

    url = f"/admin/event/edit/?id={walk.id}"
    form = form_fields(client.get(url).get_data(as_text=True), "title")
    form.pop("councillors")
    form["location"] = "Dalton Community Centre"
    form["councillors"] = [str(cast.bob)]
    assert client.post(url, data=form).status_code == 302
    assert len(recorder.seen) == 2
    (admin_change,) = recorder.seen[1].changes
    assert admin_change.source == "admin:liaison@example.gov.uk"
    assert admin_change.fields == ("councillors", "location", "sequence")

    with kdc_app.unit_of_work(source="cli") as uow:
        update_event(uow, walk.id, location="Dalton Library", councillor_ids=(cast.ann,))
    assert len(recorder.seen) == 3
    (cli_change,) = recorder.seen[2].changes
    assert type(recorder.seen[2]) is type(recorder.seen[1])
    assert _shape(cli_change) == _shape(admin_change) and cli_change.source == "cli"


def test_an_admin_edit_is_refused_with_the_services_own_message(client, kdc_app, cast, recorder):
    """The admin holds no copy of the rule: the form shows what update_event says."""
    with kdc_app.unit_of_work() as uow:
        walk = create_event(uow, walkabout(cast.dalton, local(2027, 4, 30, 14)))
    start, end = local(2027, 4, 30, 14), local(2027, 4, 30, 13)
    with pytest.raises(EventTimesError) as refused, kdc_app.unit_of_work(dry_run=True) as uow:
        update_event(uow, walk.id, start=start, end=end)
    log_in(client, "liaison@example.gov.uk")
    recorder.seen.clear()
    url = f"/admin/event/edit/?id={walk.id}"
    form = form_fields(client.get(url).get_data(as_text=True), "title")
    form["end"] = f"{end:%Y-%m-%d %H:%M:%S}"
    page = _text(client.post(url, data=form, follow_redirects=True))
    assert str(refused.value) in page
    assert "'Ward walkabout' ends Fri 30 Apr 2027 13:00 BST" in page
    assert recorder.seen == []
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.events.get(walk.id) == walk


def test_an_event_saved_as_cancelled_in_the_admin_records_when(client, kdc_app, cast):
    log_in(client, "liaison@example.gov.uk")
    client.post("/admin/event/new/", data=_walkabout_form(client, cast, status="cancelled"))
    (walk,) = _walkabouts(kdc_app)
    assert walk.cancelled and walk.cancelled_at is not None and walk.sequence == 0
