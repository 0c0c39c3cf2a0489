"""Protocol 11.2 complaints in the admin: admins log a complaint and take it through its
stages with the same functions as ``kdc protocol complaint-open`` / ``complaint-escalate``;
viewers and liaison staff get 403 on every complaints URL, GET and POST, and no menu entry."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from event_people import seed_cast

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in
from kdc_core.protocol import complaints as complaint_log
from kdc_core.protocol.complaints import Stage
from kdc_core.protocol.service import check_all

ADMIN, LIAISON, VIEWER = "admin@example.gov.uk", "liaison@example.gov.uk", "viewer@example.gov.uk"


@pytest.fixture
def cast(kdc_app):
    with kdc_app.unit_of_work() as uow:
        return seed_cast(uow)


@pytest.fixture
def app(kdc_app, cast):
    for email, role in ((ADMIN, "admin"), (LIAISON, "liaison"), (VIEWER, "viewer")):
        add_user(kdc_app, email, role)
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


@pytest.fixture
def complaint_id(kdc_app, cast) -> int:
    with kdc_app.unit_of_work() as uow:
        return complaint_log.open_complaint(
            uow, cast.ann, "Shouting <at> reception", dt.date(2027, 1, 5), cast.olu
        ).id


def client(app, email):
    c = app.test_client()
    assert log_in(c, email).status_code == 302
    return c


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def log(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return complaint_log.complaints(uow)


@pytest.mark.parametrize("email", [VIEWER, LIAISON])
def test_viewers_and_liaison_get_403_on_every_complaints_url(app, kdc_app, complaint_id, email):
    c = client(app, email)
    token = csrf_token(c, "/admin/")
    assert "Shouting" not in text(c.get("/admin/")) and "Complaints (11.2)" not in text(
        c.get("/admin/protocol/")
    )
    details = f"/admin/complaints/details?id={complaint_id}"
    gets = ["/admin/complaints/", "/admin/complaints/new", details]
    for url in gets:
        assert c.get(url).status_code == 403, url
    posts = {
        "/admin/complaints/new": {"councillor": "1", "summary": "x"},
        f"/admin/complaints/escalate?id={complaint_id}": {
            "stage": "monitoring_officer",
            "result": "x",
        },
        f"/admin/complaints/close?id={complaint_id}": {"outcome": "x"},
    }
    for url, data in posts.items():
        assert c.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    assert c.get("/admin/protocol/complaints").status_code == 404, "the old open page is gone"
    [still] = log(kdc_app)
    assert len(still.stages) == 1 and still.closed_on is None


def test_anonymous_requests_for_complaints_go_to_the_login_page(app, complaint_id):
    anonymous = app.test_client()
    for url in ("/admin/complaints/", f"/admin/complaints/details?id={complaint_id}"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_admin_logs_a_complaint_and_takes_it_through_the_stages(app, kdc_app, cast):
    admin = client(app, ADMIN)
    assert "Complaints (11.2)" in text(admin.get("/admin/"))
    form = text(admin.get("/admin/complaints/new"))
    assert f'<option value="{cast.ann}">Ann Lee</option>' in form
    assert f'<option value="{cast.olu}">Olu Ade</option>' in form
    token = csrf_token(admin, "/admin/complaints/new")
    refused = admin.post(
        "/admin/complaints/new",
        data={"councillor": str(cast.ann), "summary": "Shouted", "stage": "standards",
              "received": "2027-03-02", "csrf_token": token},
    )  # fmt: skip
    assert refused.status_code == 200, "the form comes back, filled in, with the reason"
    assert "The complaint was not logged: 11.2: going to the formal standards route skips" in text(
        refused
    )
    assert log(kdc_app) == []

    made = admin.post(
        "/admin/complaints/new",
        data={"councillor": str(cast.ann), "officer": str(cast.olu), "stage": "group",
              "summary": "Shouted <b>at</b> the officer", "received": "2027-03-02",
              "csrf_token": token},
    )  # fmt: skip
    [complaint] = log(kdc_app)
    assert made.headers["Location"].endswith(f"/admin/complaints/details?id={complaint.id}")
    page = text(admin.get(made.headers["Location"]))
    assert f"Complaint {complaint.id} about Ann Lee logged." in page
    assert "Olu Ade" in page and "Tuesday 2 March 2027" in page
    assert "Shouted &lt;b&gt;at&lt;/b&gt; the officer" in admin.get(
        made.headers["Location"]
    ).get_data(as_text=True), "the summary is text, not markup"
    listing = text(admin.get("/admin/complaints/"))
    assert "Ann Lee" in listing and "Olu Ade" in listing and "Tuesday 30 March 2027" in listing

    url = f"/admin/complaints/details?id={complaint.id}"
    token = csrf_token(admin, url)
    admin.post(
        f"/admin/complaints/escalate?id={complaint.id}",
        data={"stage": "standards", "result": "Not settled", "csrf_token": token},
    )
    assert "skips the Monitoring Officer; give a reason" in text(admin.get(url))
    admin.post(
        f"/admin/complaints/escalate?id={complaint.id}",
        data={"stage": "monitoring_officer", "result": "Not settled", "on": "2027-03-20",
              "csrf_token": token},
    )  # fmt: skip
    page = text(admin.get(url))
    assert f"Complaint {complaint.id} is now with the Monitoring Officer." in page
    [complaint] = log(kdc_app)
    assert [s.stage for s in complaint.stages] == [Stage.GROUP, Stage.MONITORING_OFFICER]
    assert complaint.stages[0].result == "Not settled"
    assert complaint.stages[0].ended_on == dt.date(2027, 3, 20)

    admin.post(
        f"/admin/complaints/close?id={complaint.id}",
        data={"outcome": "Apology given", "on": "2027-04-01", "csrf_token": token},
    )
    [complaint] = log(kdc_app)
    assert (complaint.closed_on, complaint.outcome) == (dt.date(2027, 4, 1), "Apology given")
    page = text(admin.get(url))
    assert "Closed on Thursday 1 April 2027" in page or "closed on Thursday 1 April 2027" in page
    assert 'id="complaint-escalate"' not in page and 'id="complaint-close"' not in page
    assert admin.get("/admin/complaints/details?id=999").status_code == 404


def test_findings_about_complaints_are_shown_only_to_admins(app, kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        late = complaint_log.open_complaint(uow, cast.bob, "Hectoring", dt.date(2020, 1, 6)).id
        check_all(uow)
    label = f"Complaint {late} about Bob Hall"
    for email in (VIEWER, LIAISON):
        page = text(client(app, email).get("/admin/protocol/"))
        assert label not in page and "Hectoring" not in page, email
    page = client(app, ADMIN).get("/admin/protocol/").get_data(as_text=True)
    assert f'<a href="/admin/complaints/details?id={late}">{label}</a>' in page
    assert "<td>Warning" in page and "<td>warning" not in page
