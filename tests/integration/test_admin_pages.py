"""The dashboard, ward pages and organisation chart render the demo council, safely."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, log_in
from kdc_core.db.people import CouncillorRow, OfficerRow
from kdc_core.demo import CONTACT_GAPS, WARD_WITHOUT_LINK_OFFICER
from kdc_core.people.health import data_health

XSS_BIO = (
    "**Bold** claim.\n\n<script>window.__xss = 1</script>\n\n"
    '<img src=x onerror="window.__xss = 2">\n\n[a link](javascript:alert(1)) '
    "[good link](https://www.kirklees.gov.uk/)"
)


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
    return "demo"


@pytest.fixture
def client(kdc_app):
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    client = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    log_in(client, "viewer@example.gov.uk")
    return client


def test_data_health_finds_the_demo_councils_deliberate_gaps(kdc_app, client):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        health = data_health(uow)
    assert [w.name for w in health.wards_without_link_officer] == [WARD_WITHOUT_LINK_OFFICER]
    gaps = {(m.ward.name, s.name) for m in health.missing_contacts for s in m.services}
    assert gaps == set(CONTACT_GAPS)
    assert len(health.councillors_without_bio) == 6
    cutoff = health.checked_at - dt.timedelta(days=183)
    assert all(o.updated_at is None or o.updated_at < cutoff for o in health.stale_officers)

    page = client.get("/admin/").get_data(as_text=True)
    assert "Officers not updated in 6 months" in page
    assert WARD_WITHOUT_LINK_OFFICER in page
    for ward, service in CONTACT_GAPS:
        assert ward in page and service in page
    assert f">{len(health.stale_officers)}</span>" in page


def test_data_health_reports_a_fresh_officer_as_up_to_date(kdc_app, client):
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalars(select(OfficerRow).order_by(OfficerRow.id)).first()
        row.updated_at = dt.datetime.now(dt.UTC)
        row.email = None
        fresh_id = row.id
    with kdc_app.unit_of_work(dry_run=True) as uow:
        stale = {o.id for o in data_health(uow).stale_officers}
    assert fresh_id not in stale


def test_ward_page_shows_councillors_contacts_and_link_officer(kdc_app, client):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        from kdc_core.people import queries

        summary = queries.ward_summary(uow, "Almondbury")
    page = client.get("/admin/ward-pages/almondbury/").get_data(as_text=True)
    assert "Almondbury ward" in page
    for councillor in summary.councillors:
        assert councillor.name in page
    for contact in summary.contacts:
        assert contact.officer.name in page and contact.service.name in page
    assert summary.link_officer is not None and summary.link_officer.name in page
    assert client.get("/admin/ward-pages/no-such-ward/").status_code == 404
    index = client.get("/admin/ward-pages/").get_data(as_text=True)
    assert index.count("/admin/ward-pages/") >= 23


def test_bios_are_sanitised_wherever_they_are_shown(kdc_app, client):
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalars(
            select(CouncillorRow).where(CouncillorRow.ward.has(slug="almondbury"))
        ).first()
        row.bio = XSS_BIO
        cid = row.id
    for url in (f"/admin/councillor/details/?id={cid}", "/admin/ward-pages/almondbury/"):
        page = client.get(url).get_data(as_text=True)
        assert "<strong>Bold</strong>" in page, url
        assert "<script>window.__xss" not in page, url
        assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page, url
        assert "<img" not in page, url
        assert "&lt;img src=x onerror=" in page, url
        assert 'href="javascript:alert' not in page, url
        assert 'href="https://www.kirklees.gov.uk/" rel="noopener noreferrer nofollow"' in page
    listing = client.get(f"/admin/councillor/?search={row.name}").get_data(as_text=True)
    assert "<script>window.__xss" not in listing


def test_org_chart_draws_a_directorate_as_svg_and_highlights_a_search(kdc_app, client):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        directorate = uow.people.directorates()[0]
        officers = [
            o
            for o in uow.people.officers()
            if o.service and o.service.directorate and o.service.directorate.id == directorate.id
        ]
    page = client.get(f"/admin/org-chart/?directorate={directorate.slug}").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="orgchart"' in page
    assert page.count('class="officer') == len(officers)
    target = officers[-1]
    searched = client.get(f"/admin/org-chart/?q={target.family_name}").get_data(as_text=True)
    assert f'id="officer-{target.id}"' in searched
    assert "officer match" in searched or "officer manager match" in searched
    assert "1 officer found" in searched or "officers found" in searched


def test_org_chart_escapes_names(kdc_app, client):
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalars(
            select(OfficerRow).where(OfficerRow.service_id.is_not(None)).order_by(OfficerRow.id)
        ).first()
        row.given_name = '<script>alert("x")</script>'
        row.job_title = "Head of <b>Things</b> & Stuff"
    page = client.get("/admin/org-chart/?q=script").get_data(as_text=True)
    assert "1 officer found" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<b>Things</b>" not in page


def test_officer_search_and_csv_export(kdc_app, client):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        officer = uow.people.officers()[5]
    page = client.get(f"/admin/officer/?search={officer.family_name}").get_data(as_text=True)
    assert officer.given_name in page
    export = client.get(f"/admin/officer/export/csv/?search={officer.family_name}")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert officer.person_id in {r["Directory id"] for r in rows}
    term = officer.family_name.lower()
    assert all(any(term in v.lower() for v in r.values()) for r in rows)


def test_a_councillors_postal_address_is_shown_escaped_and_has_a_labelled_field(kdc_app, client):
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalars(select(CouncillorRow).order_by(CouncillorRow.id)).first()
        row.address = "Town Hall <b>\nDewsbury\nWF12 8DG"
        cid = row.id
    details = client.get(f"/admin/councillor/details/?id={cid}").get_data(as_text=True)
    assert "Postal address" in details
    assert "Town Hall &lt;b&gt;" in details and "Town Hall <b>" not in details
    add_user(kdc_app, "editor@example.gov.uk", "admin")
    editor = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    log_in(editor, "editor@example.gov.uk")
    form = editor.get(f"/admin/councillor/edit/?id={cid}").get_data(as_text=True)
    assert '<label for="address"' in form and 'name="address"' in form
