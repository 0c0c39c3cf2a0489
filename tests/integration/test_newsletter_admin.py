"""The newsletter's admin pages: success stories kept there, the archive and its preview, topic
reviews; the one-click unsubscribe POST is the only POST that needs no CSRF token."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in
from kdc_core.db import CouncillorRow, WardRow
from kdc_core.db.newsletters import NewsletterIssueRow, SuccessStoryRow
from kdc_core.mail.topics import confirm_topics


@pytest.fixture
def client(kdc_app):
    app = create_app(kdc_app, TESTING=True, SECRET_KEY=TEST_SECRET)
    for email, role in (("lia@example.gov.uk", "liaison"), ("vic@example.gov.uk", "viewer")):
        add_user(kdc_app, email, role)
    with kdc_app.unit_of_work() as uow:
        ward = WardRow(name="Lindley", slug="lindley")
        uow.session.add_all(
            [
                ward,
                CouncillorRow(name="Ann Ash", ward=ward, email="ann@x.test"),
                CouncillorRow(name="Bo Birch", ward=ward, email="bo@x.test"),
            ]
        )
    return app.test_client()


def test_a_liaison_officer_adds_a_success_story_and_a_viewer_cannot(client, kdc_app):
    log_in(client, "vic@example.gov.uk")
    token = csrf_token(client, "/admin/")
    data = {"title": "Park reopened", "body": "New paths.", "published_on": "2027-03-04"}
    refused = client.post("/admin/success_story/new/", data={**data, "csrf_token": token})
    assert refused.status_code == 403
    client = client.application.test_client()  # a fresh browser
    log_in(client, "lia@example.gov.uk")
    token = csrf_token(client, "/admin/success_story/new/")
    made = client.post("/admin/success_story/new/", data={**data, "csrf_token": token})
    assert made.status_code == 302, made.get_data(as_text=True)[:2000]
    with kdc_app.unit_of_work(dry_run=True) as uow:
        story = uow.session.scalars(select(SuccessStoryRow)).one()
        assert (story.title, story.published_on, story.ward_id) == (
            "Park reopened",
            dt.date(2027, 3, 4),
            None,
        )


def test_the_archive_previews_a_stored_issue_under_a_sandboxing_policy(
    client, kdc_app, kdc_run, tmp_path: Path
):
    with kdc_app.unit_of_work() as uow:
        uow.session.add(
            SuccessStoryRow(
                title="<script>alert(1)</script>", body="b", published_on=dt.date(2027, 3, 2)
            )
        )
    assert (
        kdc_run("newsletter", "build", "--month", "2027-03", "--out", str(tmp_path)).exit_code == 0
    )
    log_in(client, "vic@example.gov.uk")
    listing = client.get("/admin/newsletter_issue/").get_data(as_text=True)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        ids = list(uow.session.scalars(select(NewsletterIssueRow.id)))
    assert len(ids) == 2
    assert f"/admin/newsletter/preview?id={ids[0]}" in listing
    page = client.get(f"/admin/newsletter/preview?id={ids[0]}")
    assert page.status_code == 200
    frame = f'src="/admin/newsletter/preview/raw?id={ids[0]}"'
    assert frame in page.get_data(as_text=True) and 'sandbox="allow-popups"' in page.text
    preview = client.get(f"/admin/newsletter/preview/raw?id={ids[0]}")
    assert client.get("/admin/newsletter/preview?id=x").status_code == 404
    assert client.get("/admin/newsletter/preview/raw?id=99999").status_code == 404
    assert preview.status_code == 200
    policy = preview.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "script-src" not in policy and "default-src 'none'" in policy
    body = preview.get_data(as_text=True)
    assert "Lindley ward newsletter" in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>" not in body


def test_topic_reviews_page_highlights_councillors_not_confirmed_in_a_year(client, kdc_app):
    with kdc_app.unit_of_work() as uow:
        ann, bo = uow.session.scalars(select(CouncillorRow.id).order_by(CouncillorRow.name))
        today = dt.date.today()
        confirm_topics(uow, ann, today - dt.timedelta(days=30))
        confirm_topics(uow, bo, today - dt.timedelta(days=400))
    log_in(client, "vic@example.gov.uk")
    page = client.get("/admin/newsletter/").get_data(as_text=True)
    assert f'id="review-{bo}"' in page and f'id="review-{ann}"' not in page
    assert "Bo Birch" in page and "Ann Ash" not in page


def test_csrf_still_guards_other_posts_while_unsubscribe_takes_a_signed_token(client, kdc_app):
    from kdc_core.newsletter.unsubscribe import make_token, signing_key

    log_in(client, "lia@example.gov.uk")
    no_token = client.post("/admin/success_story/new/", data={"title": "x", "body": "y"})
    assert no_token.status_code == 400  # CSRFProtect
    with kdc_app.unit_of_work(dry_run=True) as uow:
        ann = uow.session.scalars(select(CouncillorRow.id).order_by(CouncillorRow.name)).first()
    assert ann is not None
    token = make_token(signing_key(kdc_app.settings), ann, "success_stories")
    assert client.post(f"/newsletter/unsubscribe/{token}x").status_code == 404
    other_key = make_token(b"not-the-key-" * 4, ann, "success_stories")
    assert client.post(f"/newsletter/unsubscribe/{other_key}").status_code == 404
    assert client.post(f"/newsletter/unsubscribe/{token}").status_code == 200
