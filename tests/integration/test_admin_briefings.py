"""Briefings posted and edited in the admin go through the briefings service, so rules 8.1 and
9.1 record the same findings as ``kdc briefing post``, and the page says what they found."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in, version_field
from kdc_core.db.newsletters import BriefingRow
from kdc_core.db.people import WardRow
from kdc_core.protocol.service import open_findings

NEW = "/admin/briefing/new/"


@pytest.fixture
def kdc_template() -> str:
    return "demo"


@pytest.fixture
def app(kdc_app):
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


@pytest.fixture
def liaison(app):
    client = app.test_client()
    assert log_in(client, "liaison@example.gov.uk").status_code == 302
    return client


@pytest.fixture
def ward(kdc_app) -> tuple[int, str]:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        row = uow.session.scalars(select(WardRow).where(WardRow.name == "Almondbury")).one()
        return row.id, row.name


def _today(kdc_app) -> dt.date:
    return dt.datetime.now(kdc_app.settings.tz).date()


def _form(client, ward_id: int, public_on: dt.date, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": csrf_token(client, NEW),
        "title": "Resurfacing Thornton Lodge Road",
        "body": "Work starts in the spring.\r\nDiversions will be signed.",
        "wards": str(ward_id),
        "public_on": public_on.isoformat(),
        "topic": "roadworks",
        **extra,
    }


def _findings(kdc_app, briefing_id: int) -> set[tuple[str, str, str]]:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return {
            (r.finding.clause, r.finding.severity.value, r.finding.problem)
            for r in open_findings(uow, "briefing", briefing_id)
        }


def _only_briefing(kdc_app, title: str) -> BriefingRow:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        row = uow.session.scalars(select(BriefingRow).where(BriefingRow.title == title)).one()
        uow.session.expunge(row)
        return row


def test_a_briefing_in_good_time_is_posted_with_no_findings(app, kdc_app, liaison, ward):
    public_on = _today(kdc_app) + dt.timedelta(days=14)
    page = liaison.post(NEW, data=_form(liaison, ward[0], public_on), follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "late under protocol 8.1" not in html
    row = _only_briefing(kdc_app, "Resurfacing Thornton Lodge Road")
    assert row.body == "Work starts in the spring.\nDiversions will be signed."
    assert row.topic == "roadworks" and row.public_on == public_on
    assert _findings(kdc_app, row.id) == set()
    listing = liaison.get("/admin/briefing/").get_data(as_text=True)
    assert re.search(r"<td class=\"col-late\">\s*No\s*</td>", listing)

    viewer = app.test_client()
    log_in(viewer, "viewer@example.gov.uk")
    token = csrf_token(viewer, "/admin/briefing/")  # the sign-out form's: good for any POST
    form = {**_form(liaison, ward[0], public_on), "csrf_token": token, "title": "Viewer's"}
    refused = viewer.post(NEW, data=form)
    assert refused.status_code == 403


def test_a_late_briefing_records_what_the_command_line_records_and_says_so(
    kdc_app, kdc_run, liaison, ward
):
    today = _today(kdc_app)
    page = liaison.post(NEW, data=_form(liaison, ward[0], today), follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "This briefing is late under protocol 8.1" in html
    admin_row = _only_briefing(kdc_app, "Resurfacing Thornton Lodge Road")
    from_admin = _findings(kdc_app, admin_row.id)
    assert {clause for clause, _severity, _problem in from_admin} == {"8.1"}
    for _clause, _severity, problem in from_admin:
        assert str(escape(problem)) in html  # the finding, in words, on the page
        assert re.search(r"\d{4}-\d\d-\d\d", problem) is None

    cli = kdc_run(
        "briefing",
        "post",
        "--ward",
        ward[1],
        "--title",
        "The same, from the command line",
        "--body",
        "Work starts in the spring.",
        "--public-on",
        today.isoformat(),
        "--topic",
        "roadworks",
    )
    assert cli.exit_code == 0, cli.output
    cli_row = _only_briefing(kdc_app, "The same, from the command line")
    assert _findings(kdc_app, cli_row.id) == from_admin

    details = liaison.get(f"/admin/briefing/details/?id={admin_row.id}").get_data(as_text=True)
    assert "Yes: late under protocol 8.1" in details and "Protocol 8.1 (warning)" in details


def test_editing_a_briefing_runs_8_1_and_9_1_again(kdc_app, kdc_run, liaison, ward):
    today = _today(kdc_app)
    ahead = today + dt.timedelta(days=14)
    assert liaison.post(NEW, data=_form(liaison, ward[0], ahead)).status_code == 302
    row = _only_briefing(kdc_app, "Resurfacing Thornton Lodge Road")
    assert _findings(kdc_app, row.id) == set()

    edit_url = f"/admin/briefing/edit/?id={row.id}"
    significant_now = {
        **_form(liaison, ward[0], today, significant="y"),
        **version_field(liaison, edit_url),
    }
    page = liaison.post(edit_url, data=significant_now, follow_redirects=True)
    html = page.get_data(as_text=True)
    found = _findings(kdc_app, row.id)
    assert {clause for clause, _s, _p in found} == {"8.1", "9.1"}
    assert "This briefing is late under protocol 8.1" in html
    assert any(p.startswith("No member of ") for c, _s, p in found if c == "9.1")
    for _clause, _severity, problem in found:
        assert str(escape(problem)) in html
    edited = _only_briefing(kdc_app, "Resurfacing Thornton Lodge Road")
    assert edited.significant and edited.public_on == today
    assert edited.posted_at == row.posted_at  # still posted when it was

    cli = kdc_run(
        "briefing",
        "post",
        "--ward",
        ward[1],
        "--title",
        "Significant, from the command line",
        "--body",
        "Work starts in the spring.",
        "--public-on",
        today.isoformat(),
        "--significant",
    )
    assert cli.exit_code == 0, cli.output
    cli_row = _only_briefing(kdc_app, "Significant, from the command line")
    assert _findings(kdc_app, cli_row.id) == found

    back = {**_form(liaison, ward[0], ahead), **version_field(liaison, edit_url)}
    assert liaison.post(edit_url, data=back).status_code == 302
    assert _findings(kdc_app, row.id) == set()  # moved back ahead: nothing open


def test_a_briefing_without_a_ward_is_refused_on_the_form(kdc_app, liaison, ward):
    form = _form(liaison, ward[0], _today(kdc_app))
    del form["wards"]
    page = liaison.post(NEW, data=form)
    assert page.status_code == 200 and "This field is required." in page.get_data(as_text=True)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.scalars(select(BriefingRow.id)).all() == []
