"""Admin-wide safety: stale saves refused and named from the change log, the change log page,
CSV exports with formulas neutralised, and control characters answered with 400."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading

import pytest
from event_people import local, meeting
from sqlalchemy import func, select, update

from kdc_admin import create_app, locking
from kdc_admin.testing import TEST_SECRET, add_user, form_fields, log_in
from kdc_core import changelog
from kdc_core.briefings.service import post_briefing
from kdc_core.calendar.events import create_event
from kdc_core.db import (
    BriefingRow,
    CouncillorRow,
    DirectorateRow,
    EnquiryAuditRow,
    EnquiryCategoryRow,
    EnquiryRow,
    EventRow,
    NewsletterIssueRow,
    OfficerRow,
    OfficerUnavailabilityRow,
    PoliticalGroupRow,
    ServiceContactRow,
    ServiceRow,
    SuccessStoryRow,
    TopicChoiceRow,
    WardContactRow,
    WardRow,
)
from kdc_core.enquiries import service as enquiries
from kdc_core.enquiries.values import NewEnquiry

ANN, BOB, LIA, VIC = (
    "ann@example.gov.uk",
    "bob@example.gov.uk",
    "lia@example.gov.uk",
    "vic@example.gov.uk",
)
FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def kdc_template():
    return "demo"


@pytest.fixture
def app(kdc_app):
    add_user(kdc_app, ANN, "admin")
    add_user(kdc_app, BOB, "admin")
    add_user(kdc_app, LIA, "liaison")
    add_user(kdc_app, VIC, "viewer")
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


def signed_in(app, email):
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    return client


def first_id(kdc, row, *where):
    with kdc.unit_of_work(dry_run=True) as uow:
        return uow.session.scalar(select(func.min(row.id)).where(*where))


def value_of(kdc, row, key, column):
    with kdc.unit_of_work(dry_run=True) as uow:
        return uow.session.scalar(select(getattr(row, column)).where(row.id == key))


#: endpoint, row class, a text field of its edit form
FAR_AHEAD = dt.date(2099, 1, 5)

EDITS = [
    ("councillor", CouncillorRow, "phone"),
    ("officer", OfficerRow, "job_title"),
    ("ward", WardRow, "ons_code"),
    ("event", EventRow, "location"),
    ("directorate", DirectorateRow, "name"),
    ("briefing", BriefingRow, "title"),
]


def test_a_stale_save_is_refused_nothing_applied_and_the_first_editor_named(app, kdc_app):
    with kdc_app.unit_of_work(source="test") as uow:
        create_event(uow, meeting("Standards Committee", local(2027, 4, 30, 13, 30)))
        ward = uow.session.scalars(select(WardRow).order_by(WardRow.id)).first()
        post_briefing(
            uow, wards=[ward.name], title="Road works", body="From May.", public_on=FAR_AHEAD
        )
    ann, bob = signed_in(app, ANN), signed_in(app, BOB)
    for endpoint, row, field in EDITS:
        where = [row.archived_at.is_(None)] if hasattr(row, "archived_at") else []
        key = first_id(kdc_app, row, *where)
        url = f"/admin/{endpoint}/edit/?id={key}"
        ann_form = form_fields(ann.get(url).get_data(as_text=True), field)
        bob_form = form_fields(bob.get(url).get_data(as_text=True), field)
        assert ann_form["kdc_version"] and ann_form["kdc_version"] == bob_form["kdc_version"]

        first = ann.post(url, data={**ann_form, field: "Changed by Ann"})
        assert first.status_code == 302, (endpoint, first.get_data(as_text=True)[:2000])
        second = bob.post(url, data={**bob_form, field: "Changed by Bob"})
        page = second.get_data(as_text=True)
        assert second.status_code == 200, endpoint
        assert f"This record was changed by {ANN} at " in page, endpoint
        assert "reload to see the change and make yours again" in page
        assert value_of(kdc_app, row, key, field) == "Changed by Ann", endpoint

        # Reloaded, Bob's form carries the new version, names Ann as the last to change
        # it, and his save goes through.
        reloaded = bob.get(url).get_data(as_text=True)
        assert f"Last changed by {ANN} on " in reloaded, endpoint
        third = bob.post(url, data={**form_fields(reloaded, field), field: "Changed by Bob"})
        assert third.status_code == 302, endpoint
        assert value_of(kdc_app, row, key, field) == "Changed by Bob", endpoint


def test_a_save_without_a_version_is_refused(app, kdc_app):
    key = first_id(kdc_app, WardRow)
    url = f"/admin/ward/edit/?id={key}"
    client = signed_in(app, LIA)
    form = form_fields(client.get(url).get_data(as_text=True), "ons_code")
    del form["kdc_version"]
    response = client.post(url, data={**form, "ons_code": "E05999999"})
    assert response.status_code == 200
    assert "did not say which version" in response.get_data(as_text=True)
    assert value_of(kdc_app, WardRow, key, "ons_code") != "E05999999"


def test_every_admin_edit_is_in_the_change_log_with_who_which_fields_and_when(app, kdc_app):
    key = first_id(kdc_app, OfficerRow, OfficerRow.archived_at.is_(None))
    url = f"/admin/officer/edit/?id={key}"
    ann = signed_in(app, ANN)
    form = form_fields(ann.get(url).get_data(as_text=True), "job_title")
    assert ann.post(url, data={**form, "job_title": "Chief Gardener"}).status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        (entry,) = changelog.entries(uow.session, who=ANN, entity="officer", key=key)
    assert entry.source == f"admin:{ANN}" and entry.action == "updated"
    assert entry.fields == ("job_title",)
    assert "Chief Gardener" not in repr(entry)  # names of fields, never their values

    page = ann.get("/admin/change-log/?who=" + ANN).get_data(as_text=True)
    assert entry.label in page and "job_title" in page and ANN in page
    assert "1 change." in page
    today = dt.datetime.now(kdc_app.settings.tz).date().isoformat()
    same_day = ann.get(f"/admin/change-log/?entity=officer&since={today}&until={today}")
    assert entry.label in same_day.get_data(as_text=True)
    long_ago = ann.get("/admin/change-log/?since=2001-01-01&until=2001-01-02")
    assert "No changes match." in long_ago.get_data(as_text=True)
    nonsense = ann.get("/admin/change-log/?since=yesterday").get_data(as_text=True)
    assert "Give dates like 2027-03-03" in nonsense
    assert signed_in(app, LIA).get("/admin/change-log/").status_code == 200
    assert signed_in(app, VIC).get("/admin/change-log/").status_code == 403
    assert app.test_client().get("/admin/change-log/").status_code == 302


def test_the_cli_and_code_changes_are_logged_in_their_own_transaction(kdc_app):
    key = first_id(kdc_app, WardRow)
    with kdc_app.unit_of_work(source="cli") as uow:
        uow.session.get(WardRow, key).ons_code = "E05000001"
    with pytest.raises(RuntimeError), kdc_app.unit_of_work(source="cli") as uow:
        uow.session.get(WardRow, key).ons_code = "E05000002"
        uow.session.flush()
        raise RuntimeError("the change fails")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        logged = changelog.entries(uow.session, who="cli", entity="ward", key=key)
    assert [(e.action, e.fields) for e in logged] == [("updated", ("ons_code",))]
    assert logged[0].who == "the command line"


#: Every view that exports CSV, with a text column its rows show (row class, column).
EXPORTS = {
    "councillor": (CouncillorRow, "name"),
    "ward": (WardRow, "name"),
    "group": (PoliticalGroupRow, "name"),
    "officer": (OfficerRow, "job_title"),
    "directorate": (DirectorateRow, "name"),
    "service": (ServiceRow, "name"),
    "ward_contact": (WardRow, "name"),
    "link_officer": (WardRow, "name"),
    "event": (EventRow, "title"),
    "success_story": (SuccessStoryRow, "title"),
    "briefing": (BriefingRow, "title"),
    "newsletter_issue": (NewsletterIssueRow, "subject"),
    "enquiry": (EnquiryRow, "category"),
    "enquiry_case": (EnquiryRow, "description"),
    "enquiry_audit": (EnquiryAuditRow, "actor"),
    "enquiry_category": (EnquiryCategoryRow, "name"),
    "unavailability": (OfficerUnavailabilityRow, "reason"),
    "service_contact": (ServiceRow, "name"),  # the first service's default contact
    "topic_choice": (CouncillorRow, "name"),  # the first councillor's choice
}


def exporting_views(app):
    from flask_admin.contrib.sqla import ModelView

    admin = app.extensions["admin"][0]
    return {v.endpoint for v in admin._views if isinstance(v, ModelView) and v.can_export}


def seed_one_of_each(kdc):
    """An event, a story, a briefing, a newsletter issue and an enquiry (with its audit)."""
    with kdc.unit_of_work(source="test") as uow:
        create_event(uow, meeting("Standards Committee", local(2027, 4, 30, 13, 30)))
        ward = uow.session.scalars(select(WardRow).order_by(WardRow.id)).first()
        councillor = uow.session.scalars(
            select(CouncillorRow).where(CouncillorRow.ward_id == ward.id)
        ).first()
        service = uow.session.scalars(select(ServiceRow).order_by(ServiceRow.id)).first()
        day = dt.date(2027, 3, 3)
        uow.session.add_all(
            [
                SuccessStoryRow(title="A story", body="Text", published_on=day),
                BriefingRow(title="A briefing", body="Text", public_on=day),
                NewsletterIssueRow(
                    ward_id=ward.id,
                    month="2027-03",
                    councillor_id=councillor.id,
                    subject="March",
                    html="<p>x</p>",
                    text="x",
                ),
            ]
        )
        new = NewEnquiry(
            councillors=(councillor.name,),
            ward=ward.name,
            category="General",
            service=service.name,
            description="A pothole",
        )
        enquiries.create(uow, new, actor="test", notify=False)
        first_councillor = uow.session.scalar(
            select(func.min(CouncillorRow.id)).where(CouncillorRow.archived_at.is_(None))
        )
        first_service = uow.session.scalar(select(func.min(ServiceRow.id)))
        officer = uow.session.scalars(select(OfficerRow).order_by(OfficerRow.id)).first()
        start = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)
        uow.session.add_all(
            [
                OfficerUnavailabilityRow(
                    officer_id=officer.id, start=start, end=start + dt.timedelta(days=2)
                ),
                ServiceContactRow(service_id=first_service, officer_id=officer.id),
                TopicChoiceRow(councillor_id=first_councillor, topic="planning"),
            ]
        )


def test_every_csv_export_writes_formula_cells_as_text(app, kdc_app):
    assert exporting_views(app) == set(EXPORTS)  # a new exporting view is added here
    seed_one_of_each(kdc_app)
    with kdc_app.unit_of_work(source="test") as uow:
        for row, column in set(EXPORTS.values()):
            where = [row.archived_at.is_(None)] if hasattr(row, "archived_at") else []
            key = uow.session.scalar(select(func.min(row.id)).where(*where))
            assert key is not None, row
            uow.session.execute(update(row).where(row.id == key).values({column: FORMULA}))
    ann = signed_in(app, ANN)
    urls = {v.endpoint: v.url for v in app.extensions["admin"][0]._views}
    for endpoint in sorted(EXPORTS):
        response = ann.get(f"{urls[endpoint]}/export/csv/")
        assert response.status_code == 200, endpoint
        cells = [
            c for line in csv.reader(io.StringIO(response.get_data(as_text=True))) for c in line
        ]
        assert "'" + FORMULA in cells, endpoint
        risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert risky == [], (endpoint, risky[:3])


URLS = [
    "/admin/officer/?search=%00",
    "/admin/councillor/?search=Ann%00",
    "/admin/enquiry/?search=%01x",
    "/admin/change-log/?who=%00",
    "/admin/officer/edit/?id=1%00",
    "/admin/org-chart/?q=%1f",
    "/feeds/wards/dalton%00.ics",
    "/people/%00",
    "/?q=%00",
]


def test_control_characters_in_an_address_are_a_400_page(app):
    ann = signed_in(app, ANN)
    for url in URLS:
        response = ann.get(url)
        assert response.status_code == 400, url
        assert "control character" in response.get_data(as_text=True), url
    site_page = app.test_client().get("/?q=%00").get_data(as_text=True)
    assert "There is a problem" in site_page  # the site's own error page


def test_control_characters_in_a_form_or_json_body_are_a_400(app, kdc_app):
    key = first_id(kdc_app, WardRow)
    url = f"/admin/ward/edit/?id={key}"
    lia = signed_in(app, LIA)
    form = form_fields(lia.get(url).get_data(as_text=True), "ons_code")
    before = value_of(kdc_app, WardRow, key, "ons_code")
    response = lia.post(url, data={**form, "ons_code": "E05\x00"})
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)
    assert "<h1" in response.get_data(as_text=True)  # the admin's error page
    assert value_of(kdc_app, WardRow, key, "ons_code") == before
    answer = lia.post("/feeds/anything", json={"name": ["ok", {"deep": "a\x00b"}]})
    assert answer.status_code == 400 and "control character" in answer.get_json()["error"]
    # tabs and new lines are text like any other
    assert lia.get("/admin/officer/?search=a%09b").status_code == 200


def test_two_saves_sent_at_once_one_stands_and_the_other_is_refused(app, kdc_app):
    """The check and the write cannot interleave: the row is locked (PostgreSQL) or the
    transaction holds the write lock from its start (SQLite)."""
    key = first_id(kdc_app, WardRow)
    url = f"/admin/ward/edit/?id={key}"
    clients = [signed_in(app, ANN), signed_in(app, BOB)]
    forms = [form_fields(c.get(url).get_data(as_text=True), "ons_code") for c in clients]
    barrier = threading.Barrier(2)
    answers: dict[int, int] = {}

    def save(i: int) -> None:
        barrier.wait()
        answers[i] = clients[i].post(url, data={**forms[i], "ons_code": f"E0500000{i}"}).status_code

    threads = [threading.Thread(target=save, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(answers.values()) == [200, 302]
    winner = next(i for i, code in answers.items() if code == 302)
    assert value_of(kdc_app, WardRow, key, "ons_code") == f"E0500000{winner}"


def test_saving_a_record_deleted_since_its_form_was_opened_says_so(app, kdc_app):
    key = first_id(kdc_app, WardContactRow)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        row = uow.session.get(WardContactRow, key)
        version = locking.version_of(row)
        uow.session.rollback()  # as a new request would, see what others committed since
        with kdc_app.unit_of_work(source="test") as other:
            other.session.delete(other.session.get(WardContactRow, key))
        with app.app_context():
            message = locking.stale_message(uow.session, row, version)
    assert message is not None and "deleted after you opened it" in message
