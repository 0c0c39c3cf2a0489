"""One valid email address from every form and command: the admin's councillor, officer,
user and enquiry forms and ``kdc users`` refuse two addresses, angle brackets, a display name
or a list, naming the field, and save nothing; a good address is stored in normal form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in, version_field
from kdc_core.db.people import CouncillorRow, OfficerRow
from kdc_core.db.users import UserRow

SMUGGLED = "a@x.gov.uk>, <b@y.example"
BAD = [SMUGGLED, "a@kirklees.gov.uk, b@kirklees.gov.uk", "<a@kirklees.gov.uk>", "Ann <a@x.uk>"]
LIAISON, ADMIN = "lia@example.gov.uk", "ada@example.gov.uk"


@pytest.fixture
def app(kdc_app):
    app = create_app(kdc_app, SECRET_KEY=TEST_SECRET)
    add_user(kdc_app, LIAISON, "liaison")
    add_user(kdc_app, ADMIN, "admin")
    return app


def signed_in(app, email: str):
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    return client


def count(kdc, row, **where) -> int:
    query = select(func.count()).select_from(row)
    for name, value in where.items():
        query = query.where(getattr(row, name) == value)
    with kdc.unit_of_work(dry_run=True) as uow:
        return int(uow.session.scalar(query))


def email_error(html: str) -> str:
    """The error shown with the form's email field."""
    match = re.search(r"Email: (the email address[^<]*)<", html)
    assert match is not None, "no error naming the Email field"
    return match.group(1)


@pytest.mark.parametrize("bad", BAD)
def test_the_councillor_form_refuses_anything_but_one_address(app, kdc_app, bad):
    client = signed_in(app, LIAISON)
    url = "/admin/councillor/new/"
    data = {"name": "Cllr Test Person", "email": bad, "csrf_token": csrf_token(client, url)}
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "one bare address" in email_error(response.get_data(as_text=True))
    assert count(kdc_app, CouncillorRow) == 0


def test_the_councillor_form_stores_the_normal_form_and_may_be_left_empty(app, kdc_app):
    client = signed_in(app, LIAISON)
    url = "/admin/councillor/new/"
    for name, email in (("Cllr One", "  Ann.Lee@Kirklees.GOV.UK "), ("Cllr Two", "")):
        data = {"name": name, "email": email, "csrf_token": csrf_token(client, url)}
        assert client.post(url, data=data).status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        stored = dict(uow.session.execute(select(CouncillorRow.name, CouncillorRow.email)).all())
    assert stored == {"Cllr One": "Ann.Lee@kirklees.gov.uk", "Cllr Two": None}


def test_editing_a_councillor_refuses_a_second_address_and_keeps_the_first(app, kdc_app):
    with kdc_app.unit_of_work() as uow:
        row = CouncillorRow(name="Cllr Kept", email="kept@kirklees.gov.uk")
        uow.session.add(row)
        uow.session.flush()
        row_id = row.id
    client = signed_in(app, LIAISON)
    url = f"/admin/councillor/edit/?id={row_id}"
    data = {"name": "Cllr Kept", "email": SMUGGLED, "csrf_token": csrf_token(client, url)}
    response = client.post(url, data={**data, **version_field(client, url)})
    assert response.status_code == 200
    assert "one bare address" in email_error(response.get_data(as_text=True))
    assert count(kdc_app, CouncillorRow, email="kept@kirklees.gov.uk") == 1


@pytest.mark.parametrize("bad", BAD)
def test_the_officer_form_refuses_anything_but_one_address(app, kdc_app, bad):
    client = signed_in(app, LIAISON)
    url = "/admin/officer/new/"
    data = {
        "person_id": "E1234",
        "given_name": "Omar",
        "family_name": "Officer",
        "email": bad,
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "one bare address" in email_error(response.get_data(as_text=True))
    assert count(kdc_app, OfficerRow) == 0

    data["email"] = "Omar.Officer@KIRKLEES.gov.uk"
    assert client.post(url, data=data).status_code == 302
    assert count(kdc_app, OfficerRow, email="Omar.Officer@kirklees.gov.uk") == 1


@pytest.mark.parametrize("bad", BAD)
def test_the_user_form_refuses_anything_but_one_address(app, kdc_app, bad):
    client = signed_in(app, ADMIN)
    url = "/admin/user/new/"
    data = {
        "email": bad,
        "role": "viewer",
        "active": "y",
        "new_password": "correct horse battery staple",
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "one bare address" in email_error(response.get_data(as_text=True))
    assert count(kdc_app, UserRow) == 2

    data["email"] = " New.Person@Kirklees.GOV.UK"
    assert client.post(url, data=data).status_code == 302
    assert count(kdc_app, UserRow, email="new.person@kirklees.gov.uk") == 1


@pytest.mark.parametrize("bad", BAD)
def test_kdc_users_refuses_anything_but_one_address(kdc_run, kdc_app, bad):
    result = kdc_run("users", "create", bad, "--role", "viewer", "--generate-password")
    assert result.exit_code == 1, result.output
    assert "one bare address" in result.output
    assert "Traceback" not in result.output
    assert count(kdc_app, UserRow) == 0
    for command in ("disable", "enable", "reset-password"):
        result = kdc_run("users", command, bad)
        assert result.exit_code == 1, (command, result.output)
        assert "one bare address" in result.output, command


def test_kdc_users_stores_the_normal_form(kdc_run, kdc_app):
    result = kdc_run(
        "users", "create", "  Ann.Lee@Kirklees.GOV.UK ", "--role", "viewer", "--generate-password"
    )
    assert result.exit_code == 0, result.output
    assert "Created viewer ann.lee@kirklees.gov.uk." in result.output
    assert kdc_run("users", "disable", "ANN.LEE@kirklees.gov.uk").exit_code == 0
