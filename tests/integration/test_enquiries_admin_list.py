"""The admin's enquiry list and case page as caseworkers use them: names not ids, the status
and the lateness in words, filters, a CSV export with no personal data for viewers, the
timeline, assigning the named officer (messages queued, counted) and contact details removed
under retention."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from enquiry_people import seed_enquiry_people
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in
from kdc_core.config import MailSettings, Settings
from kdc_core.db.people import CouncillorRow, OfficerRow, WardRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries import service
from kdc_core.enquiries.retention import Due, anonymise
from kdc_core.enquiries.values import Constituent, NewEnquiry
from kdc_core.mail import outbox

LIAISON = "liaison@example.gov.uk"
VIEWER = "viewer@example.gov.uk"
ADMIN = "ruth.shaw@example.gov.uk"
LONG = "Pothole outside 12 Acre Street where Pat Resident tripped and hurt her knee last week"


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        plugin_sections={"maildir": {"path": str(tmp_path / "mail")}},
        mail=MailSettings(mailer="maildir", sender="councillor-support@kirklees.example"),
    )


def new(svc: str, day: dt.date, description: str = LONG, **more: object) -> NewEnquiry:
    return NewEnquiry(
        councillors=("Ann Smith", *more.pop("joint", ())),  # type: ignore[arg-type]
        ward=str(more.pop("ward", "Almondbury")),
        category="general",
        service=svc,
        description=description,
        constituent=Constituent("Pat Resident", "pat@example.org", "01484 111111", "12 Acre St"),
        received_at=dt.datetime.combine(day, dt.time(9), dt.UTC),
    )


@pytest.fixture
def refs(kdc_app) -> dict[str, str]:
    """late (Highways, Hana Road, 10 working days over), parks (unassigned), fresh (Waste,
    due far ahead) and done (resolved)."""
    seed_enquiry_people(kdc_app)
    today = dt.datetime.now(kdc_app.settings.tz).date()
    with kdc_app.unit_of_work() as uow:
        for row in uow.session.scalars(select(CouncillorRow)):
            row.email = f"{row.name.split()[0].lower()}@councillors.example"
        for row in uow.session.scalars(select(OfficerRow)):
            row.email = f"{row.given_name.lower()}@kirklees.example"
        uow.session.add(
            OfficerRow(person_id="p5", given_name="Ruth", family_name="Shaw", email=ADMIN)
        )
        made = {
            "late": service.create(uow, new("Highways", today - dt.timedelta(days=42)), "t"),
            "parks": service.create(
                uow, new("Parks", today, "Broken bench", joint=("Bob Jones",)), "t"
            ),
            "fresh": service.create(
                uow, new("Waste", today + dt.timedelta(days=60), "Bins", ward="Dalton"), "t"
            ),
            "done": service.create(uow, new("Waste", today, "Done"), "t"),
        }
        service.update_status(uow, made["done"].reference, "resolved", "t")
    return {k: v.reference for k, v in made.items()}


@pytest.fixture
def app(kdc_app, refs):
    add_user(kdc_app, VIEWER, "viewer")
    add_user(kdc_app, LIAISON, "liaison")
    add_user(kdc_app, ADMIN, "admin")
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET)


def client(app, email):
    c = app.test_client()
    assert log_in(c, email).status_code == 302
    return c


def rows(html: str) -> dict[str, str]:
    """Each table row of the list, by the reference it holds."""
    body = html.split("model-list")[1].split("</thead>")[1].split("</table>")[0]
    out = {}
    for tr in body.split("<tr")[1:]:
        found = re.search(r"KE-\d{4}-\d{6}", tr)
        if found:
            out[found.group()] = re.sub(r"\s+", " ", tr)
    return out


def row_id(kdc, reference: str) -> int:
    with kdc.unit_of_work(dry_run=True) as uow:
        return store.enquiry_row(uow.session, reference).id


def test_the_list_shows_names_words_dates_and_the_overdue_badge_to_liaison(app, kdc_app, refs):
    html = client(app, LIAISON).get("/admin/enquiry/").get_data(as_text=True)
    listed = rows(html)
    assert set(listed) == set(refs.values())
    late = listed[refs["late"]]
    assert LONG[:50] in late and LONG not in late and "…" in late  # short, ~60 characters
    assert '<td class="col-councillor"> Ann Smith </td>' in late
    for name in ("Almondbury", "Highways", "Hana Road", "Received"):
        assert f"> {name} </td>" in late, name
    assert re.search(r"Overdue by \d+ working days</span>", late)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        due = service.get(uow, refs["late"]).respond_by
    assert f"> {due.day} {due:%B %Y} </td>" in late  # a UK date
    assert "> Unassigned </td>" in listed[refs["parks"]]
    assert "Ann Smith, Bob Jones" in listed[refs["parks"]]
    assert "Overdue" not in listed[refs["fresh"]] and "> Resolved </td>" in listed[refs["done"]]
    table = "".join(listed.values())
    assert "in_progress" not in table and "ward_contact" not in table
    assert f'href="/admin/enquiry_case/details/?id={row_id(kdc_app, refs["late"])}"' in late


def test_a_viewer_sees_no_description_nor_constituent_in_the_list_or_the_export(app, refs):
    viewer = client(app, VIEWER)
    html = viewer.get("/admin/enquiry/").get_data(as_text=True)
    assert "Pothole" not in html and "Pat" not in html and "Broken bench" not in html
    assert "Hana Road" in rows(html)[refs["late"]] and "Description" not in html
    search = viewer.get("/admin/enquiry/?search=Pothole").get_data(as_text=True)
    assert rows(search) == {}, "a viewer cannot find enquiries by words they may not read"
    export = viewer.get("/admin/enquiry/export/csv/")
    assert export.status_code == 200
    table = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert {r["Reference"] for r in table} == set(refs.values())
    text = export.get_data(as_text=True)
    assert "Pothole" not in text and "Pat" not in text and "Broken bench" not in text
    late = next(r for r in table if r["Reference"] == refs["late"])
    assert late["Named officer"] == "Hana Road" and late["Councillor"] == "Ann Smith"
    assert late["Timescale"].startswith("Overdue by ") and late["Status"] == "Received"
    assert "Description" not in table[0]

    liaison_export = client(app, LIAISON).get("/admin/enquiry/export/csv/").get_data(as_text=True)
    assert "Pothole outside" in liaison_export


def test_the_filters_pick_by_name_and_queue(app, kdc_app, refs):
    liaison = client(app, LIAISON)
    page = liaison.get("/admin/enquiry/").get_data(as_text=True)
    for label in ("Councillor", "Ward", "Service", "Named officer", "Status", "Queue"):
        assert f"{label}" in page
    with kdc_app.unit_of_work(dry_run=True) as uow:
        hana = uow.session.scalar(select(OfficerRow.id).where(OfficerRow.family_name == "Road"))
        bob = uow.session.scalar(select(CouncillorRow.id).where(CouncillorRow.name == "Bob Jones"))
        dalton = uow.people.ward("Dalton").id

    order = ("Councillor", "Ward", "Service", "Named officer", "Status", "Queue")

    def listed(flt: str, value: object) -> set[str]:
        html = liaison.get(f"/admin/enquiry/?flt0_{order.index(flt)}={value}")
        return set(rows(html.get_data(as_text=True)))

    assert listed("Named officer", hana) == {refs["late"]}
    assert listed("Named officer", "none") == {refs["parks"]}
    assert listed("Councillor", bob) == {refs["parks"]}
    assert listed("Ward", dalton) == {refs["fresh"]}
    assert listed("Status", "resolved") == {refs["done"]}
    assert listed("Queue", "overdue") == {refs["late"]}
    assert listed("Queue", "unassigned") == {refs["parks"]}
    assert refs["fresh"] not in listed("Queue", "due-soon")
    # A value that is not one of the options is ignored, never run as SQL or a 500.
    assert listed("Queue", "nonsense") == set(refs.values())
    assert listed("Named officer", "1 or 1=1") == set(refs.values())

    by_due = liaison.get("/admin/enquiry/?sort=7").get_data(as_text=True)
    order = list(rows(by_due))
    assert order.index(refs["late"]) < order.index(refs["fresh"]), "sorted by respond-by"


def test_filter_drop_downs_list_what_there_is_now_not_what_there_was_at_start(app, kdc_app):
    liaison = client(app, LIAISON)
    assert "Newsome Heights" not in liaison.get("/admin/enquiry/").get_data(as_text=True)
    with kdc_app.unit_of_work() as uow:
        uow.session.add(WardRow(name="Newsome Heights", slug="newsome-heights"))
    # The same app, made before the ward was: its enquiry and councillor lists offer it.
    assert "Newsome Heights" in liaison.get("/admin/enquiry/").get_data(as_text=True)
    assert "Newsome Heights" in liaison.get("/admin/councillor/").get_data(as_text=True)


def test_the_list_takes_the_same_number_of_queries_for_many_enquiries(app, kdc_app):
    liaison = client(app, LIAISON)

    def queries() -> int:
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            seen.append(statement)

        event.listen(Engine, "before_cursor_execute", count)
        try:
            assert liaison.get("/admin/enquiry/").status_code == 200
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        return len([s for s in seen if "enquir" in s.lower() or "officers" in s.lower()])

    few = queries()
    today = dt.datetime.now(kdc_app.settings.tz).date()
    with kdc_app.unit_of_work() as uow:
        for i in range(25):
            service.create(uow, new("Highways" if i % 2 else "Waste", today, f"Case {i}"), "t")
    assert queries() == few


def test_liaison_assigns_the_named_officer_with_a_reason_and_the_flash_counts_the_messages(
    app, kdc_app, refs
):
    liaison = client(app, LIAISON)
    rid = row_id(kdc_app, refs["late"])
    url = f"/admin/enquiry_case/details/?id={rid}"
    page = liaison.get(url).get_data(as_text=True)
    chooser = page.split('id="assign-officer"')[1].split("</select>")[0]
    assert '<option value="p3">Wes Bins (Waste)</option>' in chooser
    assert "Ruth Shaw" in chooser and ">p1<" not in chooser
    with kdc_app.unit_of_work(dry_run=True) as uow:
        before = outbox.counts(uow)
    response = liaison.post(
        f"/admin/enquiry_case/assign/?id={rid}",
        data={"officer": "p3", "reason": "Waste team owns the verge", "csrf_token": csrf_token(
            liaison, url)},
    )  # fmt: skip
    assert response.status_code == 302
    html = liaison.get(url).get_data(as_text=True)
    flash = html.split("alert-success")[1].split("</div>")[0]
    assert f"{refs['late']}: the named officer is now Wes Bins." in flash
    assert "3 messages queued for " in flash and "sent" not in flash
    with kdc_app.unit_of_work(dry_run=True) as uow:
        after = outbox.counts(uow)
        assert service.get(uow, refs["late"]).officer == "Wes Bins"
    assert sum(after.values()) - sum(before.values()) == 3
    timeline = html.split('id="case-timeline"')[1].split("</table>")[0]
    assert "Routed to the ward&#39;s named contact for the service" in timeline
    assert "Named officer changed from Hana Road to Wes Bins" in timeline
    assert "Assigned to Wes Bins: Waste team owns the verge" in timeline
    assert f"{LIAISON} (liaison)" in timeline

    admin = client(app, ADMIN)
    token = csrf_token(admin, url)
    admin.post(f"/admin/enquiry_case/assign/?id={rid}", data={"officer": "p1", "csrf_token": token})
    timeline = admin.get(url).get_data(as_text=True).split('id="case-timeline"')[1]
    assert "Ruth Shaw (admin)" in timeline, "who is a name where the address is known"
    stamp = re.findall(r'<td class="text-nowrap">([^<]+)</td>', timeline)
    assert all(re.fullmatch(r"\w+day \d{1,2} \w+ \d{4}, \d{1,2}:\d\d[ap]m", s) for s in stamp)
    assert stamp == sorted(stamp, key=lambda s: stamp.index(s)), "newest last"


def test_assigning_is_refused_to_viewers_and_for_unknown_officers(app, kdc_app, refs):
    rid = row_id(kdc_app, refs["parks"])
    url = f"/admin/enquiry_case/details/?id={rid}"
    liaison = client(app, LIAISON)
    token = csrf_token(liaison, url)
    liaison.post(
        f"/admin/enquiry_case/assign/?id={rid}", data={"officer": "nobody", "csrf_token": token}
    )
    refused = liaison.get(url).get_data(as_text=True).split("alert-danger")[1]
    assert "The named officer was not changed" in refused
    viewer = client(app, VIEWER)
    assert (
        viewer.post(
            f"/admin/enquiry_case/assign/?id={rid}",
            data={"officer": "p3", "csrf_token": csrf_token(viewer, "/admin/enquiry/")},
        ).status_code
        == 403
    )
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert service.get(uow, refs["parks"]).officer is None


def test_contact_details_show_for_liaison_and_say_when_retention_removed_them(app, kdc_app, refs):
    rid = row_id(kdc_app, refs["done"])
    url = f"/admin/enquiry_case/details/?id={rid}"
    liaison = client(app, LIAISON)
    page = liaison.get(url).get_data(as_text=True)
    for detail in ("Pat Resident", "pat@example.org", "01484 111111", "12 Acre St"):
        assert detail in page
    with kdc_app.unit_of_work() as uow:
        service.update_status(uow, refs["done"], "closed", "t")
        when = dt.datetime(2031, 2, 3, 12, tzinfo=dt.UTC)
        anonymise(uow, [Due(refs["done"], "general", when, 1)], "retention", when)
    page = liaison.get(url).get_data(as_text=True)
    assert "Pat Resident" not in page and "pat@example.org" not in page
    assert page.count("Removed under retention on 3 February 2031") >= 5
    assert 'id="case-assign"' not in page
    listing = liaison.get("/admin/enquiry/").get_data(as_text=True)
    assert "Removed under retention on 3 February 2031" in rows(listing)[refs["done"]]
