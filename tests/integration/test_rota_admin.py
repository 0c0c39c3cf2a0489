"""The rota grid in the admin: everyone signed in sees it; only editors apply it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in
from kdc_core.calendar.rota.service import record_unavailability
from kdc_core.db import EventRow

LONDON = ZoneInfo("Europe/London")
GRID = "/admin/rota/?year=2027"


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
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


def _rota_events(kdc_app) -> int:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return uow.session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.source == "rota")
        )


def test_the_grid_shows_every_ward_by_quarter_with_dates_and_officers_to_a_viewer(app, kdc_app):
    assert app.test_client().get(GRID).status_code == 302  # to the login page
    viewer = _client(app, "viewer@example.gov.uk")
    page = viewer.get(GRID)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "92 of 92 walkabouts placed" in html and "92 differ from what is stored" in html
    assert len(re.findall(r'<tr id="ward-', html)) == 23
    assert len(re.findall(r'data-quarter="Q[1-4]"', html)) == 92
    almondbury = html.split('id="ward-almondbury"')[1].split("</tr>")[0]
    assert "Fri 19 Mar" in almondbury and "10:00am to 12:00pm" in almondbury
    assert "Highways: " in almondbury and "not applied yet" in almondbury
    assert "Apply the 2027 rota" not in html, "a viewer gets no Apply button"
    token = csrf_token(viewer, GRID)  # the sign-out form's: valid for any POST this session
    refused = viewer.post("/admin/rota/apply", data={"year": "2027", "csrf_token": token})
    assert refused.status_code == 403
    assert _rota_events(kdc_app) == 0


def test_a_liaison_officer_applies_the_rota_and_the_grid_then_shows_it_applied(app, kdc_app):
    liaison = _client(app, "liaison@example.gov.uk")
    html = liaison.get(GRID).get_data(as_text=True)
    assert "Apply the 2027 rota" in html
    missing_token = liaison.post("/admin/rota/apply", data={"year": "2027"})
    assert missing_token.status_code == 400 and _rota_events(kdc_app) == 0
    token = csrf_token(liaison, GRID)
    done = liaison.post("/admin/rota/apply", data={"year": "2027", "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/rota/?year=2027")
    assert _rota_events(kdc_app) == 92
    after = liaison.get(GRID).get_data(as_text=True)
    assert "Applied the 2027 rota: 92 created, 0 updated, 0 unchanged, 0 cancelled." in after
    assert "Everything shown is applied." in after and "Apply the 2027 rota" not in after

    with kdc_app.unit_of_work() as uow:
        highways = uow.people.officers(service_id=uow.people.service_row("Highways").id)
        for officer in highways:
            record_unavailability(
                uow,
                officer.person_id,
                dt.datetime(2027, 1, 1, tzinfo=LONDON),
                dt.datetime(2027, 4, 1, tzinfo=LONDON),
                "winter gritting",
            )
    marked = liaison.get(GRID).get_data(as_text=True)
    assert "69 of 92 walkabouts placed" in marked
    unplaced = re.findall(r'class="small table-danger kdc-unplaced" data-quarter="(Q\d)"', marked)
    assert unplaced == ["Q1"] * 23
    assert marked.count("no Highways officer is free in any of the 61 slots") == 23
    assert marked.count("its stored walkabout would be cancelled") == 23


@pytest.mark.parametrize("kdc_template", ["schema"])  # an empty council, not the demo
def test_the_grid_explains_why_there_is_no_plan(kdc_app):
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    app = create_app(kdc_app, SECRET_KEY=TEST_SECRET)
    viewer = _client(app, "viewer@example.gov.uk")
    html = viewer.get(GRID).get_data(as_text=True)
    assert "no service is ward-facing, so the rota has nobody to send" in html
