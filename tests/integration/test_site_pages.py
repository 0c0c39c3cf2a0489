"""The people's site's public pages on the demo council: wards, councillors, who does what,
events, the protocol and success stories; who may see what; odd input never a 500."""

from __future__ import annotations

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest
from site_helpers import sign_in, site_client
from sqlalchemy import select

from kdc_core.calendar.events import cancel_event, create_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.db.newsletters import SuccessStoryRow
from kdc_core.db.people import CouncillorRow, OfficerRow
from kdc_core.people.queries import contact_for, manager_chain, ward_summary
from kdc_core.people.slugs import councillor_slugs

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def kdc_template() -> str:
    return "demo"


@pytest.fixture
def client(kdc_app):
    return site_client(kdc_app)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _ward_with_contacts(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        for ward in uow.people.wards():
            summary = ward_summary(uow, ward)
            if summary.link_officer and summary.contacts and len(summary.councillors) == 3:
                return summary, councillor_slugs(uow)
    raise AssertionError("the demo has no ward with a link officer and contacts")


def test_a_ward_page_shows_its_councillors_contacts_officers_and_feed(kdc_app, client):
    summary, slugs = _ward_with_contacts(kdc_app)
    index = text(client.get("/wards/"))
    assert f'href="/wards/{summary.ward.slug}/"' in index
    page = text(client.get(f"/wards/{summary.ward.slug}/"))
    assert f'<h1 class="govuk-heading-xl">{summary.ward.name}</h1>' in page
    for councillor in summary.councillors:
        assert f"Councillor {councillor.name}" in page
        assert f"/councillors/{slugs[councillor.id]}/" in page
        if councillor.group:
            assert councillor.group.name in page
    assert summary.link_officer is not None
    assert f"/people/{summary.link_officer.person_id}/" in page
    for contact in summary.contacts:
        assert contact.service.name in page and contact.officer.name in page
    assert "webcal://" in page and f"/feeds/wards/{summary.ward.slug}.ics" in page
    # A ward reached by its name, not its slug, redirects to the slug.
    moved = client.get(f"/wards/{summary.ward.name.replace(' ', '%20')}/")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(f"/wards/{summary.ward.slug}/")


def test_a_councillor_profile_shows_posts_committees_terms_and_surgery(kdc_app, client):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        slugs = councillor_slugs(uow)
        person = next(
            c
            for c in uow.people.councillors()
            if c.surgery and c.key_posts and any(r.committee for r in c.roles)
        )
    page = text(client.get(f"/councillors/{slugs[person.id]}/"))
    assert f"Councillor {person.name}</h1>" in page
    assert person.key_posts[0] in page
    assert next(r.committee for r in person.roles if r.committee) in page
    assert f"{person.terms[0].start.day} {person.terms[0].start:%B %Y}" in page
    assert "Surgeries" in page
    assert person.ward is not None and f"/wards/{person.ward.slug}/" in page
    # External photos are left out (the page may load images only from this site).
    assert "<img" not in page or "democracy.example.gov.uk" not in page
    assert client.get("/councillors/nobody-at-all/").status_code == 404


def test_a_councillors_mobile_number_is_for_signed_in_people_only(kdc_app, client):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        slugs = councillor_slugs(uow)
        person = next(c for c in uow.people.councillors() if c.mobile and c.email)
    path = f"/councillors/{slugs[person.id]}/"
    public = text(client.get(path))
    assert person.email in public and person.mobile not in public
    sign_in(kdc_app, client, person.email)
    assert person.mobile in text(client.get(path))


def test_two_councillors_with_one_name_get_distinct_stable_addresses(kdc_app, client):
    with kdc_app.unit_of_work() as uow:
        first = uow.session.scalars(select(CouncillorRow).order_by(CouncillorRow.id)).first()
        twin = CouncillorRow(name=first.name, ward_id=first.ward_id)
        uow.session.add(twin)
        uow.session.flush()
        twin_id, first_id, base = twin.id, first.id, councillor_slugs(uow)[first.id]
    with kdc_app.unit_of_work(dry_run=True) as uow:
        slugs = councillor_slugs(uow)
    assert slugs[first_id] == base
    assert slugs[twin_id] == f"{base}-{twin_id}"
    assert client.get(f"/councillors/{base}/").status_code == 200
    assert client.get(f"/councillors/{base}-{twin_id}/").status_code == 200
    # The id form of the first one's address still finds them, at the canonical address.
    moved = client.get(f"/councillors/{base}-{first_id}/")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"/{base}/")


def test_a_pen_portrait_with_a_script_is_shown_as_text(kdc_app, client):
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalars(select(CouncillorRow).order_by(CouncillorRow.id)).first()
        row.bio = 'Hello <script>alert("bio")</script> **there**'
        row.surgery = "<img src=x onerror=alert(1)> Fridays"
        slug = councillor_slugs(uow)[row.id]
        ward = row.ward.slug
    for path in (f"/councillors/{slug}/", f"/wards/{ward}/"):
        raw = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in raw
        assert "&lt;script&gt;alert" in raw
        assert "<strong>there</strong>" in raw
        assert "<img src=x" not in raw and not re.search(r"<[^>]*onerror", raw)


def test_who_does_what_searches_by_name_service_ward_and_team(kdc_app, client):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        officer = next(o for o in uow.people.officers() if o.wards and o.team and o.service)
    ward = officer.wards[0].ward
    page = text(
        client.get(
            "/people/",
            query_string={
                "q": officer.family_name.upper(),
                "service": officer.service.slug,
                "ward": ward.slug,
                "team": officer.team,
            },
        )
    )
    assert f"/people/{officer.person_id}/" in page
    assert "officer found" in page or "officers found" in page
    # Everyone in a big service spreads over pages, each a link away.
    everyone = text(client.get("/people/", query_string={"q": "e"}))
    assert "govuk-pagination" in everyone
    second = client.get("/people/", query_string={"q": "e", "page": "2"})
    assert second.status_code == 200 and 'aria-current="page"' in second.get_data(as_text=True)
    nobody = text(client.get("/people/", query_string={"q": "zzzz-nobody"}))
    assert "0 officers found" in nobody and "No officers match" in nobody


def test_who_to_contact_gives_the_core_answer_and_its_reason(kdc_app, client):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        wards = uow.people.wards()
        services = [s for s in uow.people.services() if s.ward_facing]
        found: dict[bool, object] = {}
        for ward in wards:
            for service in services:
                answer = contact_for(uow, ward, service)
                if answer.officer is not None:
                    found.setdefault(answer.reason.value == "ward_contact", answer)
            if len(found) == 2:
                break
    named, fallback = found[True], found[False]
    for answer in (named, fallback):
        page = text(
            client.get(
                "/people/contact",
                query_string={"service": answer.service.slug, "ward": answer.ward.slug},
            )
        )
        assert answer.explanation in page
        assert f"/people/{answer.officer.person_id}/" in page
    assert "no named contact for this service" in text(
        client.get(
            "/people/contact",
            query_string={"service": fallback.service.slug, "ward": fallback.ward.slug},
        )
    )
    missing = text(client.get("/people/contact", query_string={"service": "", "ward": "x"}))
    assert "There is a problem" in missing and "Choose the service you need" in missing


def test_an_officer_page_keeps_contact_details_for_signed_in_people(kdc_app, client):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        officer = next(
            o
            for o in uow.people.officers()
            if o.email and o.phone and o.bio and o.manager_id and o.wards
        )
        manager = manager_chain(uow, officer.person_id)[0]
        councillor_email = uow.session.scalar(
            select(CouncillorRow.email).where(CouncillorRow.email.is_not(None)).limit(1)
        )
    path = f"/people/{officer.person_id}/"
    public = text(client.get(path))
    assert f"{officer.name}</h1>" in public
    assert officer.job_title in public and officer.team in public
    assert officer.wards[0].ward.name in public
    assert officer.bio.split("\n")[0][:40] in public
    assert officer.email not in public and officer.phone not in public
    assert manager.name not in public
    sign_in(kdc_app, client, councillor_email)
    private = text(client.get(path))
    assert officer.email in private and officer.phone in private
    assert f"/people/{manager.person_id}/" in private
    assert client.get("/people/NO-SUCH-PERSON/").status_code == 404


def _event(kdc_app, **changes) -> tuple[str, str]:
    start = dt.datetime(2027, 3, 2, 18, 0, tzinfo=LONDON)
    values = {
        "kind": EventKind.OTHER,
        "title": "Site page test event",
        "start": start,
        "end": start + dt.timedelta(hours=2),
        "location": "Dewsbury Town Hall",
        **changes,
    }
    with kdc_app.unit_of_work() as uow:
        event = create_event(uow, NewEvent(**values), override_reason="test")
    return event.uid, event.title


def _councillors(kdc_app, n: int) -> list[tuple[int, str]]:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        rows = uow.session.execute(
            select(CouncillorRow.id, CouncillorRow.email)
            .where(CouncillorRow.email.is_not(None), CouncillorRow.archived_at.is_(None))
            .order_by(CouncillorRow.id)
            .limit(n)
        ).all()
    return [(r.id, r.email) for r in rows]


def test_a_public_event_opens_for_anyone_in_the_councils_time(kdc_app, client):
    ((cid, _email),) = _councillors(kdc_app, 1)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        ward = uow.people.councillor(cid).ward
    uid, _title = _event(
        kdc_app,
        title="Open day <b>& more</b>",
        public=True,
        ward_ids=(ward.id,),
        councillor_ids=(cid,),
        kind=EventKind.OPEN_DAY,
    )
    response = client.get(f"/events/{uid}")
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    assert "Open day &lt;b&gt;&amp; more&lt;/b&gt;" in raw
    page = html.unescape(raw)
    assert "Tuesday 2 March 2027, 6:00pm to 8:00pm" in page
    assert "Dewsbury Town Hall" in page
    assert f"/wards/{ward.slug}/" in page
    assert "webcal://" in page and f"/feeds/wards/{ward.slug}.ics" in page
    assert "/councillors/" in page


def test_a_private_event_needs_sign_in_then_invitation_or_staff(kdc_app):
    (invited, invited_email), (_other, other_email) = _councillors(kdc_app, 2)
    uid, title = _event(kdc_app, title="Private briefing", councillor_ids=(invited,))
    path = f"/events/{uid}"
    anonymous = site_client(kdc_app).get(path)
    assert anonymous.status_code == 302
    assert "/sign-in?next=" in anonymous.headers["Location"]
    outsider = site_client(kdc_app)
    sign_in(kdc_app, outsider, other_email)
    refused = outsider.get(path)
    assert refused.status_code == 403 and "You cannot see this page" in text(refused)
    guest = site_client(kdc_app)
    sign_in(kdc_app, guest, invited_email)
    shown = guest.get(path)
    assert shown.status_code == 200 and title in text(shown)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        officer_email = uow.session.scalar(
            select(OfficerRow.email).where(OfficerRow.email.is_not(None)).limit(1)
        )
    staff = site_client(kdc_app)
    sign_in(kdc_app, staff, officer_email)
    assert staff.get(path).status_code == 200


def test_a_cancelled_event_says_so(kdc_app, client):
    uid, _title = _event(kdc_app, title="Walkabout called off", public=True)
    with kdc_app.unit_of_work() as uow:
        event = uow.events.by_uid(uid)
        cancel_event(uow, event.id)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        cancelled_at = uow.events.by_uid(uid).cancelled_at
    page = text(client.get(f"/events/{uid}"))
    day = cancelled_at.astimezone(LONDON)
    assert f"This event was cancelled on {day.day} {day:%B %Y}." in page
    assert "<title>Cancelled: Walkabout called off" in page


def test_unknown_pages_get_the_sites_page_and_admin_keeps_its_own(client):
    for path in ("/events/no-such-uid@example", "/wards/atlantis/", "/no/such/page"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in text(response), path
        assert "govuk-template" in response.get_data(as_text=True)
    admin = client.get("/admin/no-such-view/")
    assert admin.status_code in (302, 404)
    assert "govuk-template" not in admin.get_data(as_text=True)


ODD_PATHS = (
    "/people/?q=%00&service=%00&ward=%00&team=%00&page=%00",
    "/people/?q=" + "x" * 5000 + "&page=99999999999999999999",
    "/people/?q=%25_%5C&page=-3",
    "/people/contact?service=%00&ward=%ff",
    "/stories/?ward=%00&page=abc",
    "/wards/%00/",
    "/councillors/%00/",
    "/people/%00/",
    "/events/%00",
    "/events/" + "u" * 400,
    "/events/%F0%9F%92%A9%00@x",
    "/protocol/?for=%00",
)


def test_odd_input_never_fails(client):
    """NUL bytes, huge or negative page numbers, LIKE wildcards, over-long paths: no 500;
    a control character is refused with 400."""
    for path in ODD_PATHS:
        expected = (400,) if "%00" in path else (200, 301, 302, 404)
        assert client.get(path).status_code in expected, path


def test_the_protocol_guide_clauses_and_scenarios(client):
    guide = text(client.get("/protocol/"))
    assert "The member–officer protocol for councillors</h1>" in guide
    assert "What to expect (section 1)" in guide
    officers = text(client.get("/protocol/", query_string={"for": "officer"}))
    assert "The member–officer protocol for officers</h1>" in officers
    clauses = text(client.get("/protocol/clauses/"))
    assert re.search(r'id="clause-\d+\.\d+"', clauses)
    assert 'href="/protocol/clauses/#clause-' in guide
    scenarios = text(client.get("/protocol/scenarios/"))
    assert 'id="scenario-1"' in scenarios and "Scenario 1:" in scenarios


def test_success_stories_by_ward(kdc_app, client):
    """A ward's stories and the council-wide ones, not other wards' nor future ones."""
    today = dt.datetime.now(LONDON).date()
    with kdc_app.unit_of_work() as uow:
        here, there = uow.people.wards()[:2]
        service = uow.people.service_row(uow.people.services()[0].slug)
        for title, ward, days in (
            ("Pothole blitz on Here Street", here, 3),
            ("New benches over there", there, 2),
            ("Every ward's litter pick", None, 1),
            ("Not yet announced <em>news</em>", here, -5),
        ):
            uow.session.add(
                SuccessStoryRow(
                    title=title,
                    body=f"What happened: **{title}**.",
                    published_on=today - dt.timedelta(days=days),
                    ward_id=ward.id if ward else None,
                    service_id=service.id,
                )
            )
    page = text(client.get("/stories/", query_string={"ward": here.slug}))
    assert f"Success stories in {here.name}</h1>" in page
    assert "Pothole blitz on Here Street" in page and "Every ward's litter pick" in page
    assert "New benches over there" not in page and "Not yet announced" not in page
    everything = text(client.get("/stories/"))
    assert "New benches over there" in everything and "Pothole blitz" in everything
    ward_page = text(client.get(f"/wards/{here.slug}/"))
    assert "Pothole blitz on Here Street" in ward_page
    assert "New benches over there" not in ward_page


def test_from_the_start_page_links_alone_reach_every_public_kind_of_page(client, kdc_app):
    """Acceptance 2: an anonymous crawler following only <a href> from / reaches a ward,
    a councillor's profile, who does what, the protocol guide and a public event."""
    _event(kdc_app, title="Crawlable open day", public=True, kind=EventKind.OPEN_DAY)
    wanted = {
        "ward": re.compile(r"^/wards/[a-z0-9-]+/$"),
        "councillor": re.compile(r"^/councillors/[a-z0-9-]+/$"),
        "people": re.compile(r"^/people/$"),
        "protocol": re.compile(r"^/protocol/$"),
        "event": re.compile(r"^/events/[^/]+@"),
    }
    reached: dict[str, str] = {}
    seen, queue = {"/"}, ["/"]
    # Breadth first, at most one page of each pattern beyond the first, so it stays quick.
    while queue and len(reached) < len(wanted):
        path = queue.pop(0)
        response = client.get(path)
        assert response.status_code == 200, path
        for kind, pattern in wanted.items():
            if pattern.match(path):
                reached.setdefault(kind, path)
        for href in re.findall(r'<a [^>]*href="([^"#?]+)"', response.get_data(as_text=True)):
            href = html.unescape(href)
            if href.startswith("/") and not href.startswith(
                ("/admin", "/login", "/feeds", "/site-static")
            ):
                if href in seen:
                    continue
                if any(p.match(href) for k, p in wanted.items() if k in reached):
                    continue
                seen.add(href)
                queue.append(href)
    assert set(reached) == set(wanted), reached
