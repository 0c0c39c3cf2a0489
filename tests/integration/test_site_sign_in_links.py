"""Asking for a one-time sign-in link by email: the letter in the outbox, the same answer for
every address, the limits; and a site without single sign-on or a mailer."""

from __future__ import annotations

import datetime as dt
import email
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, csrf_token
from kdc_core.app import Kdc
from kdc_core.config import MailSettings, Settings
from kdc_core.db.base import utcnow
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.db.people import CouncillorRow
from kdc_core.db.users import SignInLinkRow
from kdc_core.plugins import make_plugin_manager
from kdc_core.users import links
from kdc_core.users.links import LinkOutcome

BASE_URL = "https://councillors.kirklees.example"
ADDRESS = "cllr.link@kirklees.example"
NAME = "Councillor Linda Link"


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        base_url=BASE_URL,
        mail=MailSettings(mailer="smtp", sender="councillor-support@kirklees.example"),
    )


@pytest.fixture
def councillor(kdc_app: Kdc) -> int:
    with kdc_app.unit_of_work() as uow:
        row = CouncillorRow(name=NAME, email="Cllr.Link@kirklees.example")
        uow.session.add(row)
        uow.session.flush()
        return row.id


@pytest.fixture
def client(kdc_app: Kdc):
    # Served over http in the test client; the cookie must not be marked Secure.
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET, SESSION_COOKIE_SECURE=False).test_client()


def _ask(client, address: str):
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in/email", data={"csrf_token": token, "email": address})


def _letters(kdc: Kdc) -> list[OutboxMessageRow]:
    with kdc.unit_of_work(dry_run=True) as uow:
        rows = uow.session.scalars(
            select(OutboxMessageRow).where(OutboxMessageRow.kind == links.KIND)
        ).all()
        uow.session.expunge_all()
    return list(rows)


def _text(row: OutboxMessageRow) -> str:
    message = email.message_from_bytes(row.body)
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


def _page(html: str) -> str:
    """A page without its per-request script nonce."""
    return re.sub(r'nonce="[^"]*"', "", html)


def _link_count(kdc: Kdc) -> int:
    with kdc.unit_of_work(dry_run=True) as uow:
        return uow.session.scalar(select(func.count(SignInLinkRow.id))) or 0


def test_asking_queues_a_letter_whose_link_signs_the_councillor_in_once(
    kdc_app, client, councillor
):
    response = _ask(client, ADDRESS.upper())
    assert response.status_code == 200
    assert "Check your email" in response.text
    (letter,) = _letters(kdc_app)
    assert letter.recipient == "Cllr.Link@kirklees.example"
    assert letter.councillor_id == councillor
    text = _text(letter)
    assert "works once, for 15 minutes" in text
    found = re.search(rf"{re.escape(BASE_URL)}/sign-in/link/([A-Za-z0-9_-]+)", text)
    assert found, text
    path = f"/sign-in/link/{found.group(1)}"
    page = client.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    assert client.post(path, data={"csrf_token": token.group(1)}).status_code == 302
    assert f'Signed in as <strong class="kdc-break">{NAME}</strong>' in client.get("/").text
    again = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', again.get(path).text)
    assert token
    assert again.post(path, data={"csrf_token": token.group(1)}).status_code == 400


def test_an_unknown_address_gets_the_same_answer_and_no_letter(kdc_app, client, councillor):
    known = _ask(client, ADDRESS)
    unknown = _ask(client, "nobody@kirklees.example")
    assert unknown.status_code == known.status_code == 200
    assert _page(unknown.text.replace("nobody@kirklees.example", ADDRESS)) == _page(known.text)
    assert len(_letters(kdc_app)) == 1
    assert _link_count(kdc_app) == 1


def test_a_double_submitted_form_sends_one_letter(kdc_app, client, councillor):
    now = utcnow().replace(second=5)
    with kdc_app.unit_of_work() as uow:
        first = links.request_sign_in_link(uow, ADDRESS, now=now)
        second = links.request_sign_in_link(uow, ADDRESS, now=now + dt.timedelta(seconds=20))
    assert (first, second) == (LinkOutcome.SENT, LinkOutcome.REPEATED)
    assert len(_letters(kdc_app)) == 1
    assert _link_count(kdc_app) == 1


def test_at_most_three_links_an_address_in_fifteen_minutes(kdc_app, client, councillor):
    start = utcnow() - dt.timedelta(minutes=20)
    outcomes = []
    for minutes in (0, 2, 4, 6, 15.5):
        with kdc_app.unit_of_work() as uow:
            when = start + dt.timedelta(minutes=minutes)
            outcomes.append(links.request_sign_in_link(uow, ADDRESS, now=when))
    assert outcomes == [LinkOutcome.SENT] * 3 + [LinkOutcome.LIMITED, LinkOutcome.SENT]
    assert len(_letters(kdc_app)) == 4
    # Over the limit through the form: the same page, no letter.
    with kdc_app.unit_of_work() as uow:
        for _ in range(3):
            uow.session.add(
                SignInLinkRow(
                    token_hash=f"{_:064d}",
                    email=ADDRESS,
                    created_at=utcnow(),
                    expires_at=utcnow() + dt.timedelta(minutes=15),
                )
            )
    response = _ask(client, ADDRESS)
    assert response.status_code == 200 and "Check your email" in response.text
    assert len(_letters(kdc_app)) == 4


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your email address"),
        ("not an address", "Enter an email address in the correct format"),
        ("a@b@kirklees.example", "Enter an email address in the correct format"),
    ],
)
def test_an_unusable_address_is_shown_in_an_error_summary(kdc_app, client, typed, message):
    response = _ask(client, typed)
    assert response.status_code == 400
    page = response.text
    assert "<title>Error: Sign in" in page
    assert "govuk-error-summary" in page and 'href="#email"' in page
    assert message in page
    assert 'id="email-error"' in page
    assert _letters(kdc_app) == []


def test_the_letter_gives_the_expiry_in_the_councils_time(kdc_app, councillor):
    summer = dt.datetime(2027, 7, 1, 17, 0, tzinfo=dt.UTC)
    with kdc_app.unit_of_work() as uow:
        assert links.request_sign_in_link(uow, ADDRESS, now=summer) is LinkOutcome.SENT
    assert "until Thursday 1 July 2027, 6:15pm" in _text(_letters(kdc_app)[0])


def test_clock_time_is_govuk_style_in_winter_and_summer():
    london = ZoneInfo("Europe/London")
    winter = dt.datetime(2027, 3, 2, 18, 0, tzinfo=dt.UTC)
    assert links.clock_time(winter, london) == "Tuesday 2 March 2027, 6:00pm"
    assert links.clock_time(dt.datetime(2027, 7, 1, 11, 5, tzinfo=dt.UTC), london) == (
        "Thursday 1 July 2027, 12:05pm"
    )
    assert links.clock_time(dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.UTC), london) == (
        "Friday 1 January 2027, 12:30am"
    )


def test_without_single_sign_on_or_a_mailer_the_page_offers_neither(kdc_app):
    settings = kdc_app.settings.evolve(mail=MailSettings())
    bare = Kdc(settings, make_plugin_manager(settings))
    try:
        client = create_app(bare, SECRET_KEY=TEST_SECRET).test_client()
        page = client.get("/sign-in")
        assert page.status_code == 200
        assert "/sign-in/oidc" not in page.text and "/sign-in/email" not in page.text
        token = csrf_token(client, "/login")
        assert client.post("/sign-in/oidc", data={"csrf_token": token}).status_code == 404
        assert client.get("/sign-in/oidc/callback?code=x&state=y").status_code == 404
        assert (
            client.post("/sign-in/email", data={"csrf_token": token, "email": ADDRESS}).status_code
            == 404
        )
    finally:
        bare.dispose()


def test_asking_needs_the_forms_csrf_token(kdc_app, client, councillor):
    assert client.post("/sign-in/email", data={"email": ADDRESS}).status_code == 400
    assert _letters(kdc_app) == []


def test_link_requests_are_limited_per_address_asked_for_and_per_client(client):
    asked = []
    for i in range(11):
        token = csrf_token(client, "/sign-in")
        data = {"csrf_token": token, "email": "Someone@kirklees.example"}
        asked.append(
            client.post("/sign-in/email", data=data, environ_base={"REMOTE_ADDR": f"10.9.0.{i}"})
        )
    assert [r.status_code for r in asked] == [200] * 10 + [429]
    page = asked[-1].get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Too many attempts</h1>' in page
    assert int(asked[-1].headers["Retry-After"]) > 0
    # One client asking for many addresses reaches the per-client limit.
    many = [_ask(client, f"person{i}@kirklees.example").status_code for i in range(21)]
    assert many == [200] * 20 + [429]
