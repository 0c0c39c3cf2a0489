"""Sessions end on the server at sign-out and on a password change, so a copied cookie stops
working; and the "next" address after signing in is a path on this site, or refused."""

from __future__ import annotations

import re

import pytest
from flask_login.utils import encode_cookie
from werkzeug.exceptions import BadRequest

from kdc_admin import create_app
from kdc_admin.auth import safe_path
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, form_fields, log_in
from kdc_core.db.people import CouncillorRow
from kdc_core.users import service as users
from kdc_core.users import sessions

COOKIE = "kdc_session"


@pytest.fixture
def app(kdc_app):
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


def _replay(app, cookie: str, path: str):
    """A new browser holding a copy of ``cookie``."""
    other = app.test_client()
    other.set_cookie(COOKIE, cookie)
    return other.get(path)


def _signed_in_admin(app, kdc_app, email="ann@example.gov.uk", role="viewer"):
    add_user(kdc_app, email, role)
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    cookie = client.get_cookie(COOKIE).value
    assert _replay(app, cookie, "/admin/").status_code == 200  # a copy works while signed in
    return client, cookie


def test_an_admin_cookie_replayed_after_logging_out_is_refused(app, kdc_app):
    client, cookie = _signed_in_admin(app, kdc_app)
    token = csrf_token(client, "/admin/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    replayed = _replay(app, cookie, "/admin/")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_a_forged_remember_cookie_does_not_sign_in_without_a_live_session(app, kdc_app):
    client, cookie = _signed_in_admin(app, kdc_app)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        user = users.find_user(uow, "ann@example.gov.uk")
    token = csrf_token(client, "/admin/")
    client.post("/logout", data={"csrf_token": token})
    other = app.test_client()
    with app.app_context():
        remember = encode_cookie(f"{user.id}:{user.credential_tag}")
    other.set_cookie("remember_token", remember)
    assert other.get("/admin/").status_code == 302
    other.set_cookie(COOKIE, cookie)  # with the ended session's cookie too
    assert other.get("/admin/").status_code == 302


def test_resetting_a_password_from_the_command_line_ends_its_sessions(app, kdc_app, kdc_run):
    _client, cookie = _signed_in_admin(app, kdc_app)
    result = kdc_run("users", "reset-password", "ann@example.gov.uk", "--generate-password")
    assert result.exit_code == 0, result.output
    assert _replay(app, cookie, "/admin/").status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert sessions.end_sessions_for(uow, "ann@example.gov.uk") == 0  # none left live


def test_an_admin_changing_a_password_ends_that_accounts_sessions(app, kdc_app):
    _client, cookie = _signed_in_admin(app, kdc_app)
    boss, _boss_cookie = _signed_in_admin(app, kdc_app, "boss@example.gov.uk", "admin")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        ann = users.find_user(uow, "ann@example.gov.uk")
    page = boss.get(f"/admin/user/edit/?id={ann.id}").get_data(as_text=True)
    data = form_fields(page, "email")
    data["new_password"] = "a completely new password"
    assert boss.post(f"/admin/user/edit/?id={ann.id}", data=data).status_code == 302
    assert _replay(app, cookie, "/admin/").status_code == 302
    assert boss.get("/admin/").status_code == 200  # the admin's own session carries on


def test_a_site_cookie_replayed_after_signing_out_is_refused(app, kdc_app):
    with kdc_app.unit_of_work() as uow:
        uow.session.add(CouncillorRow(name="Cllr Ann Smith", email="ann.smith@example.gov.uk"))
    with kdc_app.unit_of_work() as uow:
        link = sessions.issue_sign_in_link(uow, "ann.smith@example.gov.uk")
    client = app.test_client()
    page = client.get(f"/sign-in/link/{link}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/sign-in/link/{link}", data={"csrf_token": token}).status_code == 302
    cookie = client.get_cookie(COOKIE).value
    assert _replay(app, cookie, "/my/").status_code == 200
    token = csrf_token(client, "/my/")  # a new session, a new token
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    replayed = _replay(app, cookie, "/my/")
    assert replayed.status_code == 302 and "/sign-in" in replayed.headers["Location"]


# -- next= ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_goes_to_the_admin_start_for_a_next_that_is_not_a_path_here(app, kdc_app, target):
    add_user(kdc_app, "ann@example.gov.uk", "viewer")
    client = app.test_client()
    token = csrf_token(client, "/login")
    data = {"email": "ann@example.gov.uk", "password": "correct horse battery staple"}
    response = client.post(
        "/login", query_string={"next": target}, data={**data, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", ["/admin/%0D%0ASet-Cookie:%20x=1", "/%09/evil.example", "/a%00"])
def test_control_characters_in_next_are_a_bad_request(app, kdc_app, target):
    add_user(kdc_app, "ann@example.gov.uk", "viewer")
    client = app.test_client()
    assert client.get(f"/login?next={target}").status_code == 400
    token = csrf_token(client, "/login")
    data = {"email": "ann@example.gov.uk", "password": "correct horse battery staple"}
    refused = client.post(f"/login?next={target}", data={**data, "csrf_token": token})
    assert refused.status_code == 400
    assert client.get("/admin/").status_code == 302  # and nobody was signed in
    site = client.get(f"/sign-in?next={target}")
    assert site.status_code == 400 and "govuk-heading-l" in site.get_data(as_text=True)


def test_a_relative_next_is_kept(app, kdc_app):
    add_user(kdc_app, "ann@example.gov.uk", "viewer")
    client = app.test_client()
    token = csrf_token(client, "/login")
    data = {"email": "ann@example.gov.uk", "password": "correct horse battery staple"}
    response = client.post(
        "/login", query_string={"next": "/admin/ward/?q=a"}, data={**data, "csrf_token": token}
    )
    assert response.headers["Location"] == "/admin/ward/?q=a"


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/my/enquiries?page=2", "/my/enquiries?page=2"),
        ("/", "/"),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("https://evil.example/my/", None),
        ("my/", None),
        ("", None),
        (None, None),
    ],
)
def test_the_sites_next_keeps_paths_here_only(target, kept):
    assert safe_path(target) == kept


@pytest.mark.parametrize("target", ["/my/\r\nLocation: x", "/\t/evil.example", "/\x7f", "/\x85"])
def test_the_sites_next_refuses_control_characters(target):
    with pytest.raises(BadRequest):
        safe_path(target)
