"""Enquiries in the admin: viewers see no personal data, the audit trail is read-only, and the
SLA dashboard counts open, overdue and answered-in-time enquiries per service and ward."""

from __future__ import annotations

import datetime as dt

import pytest
from enquiry_people import seed_enquiry_people
from sqlalchemy import func, select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in
from kdc_core.db.enquiries import EnquiryAuditRow
from kdc_core.enquiries import service
from kdc_core.enquiries.values import Constituent, NewEnquiry


def new(svc: str, day: str) -> NewEnquiry:
    return NewEnquiry(
        councillors=("Ann Smith",), ward="Almondbury", category="general", service=svc,
        description="Secret-ish text about Pat's house",
        constituent=Constituent("Pat Resident", "pat@example.org"),
        received_at=dt.datetime.fromisoformat(f"{day}T09:00:00+00:00"), info_public=True,
        info_not_barred=True, info_not_confidential=False,
    )  # fmt: skip


@pytest.fixture
def app(kdc_app):
    seed_enquiry_people(kdc_app)
    with kdc_app.unit_of_work() as uow:
        late = service.create(uow, new("Highways", "2026-01-05"), "t").reference
        on_time = service.create(uow, new("Highways", "2026-01-05"), "t").reference
        service.update_status(
            uow, on_time, "resolved", "t", now=dt.datetime(2026, 1, 8, tzinfo=dt.UTC)
        )
        slow = service.create(uow, new("Waste", "2026-01-05"), "t").reference
        service.update_status(
            uow, slow, "resolved", "t", now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        )
        service.create(uow, new("Waste", "2099-01-05"), "t")
    assert late
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


def client(app, email):
    c = app.test_client()
    assert log_in(c, email).status_code == 302
    return c


def test_a_viewer_sees_enquiries_without_constituent_data_and_not_the_cases(app):
    viewer = client(app, "viewer@example.gov.uk")
    page = viewer.get("/admin/enquiry/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "KE-2026-000001" in html
    assert "Pat" not in html and "Secret-ish" not in html
    details = viewer.get("/admin/enquiry/details/?id=1").get_data(as_text=True)
    assert "KE-2026-000001" in details and "Pat" not in details
    assert viewer.get("/admin/enquiry_case/").status_code == 403
    assert viewer.get("/admin/enquiry_audit/").status_code == 403


def test_liaison_sees_the_case_and_the_protocol_8_3_rule(app):
    liaison = client(app, "liaison@example.gov.uk")
    html = liaison.get("/admin/enquiry_case/details/?id=1").get_data(as_text=True)
    assert "Pat Resident" in html and "pat@example.org" in html
    assert "Not confidential (8.3)" in html
    assert "no — so the information may not be shared. Protocol 8.3:" in html
    listing = liaison.get("/admin/enquiry_case/").get_data(as_text=True)
    assert "Pat Resident" in listing and "May share (8.3)" in listing


def test_the_audit_trail_cannot_be_edited_or_deleted_through_the_admin(app, kdc_app):
    liaison = client(app, "liaison@example.gov.uk")
    listing = liaison.get("/admin/enquiry_audit/")
    assert listing.status_code == 200 and "Received" in listing.get_data(as_text=True)
    token = csrf_token(liaison, "/admin/enquiry_audit/")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        before = [(a.actor, a.new) for a in uow.session.scalars(select(EnquiryAuditRow))]
    edit = liaison.post(
        "/admin/enquiry_audit/edit/?id=1",
        data={"actor": "forger", "new": "closed", "csrf_token": token},
    )
    delete = liaison.post("/admin/enquiry_audit/delete/", data={"id": "1", "csrf_token": token})
    assert edit.status_code == 403 and delete.status_code == 403
    assert liaison.get("/admin/enquiry_audit/edit/?id=1").status_code in (302, 403)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        after = [(a.actor, a.new) for a in uow.session.scalars(select(EnquiryAuditRow))]
        assert uow.session.scalar(select(func.count()).select_from(EnquiryAuditRow)) == len(before)
    assert after == before and ("forger", "closed") not in after


def test_the_sla_dashboard_counts_per_service_ward_and_officer(app):
    viewer = client(app, "viewer@example.gov.uk")
    html = viewer.get("/admin/sla/").get_data(as_text=True)
    table = lambda by: html.split(f'id="sla-{by}"')[1].split("</table>")[0]  # noqa: E731
    cells = lambda by, name: table(by).split(f">{name}</th>")[1].split("</tr>")[0]  # noqa: E731
    # open, due soon, overdue, answered, answered in time
    assert cells("service", "Highways") == "<td>1</td><td>0</td><td>1</td><td>1</td><td>100%</td>"
    assert cells("service", "Waste") == "<td>1</td><td>0</td><td>0</td><td>1</td><td>0%</td>"
    assert cells("ward", "Almondbury") == "<td>2</td><td>0</td><td>1</td><td>2</td><td>50%</td>"
    assert cells("officer", "Hana Road").startswith("<td>1</td><td>0</td><td>1</td><td>1</td>")
    assert "<strong>1 enquiry is overdue</strong>" in html
    assert "Most overdue enquiries are with:\nHana Road (1)." in html
    assert "Protocol 8.3" in html
