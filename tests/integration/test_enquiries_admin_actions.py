"""Working enquiries from the admin: logging one, adding notes, moving the status on and
extending — through the same services as ``kdc enquiries``, with the signed-in user as the
actor, CSRF on every POST, 403 for viewers and refusals shown as messages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from enquiry_people import seed_enquiry_people
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, form_fields, log_in
from kdc_core.app import Kdc
from kdc_core.db.enquiries import (
    EnquiryAuditRow,
    EnquiryCounterRow,
    EnquiryNoteRow,
    EnquiryPersonRow,
    EnquiryRow,
)
from kdc_core.db.people import CouncillorRow, WardRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries import service
from kdc_core.enquiries.retention import Due, anonymise
from kdc_core.enquiries.service import EnquiryError
from kdc_core.enquiries.values import Constituent, NewEnquiry

LIAISON = "liaison@example.gov.uk"
ACTOR = f"admin:{LIAISON}"
LOG = "/admin/enquiry_log/"
FORM = {
    "councillor": "Ann Smith",
    "joint_councillors": "Bob Jones",
    "ward": "Almondbury",
    "service": "Highways",
    "category": "general",
    "description": "Pothole outside 12 Acre Street",
    "received_at": "2026-07-01T00:30",
    "constituent_name": "Pat Resident",
    "constituent_email": "pat@example.org",
    "constituent_phone": "01484 000000",
    "constituent_address": "12 Acre Street",
}


def new(**changes: object) -> NewEnquiry:
    fields: dict[str, object] = {
        "councillors": ("Ann Smith",),
        "ward": "Almondbury",
        "category": "general",
        "service": "Highways",
        "description": "Bins not collected",
        "received_at": dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
        "constituent": Constituent("Pat Resident"),
    }
    fields.update(changes)
    return NewEnquiry(**fields)  # type: ignore[arg-type]


@pytest.fixture
def app(kdc_app):
    seed_enquiry_people(kdc_app)
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    add_user(kdc_app, LIAISON, "liaison")
    add_user(kdc_app, "admin@example.gov.uk", "admin")
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


def client(app, email):
    c = app.test_client()
    assert log_in(c, email).status_code == 302
    return c


def counts(kdc: Kdc) -> tuple[int, ...]:
    with kdc.unit_of_work(dry_run=True) as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (EnquiryRow, EnquiryAuditRow, EnquiryNoteRow, EnquiryCounterRow)
        )


def trail(kdc: Kdc, reference: str) -> list[tuple[str | None, ...]]:
    with kdc.unit_of_work(dry_run=True) as uow:
        return [
            (a.actor, a.action, a.field, a.old, a.new) for a in service.get(uow, reference).audit
        ]


def make(kdc: Kdc, **changes: object) -> tuple[str, int]:
    with kdc.unit_of_work() as uow:
        reference = service.create(uow, new(**changes), "t").reference
        return reference, store.enquiry_row(uow.session, reference).id


def case_url(row_id: int) -> str:
    return f"/admin/enquiry_case/details/?id={row_id}"


def status_options(page: str) -> list[tuple[str, str]]:
    """The (value, label) pairs the case page offers in its status form."""
    select = page.split('id="status-status"')[1].split("</select>")[0]
    return re.findall(r'value="(\w+)">([^<]+)<', select)


def act(c, row_id: int, action: str, data: dict[str, str]):
    """POST one of the case view's forms with the page's token, as the browser does."""
    token = csrf_token(c, case_url(row_id))
    return c.post(f"/admin/enquiry_case/{action}/?id={row_id}", data={**data, "csrf_token": token})


def test_anonymous_requests_go_to_the_login_page_and_change_nothing(app, kdc_app):
    _, row_id = make(kdc_app)
    before = counts(kdc_app)
    anonymous = app.test_client()
    page = anonymous.get(LOG)
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    token = csrf_token(anonymous, "/login")
    for url, data in (
        (LOG, FORM),
        (f"/admin/enquiry_case/note/?id={row_id}", {"body": "hello"}),
        (f"/admin/enquiry_case/status/?id={row_id}", {"status": "acknowledged"}),
        (f"/admin/enquiry_case/extend/?id={row_id}", {"reason": "busy"}),
    ):
        response = anonymous.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert counts(kdc_app) == before


def test_a_viewer_gets_403_on_every_post_and_sees_no_way_in(app, kdc_app):
    _, row_id = make(kdc_app)
    before = counts(kdc_app)
    viewer = client(app, "viewer@example.gov.uk")
    listing = viewer.get("/admin/enquiry/").get_data(as_text=True)
    assert "Log an enquiry" not in listing and "enquiry_log" not in listing
    assert viewer.get(LOG).status_code == 403
    assert viewer.get(case_url(row_id)).status_code == 403
    token = csrf_token(viewer, "/admin/enquiry/")
    for url, data in (
        (LOG, FORM),
        (f"/admin/enquiry_case/note/?id={row_id}", {"body": "hello"}),
        (f"/admin/enquiry_case/status/?id={row_id}", {"status": "acknowledged"}),
        (f"/admin/enquiry_case/extend/?id={row_id}", {"reason": "busy"}),
    ):
        assert viewer.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    assert counts(kdc_app) == before
    for editor in (LIAISON, "admin@example.gov.uk"):
        c = client(app, editor)
        assert "Log an enquiry" in c.get("/admin/enquiry/").get_data(as_text=True)
        assert c.get(LOG).status_code == 200


def test_a_post_without_the_csrf_token_is_refused_with_400(app, kdc_app):
    _, row_id = make(kdc_app)
    before = counts(kdc_app)
    liaison = client(app, LIAISON)
    for url, data in (
        (LOG, FORM),
        (f"/admin/enquiry_case/note/?id={row_id}", {"body": "hello"}),
        (f"/admin/enquiry_case/status/?id={row_id}", {"status": "acknowledged"}),
        (f"/admin/enquiry_case/extend/?id={row_id}", {"reason": "busy"}),
    ):
        assert liaison.post(url, data=data).status_code == 400, url
        wrong = liaison.post(url, data={**data, "csrf_token": "not-the-token"})
        assert wrong.status_code == 400, url
    assert counts(kdc_app) == before


def test_liaison_logs_an_enquiry_as_the_service_would(app, kdc_app):
    liaison = client(app, LIAISON)
    page = liaison.get(LOG).get_data(as_text=True)
    assert '<option value="Ann Smith">Ann Smith (Almondbury)</option>' in page
    assert 'name="csrf_token"' in page
    response = liaison.post(LOG, data={**FORM, "csrf_token": csrf_token(liaison, LOG)})
    assert response.status_code == 302
    reference = store.format_reference(2026, 1)
    assert re.fullmatch(r"KE-\d{4}-\d{6}", reference)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        row_id = store.enquiry_row(uow.session, reference).id
        made = service.get(uow, reference)
    assert response.headers["Location"].endswith(case_url(row_id))
    case = liaison.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Logged {reference}. Named officer: Hana Road." in case
    assert reference in case and "Pat Resident" in case
    assert "Wednesday 1 July 2026, 12:30am" in case, "council time, to the minute"

    # Local time in the council's zone: 00:30 on 1 July (BST) is 23:30 UTC on 30 June.
    assert made.received_at == dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)
    assert made.councillors == ("Ann Smith", "Bob Jones")
    assert made.constituent == Constituent(
        "Pat Resident", "pat@example.org", "01484 000000", "12 Acre Street"
    )
    assert (made.officer, made.routed_by, made.advocacy) == ("Hana Road", "ward_contact", False)
    assert trail(kdc_app, reference) == [
        (ACTOR, "created", "status", None, "received"),
        (ACTOR, "routed", "officer", None, "ward_contact"),
    ]

    # The same enquiry through the service differs only in its reference and the trail's times.
    with kdc_app.unit_of_work() as uow:
        same = service.create(
            uow,
            new(
                councillors=("Ann Smith", "Bob Jones"),
                description=FORM["description"],
                received_at=dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC),
                constituent=made.constituent,
            ),
            ACTOR,
        )
    assert same.reference == store.format_reference(2026, 2)

    def comparable(e):
        return {k: v for k, v in e.to_json().items() if k not in ("reference", "audit")}

    assert comparable(same) == comparable(made)
    assert trail(kdc_app, same.reference) == trail(kdc_app, reference)


def test_an_unassigned_enquiry_says_so_and_is_marked_for_advocacy(app, kdc_app):
    liaison = client(app, LIAISON)
    data = {**FORM, "service": "Parks", "received_at": ""}
    del data["joint_councillors"]  # a multiple select with nothing chosen sends nothing
    response = liaison.post(LOG, data={**data, "csrf_token": csrf_token(liaison, LOG)})
    case = liaison.get(response.headers["Location"]).get_data(as_text=True)
    assert "in the liaison team&#39;s queue (unassigned)" in case
    with kdc_app.unit_of_work(dry_run=True) as uow:
        (made,) = service.search(uow)
    assert (made.officer, made.routed_by, made.advocacy) == (None, "unassigned", True)
    assert made.received_at.year == dt.datetime.now(dt.UTC).year


def test_bad_input_shows_each_fields_error_and_writes_nothing(app, kdc_app):
    liaison = client(app, LIAISON)
    bad = {
        **FORM,
        "councillor": "",
        "ward": "Nowhere",
        "description": "   ",
        "category": "x" * 121,
        "constituent_email": "not-an-email",
        "received_at": "yesterday",
    }
    response = liaison.post(LOG, data={**bad, "csrf_token": csrf_token(liaison, LOG)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was saved" in html
    errors = dict(re.findall(r'id="([a-z_]+)-error">([^<]+)<', html))
    assert errors == {
        "councillor": "Choose the councillor raising the enquiry.",
        "ward": "Not a valid choice.",
        "category": "Field cannot be longer than 120 characters.",
        "description": "Say what the enquiry is about.",
        "received_at": "Not a valid datetime value.",
        "constituent_email": "Constituent&#39;s email: not a valid email address: "
        "An email address must have an @-sign.",
    }
    # What was typed is kept, for correcting.
    assert form_fields(html, "constituent_email")["constituent_email"] == "not-an-email"
    assert counts(kdc_app) == (0, 0, 0, 0)


def test_a_refusal_from_the_service_is_a_message_and_writes_nothing(app, kdc_app):
    """Two serving councillors share a name: the form offers both, the service refuses."""
    with kdc_app.unit_of_work() as uow:
        dalton = uow.session.scalar(select(WardRow).where(WardRow.name == "Dalton"))
        uow.session.add(CouncillorRow(name="Ann Smith", ward_id=dalton.id))
    liaison = client(app, LIAISON)
    response = liaison.post(LOG, data={**FORM, "csrf_token": csrf_token(liaison, LOG)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The enquiry was not logged: 2 councillors are called &#39;Ann Smith&#39;" in html
    assert counts(kdc_app) == (0, 0, 0, 0)


def test_note_status_and_extend_leave_the_same_trail_as_the_service(app, kdc_app):
    through_admin, row_id = make(kdc_app)
    through_service, _ = make(kdc_app)
    liaison = client(app, LIAISON)
    steps = [
        ("note", {"body": "Rang the resident"}),
        ("status", {"status": "acknowledged", "note": "Passed to Hana"}),
        ("extend", {"reason": "Waiting for the contractor", "due": ""}),
        ("extend", {"reason": "Parts on order", "due": "2026-03-31"}),
        ("status", {"status": "resolved", "note": ""}),
        ("status", {"status": "closed"}),
    ]
    offered = {}
    for action, data in steps:
        page = liaison.get(case_url(row_id)).get_data(as_text=True)
        offered[action, data.get("status")] = status_options(page)
        response = act(liaison, row_id, action, data)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(case_url(row_id))
        assert "alert-success" in liaison.get(case_url(row_id)).get_data(as_text=True)
    with kdc_app.unit_of_work() as uow:
        service.add_note(uow, through_service, "Rang the resident", ACTOR)
        service.update_status(uow, through_service, "acknowledged", ACTOR, "Passed to Hana")
        service.extend(uow, through_service, "Waiting for the contractor", ACTOR)
        service.extend(uow, through_service, "Parts on order", ACTOR, dt.date(2026, 3, 31))
        service.update_status(uow, through_service, "resolved", ACTOR)
        service.update_status(uow, through_service, "closed", ACTOR)

    assert offered["note", None] == [
        ("acknowledged", "Acknowledged"), ("in_progress", "In progress"), ("resolved", "Resolved")
    ]  # fmt: skip
    reopen = ("in_progress", "Reopen (in progress)")
    assert offered["status", "closed"] == [reopen, ("closed", "Closed")]
    page = liaison.get(case_url(row_id)).get_data(as_text=True)
    assert status_options(page) == [reopen]
    assert 'id="case-extend"' not in page  # closed: no extension offered

    expected = trail(kdc_app, through_service)
    assert trail(kdc_app, through_admin) == expected
    assert [entry[:2] for entry in expected[2:]] == [
        (ACTOR, "note"),
        (ACTOR, "status"),
        (ACTOR, "note"),
        (ACTOR, "extension 1"),
        (ACTOR, "status"),
        (ACTOR, "note"),
        (ACTOR, "extension 2"),
        (ACTOR, "note"),
        (ACTOR, "status"),
        (ACTOR, "status"),
    ]
    assert expected[-1][1:] == ("status", "status", "resolved", "closed")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        a, s = service.get(uow, through_admin), service.get(uow, through_service)
    assert [(n.author, n.body) for n in a.notes] == [(n.author, n.body) for n in s.notes]
    assert (a.status.value, a.respond_by, a.extension_stage) == ("closed", dt.date(2026, 3, 31), 2)
    assert (a.respond_by, a.extension_reason) == (s.respond_by, s.extension_reason)

    case = liaison.get(case_url(row_id)).get_data(as_text=True)
    timeline = case.split('id="case-timeline"')[1]
    rows = [r.split("</tr>")[0] for r in timeline.split("<tr>")[2:]]
    assert any(
        f'<td class="kdc-break">{LIAISON} (liaison)</td>' in r
        and "Extension 2: respond by 31 March 2026 instead of " in r
        for r in rows
    ), "the timeline says who (by role) and what, in words"
    assert '<div class="kdc-note">Rang the resident</div>' in timeline


def test_refusals_from_the_rules_are_messages_not_errors(app, kdc_app):
    reference, row_id = make(kdc_app)
    liaison = client(app, LIAISON)
    before = trail(kdc_app, reference)

    def refused(action: str, data: dict[str, str]) -> str:
        response = act(liaison, row_id, action, data)
        assert response.status_code == 302
        html = liaison.get(case_url(row_id)).get_data(as_text=True)
        return html.split("alert-danger")[1].split("</div>")[0]

    assert f"{reference}: received → closed is not allowed" in refused(
        "status", {"status": "closed"}
    )
    assert "Not a valid choice" in refused("status", {"status": "extended"})
    assert "Write the note." in refused("note", {"body": "  "})
    assert "Reason: Give the reason." in refused("extend", {"reason": ""})
    assert "must be after the current one" in refused(
        "extend", {"reason": "Soon", "due": "2026-01-06"}
    )
    assert trail(kdc_app, reference) == before

    for reason in ("One", "Two"):
        assert act(liaison, row_id, "extend", {"reason": reason}).status_code == 302
    assert "has had both extensions already" in refused("extend", {"reason": "Three"})
    token = csrf_token(liaison, LOG)
    missing = liaison.post(
        "/admin/enquiry_case/note/?id=999", data={"body": "x", "csrf_token": token}
    )
    assert missing.status_code == 404


def test_user_text_is_escaped_on_the_case_view(app, kdc_app):
    liaison = client(app, LIAISON)
    data = {
        **FORM,
        "description": "<script>window.pwned = 1</script>",
        "constituent_name": "<img src=x onerror=alert(1)>",
    }
    response = liaison.post(LOG, data={**data, "csrf_token": csrf_token(liaison, LOG)})
    row_id = int(response.headers["Location"].rsplit("=", 1)[1])
    assert act(liaison, row_id, "note", {"body": "<script>alert('note')</script>"}).status_code
    html = liaison.get(case_url(row_id)).get_data(as_text=True)
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt;" in html
    assert "<script>window.pwned" not in html and "<img src=x" not in html
    assert "<script>alert(" not in html


def test_an_anonymised_enquiry_takes_no_note_and_offers_no_forms(app, kdc_app):
    reference, row_id = make(kdc_app)
    closed = dt.datetime(2026, 1, 9, tzinfo=dt.UTC)
    with kdc_app.unit_of_work() as uow:
        service.update_status(uow, reference, "resolved", "t", now=closed)
        service.update_status(uow, reference, "closed", "t", now=closed)
        anonymise(uow, [Due(reference, "general", closed, 730)], "t", closed)
    with kdc_app.unit_of_work() as uow, pytest.raises(EnquiryError, match="anonymised"):
        service.add_note(uow, reference, "Pat rang again", "t")
    before = counts(kdc_app)
    liaison = client(app, LIAISON)
    page = liaison.get(case_url(row_id)).get_data(as_text=True)
    assert 'id="case-anonymised"' in page and 'id="case-note"' not in page
    act(liaison, row_id, "note", {"body": "Pat rang again"})
    html = liaison.get(case_url(row_id)).get_data(as_text=True)
    assert "The note was not added: " in html and "has been anonymised" in html
    assert counts(kdc_app) == before


def test_with_another_casework_backend_the_admin_changes_nothing(app, kdc_app):
    _, row_id = make(kdc_app)
    settings = kdc_app.settings.evolve(
        plugin_sections={"enquiries": {"backend": "rest", "url": "http://127.0.0.1:9/"}}
    )
    elsewhere = Kdc(settings, kdc_app.pm)
    try:
        other = create_app(elsewhere, SECRET_KEY=TEST_SECRET)
        liaison = client(other, LIAISON)
        before = counts(kdc_app)
        assert "kept by the &#39;rest&#39; casework backend" in liaison.get(LOG).get_data(
            as_text=True
        )
        response = liaison.post(LOG, data={**FORM, "csrf_token": csrf_token(liaison, LOG)})
        assert "The enquiry was not logged: Enquiries are kept by" in response.get_data(
            as_text=True
        )
        act(liaison, row_id, "note", {"body": "hello"})
        assert "The note was not added: Enquiries are kept by" in liaison.get(
            case_url(row_id)
        ).get_data(as_text=True)
        assert counts(kdc_app) == before
    finally:
        elsewhere.dispose()


def test_joint_councillors_are_stored_once_and_after_the_lead(app, kdc_app):
    liaison = client(app, LIAISON)
    token = csrf_token(liaison, LOG)
    data = [(k, v) for k, v in FORM.items() if k != "joint_councillors"]
    data += [("joint_councillors", "Ann Smith"), ("joint_councillors", "Cat Lee")]
    data += [("joint_councillors", "Bob Jones"), ("csrf_token", token)]
    assert liaison.post(LOG, data=MultiDict(data)).status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        (made,) = service.search(uow)
        kinds = list(uow.session.scalars(select(EnquiryPersonRow.kind)))
    assert made.councillors == ("Ann Smith", "Cat Lee", "Bob Jones")
    assert kinds.count("councillor") == 1 and kinds.count("joint_councillor") == 2


def test_closing_a_resolved_enquiry_is_not_a_reopening(app, kdc_app):
    """Closing keeps when it was resolved and whether in time (the SLA figures read it), is
    audited as a status change, and is not bound by the follow-up window."""
    reference, _ = make(kdc_app)
    resolved = dt.datetime(2026, 1, 8, tzinfo=dt.UTC)
    with kdc_app.unit_of_work() as uow:
        service.update_status(uow, reference, "resolved", "t", now=resolved)
        closed = service.update_status(
            uow, reference, "closed", "t", now=resolved + dt.timedelta(days=60)
        )
        row = store.enquiry_row(uow.session, reference)
        assert (row.resolved_at, row.resolved_in_time) == (resolved, True)
    assert closed.resolved_at == resolved and closed.closed_at is not None
    assert trail(kdc_app, reference)[-1] == ("t", "status", "status", "resolved", "closed")
    html = client(app, LIAISON).get("/admin/sla/").get_data(as_text=True)
    highways = html.split('id="sla-service"')[1].split(">Highways</th>")[1].split("</tr>")[0]
    assert "100%" in highways
