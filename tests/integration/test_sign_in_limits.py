"""Limits on signing in per client address and per account (flask-limiter): 429 with a
``Retry-After`` header and a page in the style of the part of the site asked for."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token
from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.db.users import UserRow
from kdc_core.signin_config import SignInSettings

PER_ADDRESS = 20


@pytest.fixture(params=["memory", "database"])
def kdc_settings(request, kdc_database_url, tmp_path) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        signin=SignInSettings(storage=request.param),
    )


def _client(kdc: Kdc, address: str = "192.0.2.10"):
    client = create_app(kdc, SECRET_KEY=TEST_SECRET).test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _fail_login(client, email: str, address: str | None = None):
    token = csrf_token(client, "/login")
    data = {"email": email, "password": "wrong", "csrf_token": token}
    if address is None:
        return client.post("/login", data=data)
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address})


def test_forty_failed_logins_for_forty_accounts_from_one_address_are_limited(kdc_app):
    for i in range(40):
        add_user(kdc_app, f"user{i}@example.gov.uk", "viewer")
    client = _client(kdc_app)
    statuses = [_fail_login(client, f"user{i}@example.gov.uk").status_code for i in range(40)]
    assert statuses == [200] * PER_ADDRESS + [429] * (40 - PER_ADDRESS)
    limited = _fail_login(client, "user0@example.gov.uk")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 15 * 60
    page = limited.get_data(as_text=True)
    assert "Too many attempts" in page and "<h1" in page and "try again" in page
    assert re.search(r"Wait \d+ minutes?, then try again", page)
    with kdc_app.unit_of_work(dry_run=True) as uow:  # the limited ones had no password check
        failed = dict(uow.session.execute(select(UserRow.email, UserRow.failed_logins)).all())
    assert failed["user19@example.gov.uk"] == 1 and failed["user20@example.gov.uk"] == 0
    # Another address is not held back by this one, and successful logins do not count.
    other = _client(kdc_app, "192.0.2.99")
    assert _fail_login(other, "user0@example.gov.uk").status_code == 200


def test_one_account_tried_from_many_addresses_is_limited(kdc_app):
    add_user(kdc_app, "ann@example.gov.uk", "viewer")
    client = _client(kdc_app)
    answers = [_fail_login(client, "ANN@example.gov.uk", f"198.51.100.{i}") for i in range(10)]
    # Five wrong passwords lock the address (429 from the lock, the login page again) ...
    assert [a.status_code for a in answers] == [200] * 4 + [429] * 6
    assert "Too many failed logins" in answers[-1].get_data(as_text=True)
    # ... and the eleventh attempt goes over the limiter's limit for the account, from anywhere.
    limited = _fail_login(client, "ann@example.gov.uk", "198.51.100.200")
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert "Too many attempts" in limited.get_data(as_text=True)
    assert _fail_login(client, "bob@example.gov.uk", "198.51.100.200").status_code == 200


def test_bad_sign_in_links_on_the_site_are_limited_with_a_govuk_page(kdc_app):
    client = _client(kdc_app)
    token = csrf_token(client, "/sign-in/link/not-a-real-token")
    statuses = [
        client.post(f"/sign-in/link/guess{i}", data={"csrf_token": token}).status_code
        for i in range(PER_ADDRESS + 2)
    ]
    assert statuses == [400] * PER_ADDRESS + [429, 429]
    limited = client.post("/sign-in/link/guess", data={"csrf_token": token})
    page = limited.get_data(as_text=True)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert '<h1 class="govuk-heading-l">Too many attempts</h1>' in page
    assert "govuk-template" in page
    # The admin login from the same address shares the count.
    assert _fail_login(client, "someone@example.gov.uk").status_code == 429


def test_the_login_page_answers_a_real_and_an_unknown_account_alike(kdc_app):
    add_user(kdc_app, "ann@example.gov.uk", "viewer")
    client = _client(kdc_app)

    def answers(email: str) -> list[tuple[int, bool, bool, str | None]]:
        out = []
        for _ in range(7):
            response = _fail_login(client, email)
            page = response.get_data(as_text=True)
            out.append(
                (
                    response.status_code,
                    "Email address or password is wrong." in page,
                    "Too many failed logins with this email address" in page,
                    response.headers.get("Retry-After") and "set",
                )
            )
        return out

    real = answers("ann@example.gov.uk")
    assert real == answers("nobody@example.gov.uk")
    assert real == [(200, True, False, None)] * 4 + [(429, False, True, "set")] * 3
