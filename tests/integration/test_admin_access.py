"""Who may see and change what in the web app: login, roles, lockout, sessions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from kdc_admin import create_app
from kdc_admin.testing import (
    PASSWORD,
    TEST_SECRET,
    add_user,
    csrf_token,
    form_fields,
    log_in,
    version_field,
)
from kdc_core import hookimpl
from kdc_core.db.people import CouncillorRow, TermOfOfficeRow
from kdc_core.db.users import UserRow
from kdc_core.users import service as users


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
    return "demo"


@pytest.fixture
def app(kdc_app):
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


@pytest.fixture
def client(app):
    return app.test_client()


def _urls(app):
    """One concrete URL per admin rule (static files excepted), with the methods it takes."""
    fill = {"export_type": "csv", "slug": "almondbury"}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin/") or rule.endpoint == "admin.static":
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<{arg}>", fill[arg])
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        yield url + ("?id=1" if "/edit/" in url or "/details/" in url else ""), methods


def _councillor_count(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(CouncillorRow))


def test_without_a_session_every_admin_url_redirects_to_login(app, client):
    """Acceptance 1: GET and POST (with a valid CSRF token) on every rule, never a 200."""
    token = csrf_token(client, "/login")
    seen = 0
    for url, methods in _urls(app):
        for method in methods:
            if method == "GET":
                response = client.get(url)
            else:
                response = client.open(url, method=method, data={"csrf_token": token, "id": "1"})
            seen += 1
            assert response.status_code in (302, 403), (method, url, response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login?next="), (method, url)
            assert b"Cllr" not in response.data and b"@example.gov.uk" not in response.data
    assert seen > 80


def test_login_redirect_comes_back_to_the_page_asked_for(client, kdc_app):
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    response = client.get("/admin/ward-pages/almondbury/")
    assert response.headers["Location"] == "/login?next=/admin/ward-pages/almondbury/"
    token = csrf_token(client, response.headers["Location"])
    response = client.post(
        "/login?next=/admin/ward-pages/almondbury/",
        data={"email": "viewer@example.gov.uk", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/admin/ward-pages/almondbury/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_login_never_redirects_off_site(client, kdc_app, target):
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    token = csrf_token(client, "/login")
    response = client.post(
        f"/login?next={target}",
        data={"email": "viewer@example.gov.uk", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/admin/"


def test_viewer_reads_everything_but_every_write_is_refused(client, kdc_app):
    """Acceptance 2: create, edit, delete, actions and inline updates answer 403."""
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    log_in(client, "viewer@example.gov.uk")
    for url in ("/admin/", "/admin/councillor/", "/admin/officer/", "/admin/org-chart/"):
        assert client.get(url).status_code == 200, url
    listing = client.get("/admin/councillor/").get_data(as_text=True)
    assert "/admin/councillor/new/" not in listing
    assert "/admin/councillor/edit/" not in listing
    with kdc_app.unit_of_work(dry_run=True) as uow:
        row = uow.session.scalars(select(CouncillorRow).order_by(CouncillorRow.id)).first()
        row_id = row.id
        before = (row.id, row.name, row.email, row.archived_at)
    count = _councillor_count(kdc_app)
    token = csrf_token(client, "/admin/councillor/")
    attempts = [
        ("/admin/councillor/new/", {"name": "Someone New"}),
        (f"/admin/councillor/edit/?id={row_id}", {"name": "Renamed"}),
        ("/admin/councillor/delete/", {"id": str(row_id)}),
        ("/admin/councillor/action/", {"action": "archive", "rowid": str(row_id)}),
        ("/admin/councillor/ajax/update/", {"list_form_pk": str(row_id), "name": "X"}),
        ("/admin/ward/new/", {"name": "Nowhere"}),
        ("/admin/officer/action/", {"action": "archive", "rowid": "1"}),
    ]
    for url, data in attempts:
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 403, url
    with kdc_app.unit_of_work(dry_run=True) as uow:
        again = uow.session.get(CouncillorRow, row_id)
        assert (again.id, again.name, again.email, again.archived_at) == before
    assert _councillor_count(kdc_app) == count


def test_liaison_edits_people_but_cannot_manage_users(client, kdc_app):
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    log_in(client, "liaison@example.gov.uk")
    assert client.get("/admin/user/").status_code == 403
    assert client.get("/admin/user/new/").status_code == 403
    token = csrf_token(client, "/admin/councillor/")
    response = client.post(
        "/admin/user/new/",
        data={
            "email": "sneaky@example.gov.uk",
            "role": "admin",
            "active": "y",
            "new_password": PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 403
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert users.find_user(uow, "sneaky@example.gov.uk") is None
    assert b"/admin/user/" not in client.get("/admin/").data  # not in the menu either

    response = client.post(
        "/admin/councillor/new/",
        data={"name": "Nadia Liaison-Test", "csrf_token": token},
    )
    assert response.status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.people.find_councillor("Nadia Liaison-Test").ward is None


def test_edit_form_round_trip_keeps_inline_terms(client, kdc_app):
    """Saving an edit form unchanged but for the email leaves terms and roles alone."""
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    log_in(client, "liaison@example.gov.uk")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        row = uow.session.scalars(
            select(CouncillorRow).join(TermOfOfficeRow).order_by(CouncillorRow.id)
        ).first()
        before = uow.people.councillor(row.id)
    page = client.get(f"/admin/councillor/edit/?id={before.id}").get_data(as_text=True)
    data = form_fields(page, "name")
    data["email"] = "new.address@example.gov.uk"
    response = client.post(f"/admin/councillor/edit/?id={before.id}", data=data)
    assert response.status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        after = uow.people.councillor(before.id)
    assert after.email == "new.address@example.gov.uk"
    assert (after.terms, after.roles, after.ward, after.group, after.bio) == (
        before.terms,
        before.roles,
        before.ward,
        before.group,
        before.bio,
    )


def test_admin_manages_users_through_the_users_service(client, kdc_app):
    add_user(kdc_app, "boss@example.gov.uk", "admin")
    log_in(client, "boss@example.gov.uk")
    token = csrf_token(client, "/admin/user/new/")
    short = client.post(
        "/admin/user/new/",
        data={
            "email": "new@example.gov.uk",
            "role": "viewer",
            "active": "y",
            "new_password": "short",
            "csrf_token": token,
        },
    )
    assert short.status_code == 200  # form shown again with the error
    response = client.post(
        "/admin/user/new/",
        data={
            "email": " New@Example.gov.uk ",
            "role": "viewer",
            "active": "y",
            "new_password": "a brand new password",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    with kdc_app.unit_of_work() as uow:
        created = users.find_user(uow, "new@example.gov.uk")
        assert created is not None and created.role == users.UserRole.VIEWER
        assert users.authenticate(uow, "new@example.gov.uk", "a brand new password").ok
        me = users.find_user(uow, "boss@example.gov.uk")
    demote = client.post(
        f"/admin/user/edit/?id={me.id}",
        data={
            "email": me.email,
            "role": "viewer",
            "active": "y",
            "csrf_token": token,
            **version_field(client, f"/admin/user/edit/?id={me.id}"),
        },
    )
    assert demote.status_code == 200
    assert b"You cannot take away your own admin role" in demote.data
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert users.find_user(uow, "boss@example.gov.uk").role == users.UserRole.ADMIN


def test_repeated_failed_logins_lock_the_account(client, kdc_app):
    add_user(kdc_app, "ann@example.gov.uk", "liaison")
    for _ in range(users.MAX_FAILED_LOGINS - 1):
        response = log_in(client, "ann@example.gov.uk", "not the password")
        assert response.status_code == 200
        assert users.BAD_CREDENTIALS.encode() in response.data
    locked = log_in(client, "ann@example.gov.uk", "not the password")
    assert locked.status_code == 429
    assert b"locked for 15 minutes" in locked.data
    refused = log_in(client, "ann@example.gov.uk", PASSWORD)
    assert refused.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_disabling_or_resetting_a_user_ends_their_session(client, kdc_app):
    add_user(kdc_app, "ann@example.gov.uk", "liaison")
    assert log_in(client, "ann@example.gov.uk").status_code == 302
    assert client.get("/admin/").status_code == 200
    with kdc_app.unit_of_work() as uow:
        users.set_password(uow, "ann@example.gov.uk", "another long password")
    assert client.get("/admin/").status_code == 302
    assert log_in(client, "ann@example.gov.uk", "another long password").status_code == 302
    with kdc_app.unit_of_work() as uow:
        users.disable_user(uow, "ann@example.gov.uk")
    assert client.get("/admin/").status_code == 302


def test_logout_is_a_post_and_ends_the_session(client, kdc_app):
    add_user(kdc_app, "ann@example.gov.uk", "viewer")
    log_in(client, "ann@example.gov.uk")
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/admin/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, kdc_app):
    add_user(kdc_app, "ann@example.gov.uk", "viewer")
    response = log_in(client, "ann@example.gov.uk")
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("kdc_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a permanent session: PERMANENT_SESSION_LIFETIME applies
    assert "Secure" not in cookie


def test_https_base_url_makes_the_cookie_secure(kdc_app):
    secure_app = create_app(
        type(kdc_app)(kdc_app.settings.evolve(base_url="https://kdc.example.gov.uk"), kdc_app.pm),
        SECRET_KEY=TEST_SECRET,
    )
    assert secure_app.config["SESSION_COOKIE_SECURE"] is True


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_policy_names_a_nonce_only_for_a_page_that_used_one(client):
    page = client.get("/")
    nonces = set(re.findall(r'<script[^>]* nonce="([^"]+)"', page.get_data(as_text=True)))
    policy = page.headers["Content-Security-Policy"]
    assert nonces and all(f"'nonce-{nonce}'" in policy for nonce in nonces)
    plain = client.get("/healthz").headers["Content-Security-Policy"]
    assert "script-src 'self';" in plain and "nonce" not in plain


class SingleSignOn:
    """A test plugin trusting a header, as a deployment behind a sign-on proxy might."""

    @hookimpl
    def kdc_authenticate(self, request, kdc):
        return request.headers.get("X-Test-Sso-Email")


@pytest.fixture
def kdc_extra_plugins():
    return [("test-sso", SingleSignOn())]


def test_hook_kdc_authenticate_logs_in_an_active_local_account(client, kdc_app):
    add_user(kdc_app, "sso@example.gov.uk", "viewer")
    headers = {"X-Test-Sso-Email": "sso@example.gov.uk"}
    assert client.get("/admin/", headers=headers).status_code == 200
    assert client.get("/admin/user/", headers=headers).status_code == 403  # viewer's role
    assert client.get("/admin/").status_code == 302  # nothing kept in the session
    unknown = {"X-Test-Sso-Email": "stranger@example.gov.uk"}
    assert client.get("/admin/", headers=unknown).status_code == 302
    with kdc_app.unit_of_work() as uow:
        users.disable_user(uow, "sso@example.gov.uk")
    assert client.get("/admin/", headers=headers).status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(UserRow)) == 1
