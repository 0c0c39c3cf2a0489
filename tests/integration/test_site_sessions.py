"""Server-side web sessions and one-time sign-in links, shared by the site and the admin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in
from kdc_core.db.base import utcnow
from kdc_core.db.people import CouncillorRow
from kdc_core.users import sessions


@pytest.fixture
def kdc_template() -> str:
    return "demo"


@pytest.fixture
def client(kdc_app):
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()


def _councillor_email(kdc_app) -> str:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        email = uow.session.scalar(
            select(CouncillorRow.email)
            .where(CouncillorRow.email.is_not(None), CouncillorRow.archived_at.is_(None))
            .order_by(CouncillorRow.id)
            .limit(1)
        )
    assert email
    return email


def _link(kdc_app, email: str, now: dt.datetime | None = None) -> str:
    with kdc_app.unit_of_work() as uow:
        return sessions.issue_sign_in_link(uow, email, now=now)


def _use(client, token: str):
    form = client.get(f"/sign-in/link/{token}")
    assert form.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))
    assert csrf
    return client.post(f"/sign-in/link/{token}", data={"csrf_token": csrf.group(1)})


def test_a_sign_in_link_signs_a_councillor_in_once(kdc_app, client):
    email = _councillor_email(kdc_app)
    token = _link(kdc_app, email)
    response = _use(client, token)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as" in page
    # The same link again, from another browser: refused.
    other = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    again = _use(other, token)
    assert again.status_code == 400
    assert "expired or has already been used" in again.get_data(as_text=True)


def test_a_sign_in_link_expires_after_fifteen_minutes(kdc_app, client):
    email = _councillor_email(kdc_app)
    token = _link(kdc_app, email, now=utcnow() - dt.timedelta(minutes=15, seconds=1))
    assert _use(client, token).status_code == 400
    fresh = _link(kdc_app, email, now=utcnow() - dt.timedelta(minutes=14))
    assert _use(client, fresh).status_code == 302


def test_two_redeemers_of_one_link_let_exactly_one_in(kdc_app):
    email = _councillor_email(kdc_app)
    token = _link(kdc_app, email)
    results = []
    for _ in range(2):
        with kdc_app.unit_of_work() as uow:
            results.append(sessions.redeem_sign_in_link(uow, token))
    assert results == [email.lower(), None]


def test_a_cookie_replayed_after_sign_out_no_longer_works(kdc_app, client):
    email = _councillor_email(kdc_app)
    _use(client, _link(kdc_app, email))
    cookie = client.get_cookie("kdc_session")
    assert cookie is not None
    token = csrf_token(client, "/")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    replay = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    replay.set_cookie("kdc_session", cookie.value)
    assert "Signed in as" not in replay.get("/").get_data(as_text=True)


def test_admin_sign_out_ends_the_session_on_the_server(kdc_app, client):
    add_user(kdc_app, "admin@example.org", "admin")
    assert log_in(client, "admin@example.org").status_code == 302
    assert client.get("/admin/").status_code == 200
    cookie = client.get_cookie("kdc_session")
    token = csrf_token(client, "/admin/")
    client.post("/logout", data={"csrf_token": token})
    replay = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    replay.set_cookie("kdc_session", cookie.value)
    response = replay.get("/admin/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_unknown_address_gets_no_session_from_a_link(kdc_app, client):
    token = _link(kdc_app, "stranger@example.org")
    assert _use(client, token).status_code == 403
    assert "Signed in as" not in client.get("/").get_data(as_text=True)
