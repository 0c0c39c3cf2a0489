"""The admin's Outbox page against a real SMTP server: counts and the list for every role,
filters by state, kind and councillor, times in the council's zone, message text for liaison
staff and admins only, and retry of a failed message (POST, CSRF, editors only)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import update

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in
from kdc_core.app import Kdc
from kdc_core.config import MailSettings, Settings
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.db.people import CouncillorRow
from kdc_core.mail import dispatch as dispatching
from kdc_core.mail import outbox
from kdc_core.mail.outbox import Outgoing

PAGE = "/admin/outbox/"
VIEWER, LIAISON, ADMIN = "vic@example.gov.uk", "lia@example.gov.uk", "ada@example.gov.uk"
REFUSED = "amal.khan@kirklees.example"


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path, mailbox) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        timezone="Europe/London",
        plugin_sections={"smtp": {"host": "127.0.0.1", "port": mailbox[1], "retries": 0}},
        mail=MailSettings(mailer="smtp", sender="councillor-support@kirklees.example"),
    )


@pytest.fixture
def people(kdc_app: Kdc) -> dict[str, int]:
    """Two councillors; the outbox holds three messages for them, one refused by the server."""
    with kdc_app.unit_of_work() as uow:
        rows = {
            name: CouncillorRow(name=name, email=address)
            for name, address in (
                ("Cllr Amal Khan", REFUSED),
                ("Cllr Bea Ross", "bea.ross@kirklees.example"),
            )
        }
        uow.session.add_all(rows.values())
        uow.session.flush()
        ids = {name: row.id for name, row in rows.items()}
    return ids


@pytest.fixture
def sent(kdc_app: Kdc, people: dict[str, int], mailbox) -> dict[str, int]:
    """Queue three letters, dispatch them (Amal's is refused with a 550), and move their
    queued times to a summer and a winter afternoon."""
    box, _ = mailbox
    box.reject[REFUSED] = "550 5.1.1 mailbox unavailable"
    amal, bea = people["Cllr Amal Khan"], people["Cllr Bea Ross"]
    letters = [
        ("enquiry-created:KE-1:amal", "enquiry-created", REFUSED, "Cllr Amal Khan", amal),
        (
            "enquiry-created:KE-2:bea",
            "enquiry-created",
            "bea.ross@kirklees.example",
            "Cllr Bea Ross",
            bea,
        ),
        ("briefing:7:bea", "briefing", "bea.ross@kirklees.example", "Cllr Bea Ross", bea),
    ]
    with kdc_app.unit_of_work() as uow:
        outbox.queue(
            uow,
            [
                Outgoing(
                    key=key,
                    kind=kind,
                    to_address=address,
                    to_name=name,
                    subject=f"About {key}",
                    text=f"Dear {name}, Mrs Constituent of 4 Private Road asked about {key}.",
                    councillor_id=cid,
                )
                for key, kind, address, name, cid in letters
            ],
        )
    report = dispatching.dispatch(kdc_app)
    assert (report.sent, report.failed) == (2, 1)
    with kdc_app.unit_of_work() as uow:
        ids = {m.key: m.id for m in outbox.messages(uow)}
        summer = dt.datetime(2027, 7, 1, 12, 30, 40, tzinfo=dt.UTC)  # 13:30 BST
        winter = dt.datetime(2027, 1, 15, 12, 30, 40, tzinfo=dt.UTC)  # 12:30 GMT
        uow.session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.key == "briefing:7:bea")
            .values(created_at=summer, sent_at=summer + dt.timedelta(minutes=1))
        )
        uow.session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.key == "enquiry-created:KE-1:amal")
            .values(created_at=winter)
        )
    return ids


@pytest.fixture
def app(kdc_app: Kdc):
    app = create_app(kdc_app, SECRET_KEY=TEST_SECRET)
    for email, role in ((VIEWER, "viewer"), (LIAISON, "liaison"), (ADMIN, "admin")):
        add_user(kdc_app, email, role)
    return app


def client_for(app, email: str | None):
    client = app.test_client()
    if email is not None:
        assert log_in(client, email).status_code == 302
    return client


def row(html: str, message_id: int) -> str:
    match = re.search(rf'<tr id="message-{message_id}".*?</tr>', html, re.S)
    assert match is not None, f"no row for message {message_id}"
    return match.group(0)


def status_of(kdc: Kdc, message_id: int) -> str:
    with kdc.unit_of_work(dry_run=True) as uow:
        return outbox.message(uow, message_id).status


def test_anonymous_is_sent_to_the_login(app, sent):
    client = client_for(app, None)
    for url in (PAGE, f"{PAGE}message/?id={sent['briefing:7:bea']}"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    token = csrf_token(client, "/login")
    failed = sent["enquiry-created:KE-1:amal"]
    response = client.post(f"{PAGE}retry/", data={"csrf_token": token, "id": str(failed)})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert status_of(app.extensions["kdc"], failed) == "failed"


def test_a_viewer_sees_counts_the_list_and_errors_but_no_text_and_no_retry(app, sent):
    client = client_for(app, VIEWER)
    html = client.get(PAGE).get_data(as_text=True)
    assert re.search(r'id="count-sent"[^>]*>2 sent<', html)
    assert re.search(r'id="count-failed"[^>]*>1 failed<', html)
    assert re.search(r'id="count-pending"[^>]*>0 pending<', html)
    failed = row(html, sent["enquiry-created:KE-1:amal"])
    assert "Cllr Amal Khan" in failed and "About enquiry-created:KE-1:amal" in failed
    assert "refused the recipient: 550" in failed
    assert "Retry" not in html and "/message/" not in html
    assert "Private Road" not in html  # the text is never on the list
    assert client.get(f"{PAGE}message/?id={sent['briefing:7:bea']}").status_code == 403
    token = csrf_token(client, "/admin/")
    response = client.post(
        f"{PAGE}retry/", data={"csrf_token": token, "id": str(sent["enquiry-created:KE-1:amal"])}
    )
    assert response.status_code == 403
    assert status_of(app.extensions["kdc"], sent["enquiry-created:KE-1:amal"]) == "failed"


def test_times_are_the_councils_to_the_minute_in_bst_and_gmt(app, sent):
    html = client_for(app, VIEWER).get(PAGE).get_data(as_text=True)
    summer = row(html, sent["briefing:7:bea"])
    assert "Thursday 1 July 2027, 1:30pm" in summer  # queued
    assert "Thursday 1 July 2027, 1:31pm" in summer  # sent
    winter = row(html, sent["enquiry-created:KE-1:amal"])
    assert "Friday 15 January 2027, 12:30pm" in winter
    assert "12:30:40" not in html and "UTC" not in html


def test_the_list_filters_by_state_kind_and_councillor_by_name(app, sent, people):
    client = client_for(app, VIEWER)
    failed = client.get(PAGE, query_string={"status": "failed"}).get_data(as_text=True)
    assert re.findall(r'<tr id="message-(\d+)"', failed) == [str(sent["enquiry-created:KE-1:amal"])]
    briefings = client.get(PAGE, query_string={"kind": "briefing"}).get_data(as_text=True)
    assert re.findall(r'<tr id="message-(\d+)"', briefings) == [str(sent["briefing:7:bea"])]

    page = client.get(PAGE).get_data(as_text=True)
    bea = people["Cllr Bea Ross"]
    assert f'<option value="{bea}" >Cllr Bea Ross</option>' in page  # chosen by name
    to_bea = client.get(PAGE, query_string={"councillor": bea}).get_data(as_text=True)
    assert "What was sent to Cllr Bea Ross" in to_bea
    assert sorted(re.findall(r'<tr id="message-(\d+)"', to_bea)) == sorted(
        [str(sent["enquiry-created:KE-2:bea"]), str(sent["briefing:7:bea"])]
    )


def test_the_councillors_page_links_to_what_was_sent_to_them(app, sent, people):
    client = client_for(app, VIEWER)
    amal = people["Cllr Amal Khan"]
    html = client.get(f"/admin/councillor/details/?id={amal}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" id="councillor-messages">', html)
    assert link is not None
    listing = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert re.findall(r'<tr id="message-(\d+)"', listing) == [
        str(sent["enquiry-created:KE-1:amal"])
    ]


@pytest.mark.parametrize("email", [LIAISON, ADMIN])
def test_liaison_and_admins_read_a_messages_text(app, sent, email):
    client = client_for(app, email)
    listing = client.get(PAGE).get_data(as_text=True)
    assert f"{PAGE}message/?id={sent['briefing:7:bea']}" in listing
    page = client.get(f"{PAGE}message/?id={sent['briefing:7:bea']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Dear Cllr Bea Ross, Mrs Constituent of 4 Private Road" in html
    assert "Thursday 1 July 2027, 1:30pm" in html
    assert client.get(f"{PAGE}message/?id=999999").status_code == 404


def test_liaison_retries_a_failed_message_and_it_goes_on_the_next_dispatch(app, sent, mailbox):
    box, _ = mailbox
    kdc = app.extensions["kdc"]
    failed = sent["enquiry-created:KE-1:amal"]
    client = client_for(app, LIAISON)
    html = client.get(PAGE).get_data(as_text=True)
    assert f'name="id" value="{failed}"' in row(html, failed)  # a Retry form
    assert "Retry" not in row(html, sent["briefing:7:bea"])  # only failed messages

    no_token = client.post(f"{PAGE}retry/", data={"id": str(failed)})
    assert no_token.status_code == 400
    assert status_of(kdc, failed) == "failed"

    response = client.post(
        f"{PAGE}retry/",
        data={"csrf_token": csrf_token(client, PAGE), "id": str(failed)},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "is queued again; it goes when the outbox is next dispatched" in text
    assert status_of(kdc, failed) == "pending"
    with kdc.unit_of_work(dry_run=True) as uow:
        assert outbox.message(uow, failed).last_error is None

    again = client.post(
        f"{PAGE}retry/", data={"csrf_token": csrf_token(client, PAGE), "id": str(failed)}
    )
    assert again.status_code == 302
    assert "is pending, not failed" in client.get(PAGE).get_data(as_text=True)

    box.reject.clear()
    assert dispatching.dispatch(kdc).sent == 1
    assert box.to().count(REFUSED) == 1
    assert status_of(kdc, failed) == "sent"
