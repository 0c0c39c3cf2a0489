"""The admin's enquiry categories page, and what logging an enquiry in the admin says about
categories, default services and councillors outside the ward."""

from __future__ import annotations

import pytest
from enquiry_people import seed_enquiry_people

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in
from kdc_core.enquiries import categories

LIST = "/admin/enquiry_categories/"
NEW = "/admin/enquiry_categories/new/"
LOG = "/admin/enquiry_log/"
GOOD = {
    "name": "Potholes",
    "acknowledge_days": "2",
    "respond_days": "5",
    "service": "",
    "retention_days": "730",
    "follow_up_days": "28",
    "active": "y",
}


@pytest.fixture
def app(kdc_app):
    seed_enquiry_people(kdc_app)
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


def client(app, email):
    c = app.test_client()
    assert log_in(c, email).status_code == 302
    return c


def names(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return [(c.name, c.respond_days, c.active) for c in categories.list_categories(uow)]


def test_viewers_read_the_categories_and_cannot_change_them(app, kdc_app):
    viewer = client(app, "viewer@example.gov.uk")
    page = viewer.get(LIST)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "General" in html and "Respond within (working days)" in html
    assert "Offered for new enquiries" in html and NEW not in html
    refused = viewer.post(NEW, data={**GOOD, "csrf_token": csrf_token(viewer, LIST)})
    assert refused.status_code == 403
    assert names(kdc_app) == [("General", 10, True)]


def test_liaison_adds_a_category_and_bad_timescales_are_refused(app, kdc_app):
    liaison = client(app, "liaison@example.gov.uk")
    token = csrf_token(liaison, NEW)
    shorter = liaison.post(NEW, data={**GOOD, "respond_days": "1", "csrf_token": token})
    assert shorter.status_code == 200
    assert "must not be shorter than the acknowledge timescale" in shorter.get_data(as_text=True)
    negative = liaison.post(NEW, data={**GOOD, "acknowledge_days": "-1", "csrf_token": token})
    assert "Give 0 or more days." in negative.get_data(as_text=True)
    twin = liaison.post(NEW, data={**GOOD, "name": "general", "csrf_token": token})
    assert "There is already a category called general." in twin.get_data(as_text=True)
    assert names(kdc_app) == [("General", 10, True)]
    made = liaison.post(NEW, data={**GOOD, "csrf_token": token})
    assert made.status_code == 302
    assert names(kdc_app) == [("General", 10, True), ("Potholes", 5, True)]
    assert "/admin/enquiry_categories/delete/" not in liaison.get(LIST).get_data(as_text=True)


def test_logging_in_the_admin_uses_the_default_service_and_warns_about_the_ward(app, kdc_app):
    with kdc_app.unit_of_work() as uow:
        categories.set_category(uow, "Bins", acknowledge_days=1, respond_days=3, service="Waste")
    liaison = client(app, "liaison@example.gov.uk")
    form = {
        "councillor": "Cat Lee",
        "ward": "Almondbury",
        "service": "",
        "category": "Bins",
        "description": "Bins left on the pavement",
        "csrf_token": csrf_token(liaison, LOG),
    }
    done = liaison.post(LOG, data=form, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Logged KE-" in html and "Named officer: Wes Bins" in html
    assert (
        "Please check: Cllr Cat Lee does not represent Almondbury ward (they represent Dalton "
        "ward); the enquiry was logged all the same." in html
    )
    typo = liaison.post(LOG, data={**form, "category": "Binz"}).get_data(as_text=True)
    assert "The enquiry was not logged: no enquiry category called" in typo
    assert "did you mean &#39;Bins&#39;?" in typo
