"""Acceptance 3: a POST without a valid CSRF token is refused with 400 and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kdc_admin import create_app
from kdc_admin.testing import PASSWORD, TEST_SECRET, add_user, csrf_token, form_fields, log_in
from kdc_core.db.people import CouncillorRow, WardRow
from kdc_core.users import service as users


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
    return "demo"


@pytest.fixture
def app(kdc_app):
    add_user(kdc_app, "boss@example.gov.uk", "admin")
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


def _snapshot(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        councillors = uow.session.execute(
            select(
                CouncillorRow.id, CouncillorRow.name, CouncillorRow.email, CouncillorRow.archived_at
            ).order_by(CouncillorRow.id)
        ).all()
        wards = uow.session.execute(select(WardRow.id, WardRow.name).order_by(WardRow.id)).all()
        accounts = [(u.email, u.role, u.active) for u in users.list_users(uow)]
    return councillors, wards, accounts


def test_csrf_protection_is_on_in_the_app(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert "csrf" in app.extensions


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_every_kind_of_post_without_a_valid_token_is_refused(app, kdc_app, token):
    client = app.test_client()
    assert log_in(client, "boss@example.gov.uk").status_code == 302
    before = _snapshot(kdc_app)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        cid = uow.session.scalar(select(CouncillorRow.id).order_by(CouncillorRow.id))
    edit = form_fields(
        client.get(f"/admin/councillor/edit/?id={cid}").get_data(as_text=True), "name"
    )
    edit["name"] = "Changed Without Token"
    posts = [
        (f"/admin/councillor/edit/?id={cid}", edit),
        ("/admin/councillor/new/", {"name": "Created Without Token"}),
        ("/admin/ward/delete/", {"id": "1"}),
        ("/admin/councillor/action/", {"action": "archive", "rowid": str(cid)}),
        (
            "/admin/user/new/",
            {"email": "x@example.gov.uk", "role": "admin", "new_password": PASSWORD},
        ),
        ("/logout", {}),
    ]
    for url, data in posts:
        data = {k: v for k, v in data.items() if k != "csrf_token"}
        if token is not None:
            data["csrf_token"] = token
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert b"CSRF" in response.data
    assert _snapshot(kdc_app) == before
    assert client.get("/admin/").status_code == 200  # still logged in: logout was refused too


def test_login_form_needs_a_token(app, kdc_app):
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"email": "boss@example.gov.uk", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert users.find_user(uow, "boss@example.gov.uk").last_login_at is None


def test_a_token_from_another_session_is_refused(app, kdc_app):
    other = app.test_client()
    stolen = csrf_token(other, "/login")
    client = app.test_client()
    log_in(client, "boss@example.gov.uk")
    before = _snapshot(kdc_app)
    response = client.post(
        "/admin/councillor/new/", data={"name": "Cross Site", "csrf_token": stolen}
    )
    assert response.status_code == 400
    assert _snapshot(kdc_app) == before


def test_the_same_post_with_the_token_goes_through(app, kdc_app):
    client = app.test_client()
    log_in(client, "boss@example.gov.uk")
    token = csrf_token(client, "/admin/councillor/")
    response = client.post(
        "/admin/councillor/new/", data={"name": "With Token", "csrf_token": token}
    )
    assert response.status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.people.find_councillor("With Token").name == "With Token"
