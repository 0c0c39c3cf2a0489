"""The admin's "Calendar feeds" page: liaison and admin only; rotating is a POST with CSRF."""

from __future__ import annotations

import re

import pytest

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, form_fields, log_in
from kdc_core.calendar import feed_tokens
from kdc_core.calendar.feed_tokens import FeedOwner, OwnerKind
from kdc_core.db import CouncillorRow, WardRow

PAGE = "/admin/feeds/"


@pytest.fixture
def ann(kdc_app):
    with kdc_app.unit_of_work() as uow:
        row = CouncillorRow(name="Ann Lee", ward=WardRow(name="Dalton", slug="dalton"))
        uow.session.add(row)
        uow.session.flush()
        owner = FeedOwner(OwnerKind.COUNCILLOR, row.id, "Ann Lee")
        token = feed_tokens.issue(uow, owner).token
    return {"id": owner.id, "token": token}


@pytest.fixture
def client(kdc_app):
    app = create_app(kdc_app, TESTING=True, SECRET_KEY=TEST_SECRET)
    for email, role in (("lia@example.gov.uk", "liaison"), ("vic@example.gov.uk", "viewer")):
        add_user(kdc_app, email, role)
    return app.test_client()


def test_the_page_is_for_liaison_and_admins_only(client, ann):
    assert client.get(PAGE).status_code == 302  # to the login page
    log_in(client, "vic@example.gov.uk")
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/admin/")
    refused = client.post(f"{PAGE}rotate", data={"councillor_id": ann["id"], "csrf_token": token})
    assert refused.status_code == 403
    assert client.get(f"/feeds/councillors/{ann['token']}.ics").status_code == 200


def test_a_liaison_officer_rotates_a_councillors_address_and_sees_the_new_one_once(client, ann):
    log_in(client, "lia@example.gov.uk")
    page = client.get(PAGE)
    assert page.status_code == 200 and "Ann Lee" in page.get_data(as_text=True)
    assert "issued" in page.get_data(as_text=True)

    fields = form_fields(page.get_data(as_text=True), "councillor_id")
    assert fields["councillor_id"] == str(ann["id"])
    done = client.post(f"{PAGE}rotate", data=fields)
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    match = re.search(r'id="feed-url">([^<]+)<', html)
    assert match is not None
    new_url = match.group(1)
    assert "/feeds/councillors/" in new_url and 'id="feed-webcal">webcal://' in html
    assert done.headers["Cache-Control"] == "no-store"

    assert client.get(f"/feeds/councillors/{ann['token']}.ics").status_code == 404
    path = new_url[new_url.index("/feeds/") :]
    assert client.get(path).status_code == 200
    assert new_url not in client.get(PAGE).get_data(as_text=True)  # never shown again


def test_rotating_without_the_csrf_token_is_refused(client, ann):
    log_in(client, "lia@example.gov.uk")
    refused = client.post(f"{PAGE}rotate", data={"councillor_id": ann["id"]})
    assert refused.status_code == 400
    assert client.get(f"/feeds/councillors/{ann['token']}.ics").status_code == 200


def test_rotating_for_an_unknown_councillor_answers_404(client, ann):
    log_in(client, "lia@example.gov.uk")
    token = csrf_token(client, PAGE)
    missing = client.post(f"{PAGE}rotate", data={"councillor_id": "999", "csrf_token": token})
    assert missing.status_code == 404
