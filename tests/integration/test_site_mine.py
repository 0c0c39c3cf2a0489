"""A councillor's own pages on the people's site: enquiries, calendar, briefings, choices."""

from __future__ import annotations

import datetime as dt
import re

import attrs
import pytest
from site_people import councillors_with_enquiries, form_token, sign_in
from sqlalchemy import select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET
from kdc_core.app import Kdc
from kdc_core.briefings.service import post_briefing
from kdc_core.calendar import feed_tokens
from kdc_core.db.enquiries import EnquiryPersonRow, EnquiryRow
from kdc_core.db.people import CouncillorRow
from kdc_core.enquiries import service
from kdc_core.enquiries.categories import set_category
from kdc_core.mail.topics import menu_of, set_topic
from kdc_core.newsletter.build import build_month
from kdc_core.newsletter.delivery import this_month
from kdc_core.plugins import make_plugin_manager
from kdc_site.views.my_enquiries import NOTE_LIMIT


@pytest.fixture
def kdc_template() -> str:
    return "demo"


@pytest.fixture
def client(kdc_app):
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()


def _references(kdc_app, councillor_id: int) -> set[str]:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        mine = select(EnquiryPersonRow.enquiry_id).where(
            EnquiryPersonRow.person_id == councillor_id,
            EnquiryPersonRow.kind.in_(("councillor", "joint_councillor")),
        )
        return set(uow.session.scalars(select(EnquiryRow.reference).where(EnquiryRow.id.in_(mine))))


@pytest.fixture
def one(kdc_app):
    """A councillor with an email (no enquiries needed): ``(id, name, email)``."""
    with kdc_app.unit_of_work(dry_run=True) as uow:
        row = uow.session.execute(
            select(CouncillorRow.id, CouncillorRow.name, CouncillorRow.email)
            .where(CouncillorRow.email.is_not(None), CouncillorRow.archived_at.is_(None))
            .order_by(CouncillorRow.id)
            .limit(1)
        ).one()
    return row.id, row.name, row.email


@pytest.fixture
def two(kdc_app):
    """Two councillors with enquiries: the one signed in, and another."""
    return councillors_with_enquiries(kdc_app)


def test_signing_in_with_a_link_lands_on_my_pages(kdc_app, client, two):
    answer = sign_in(kdc_app, client, two[0][2])
    assert answer.headers["Location"].endswith("/my/")
    page = client.get("/my/").get_data(as_text=True)
    assert "My enquiries" in page and "My menu of opportunities" in page
    assert "My record" not in page  # an officer's page


def test_a_councillor_sees_their_enquiries_and_no_one_elses(kdc_app, client, two):
    (me, _, email), (other, _, _) = two
    mine, theirs = _references(kdc_app, me), _references(kdc_app, other) - _references(kdc_app, me)
    assert mine and theirs
    sign_in(kdc_app, client, email)
    listing = client.get("/my/enquiries/").get_data(as_text=True)
    shown = set(re.findall(r"KE-\d{4}-\d{6}", listing))
    assert shown == mine
    assert not shown & theirs
    reference = sorted(mine)[0]
    page = client.get(f"/my/enquiries/{reference}")
    assert page.status_code == 200
    with kdc_app.unit_of_work(dry_run=True) as uow:
        enquiry = service.get(uow, reference)
    text = page.get_data(as_text=True)
    assert enquiry.status.label in text
    if enquiry.officer:
        assert enquiry.officer in text
    for other_reference in theirs:
        assert client.get(f"/my/enquiries/{other_reference}").status_code == 404
    assert client.get("/my/enquiries/KE-1999-000001").status_code == 404


def test_an_overdue_enquiry_says_so_in_words(kdc_app, client, two):
    me, _, email = two[0]
    reference = sorted(_references(kdc_app, me))[0]
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalar(select(EnquiryRow).where(EnquiryRow.reference == reference))
        row.status = "in_progress"
        row.respond_by = dt.date.today() - dt.timedelta(days=3)
    sign_in(kdc_app, client, email)
    listing = client.get("/my/enquiries/").get_data(as_text=True)
    cards = {
        ref: card
        for card in listing.split('id="enquiry-')[1:]
        for ref in re.findall(r"^(KE-\d{4}-\d{6})", card)
    }
    assert ">Overdue<" in cards[reference]
    assert all(">Overdue<" not in card for ref, card in cards.items() if ref != reference)
    assert ">Overdue<" in client.get(f"/my/enquiries/{reference}").get_data(as_text=True)


def test_a_councillor_adds_a_note_to_their_enquiry(kdc_app, client, two):
    (me, _, email), (other, _, _) = two
    reference = sorted(_references(kdc_app, me))[0]
    sign_in(kdc_app, client, email)
    token = form_token(client.get(f"/my/enquiries/{reference}").get_data(as_text=True))
    url = f"/my/enquiries/{reference}/notes"
    answer = client.post(
        url, data={"csrf_token": token, "body": "  Resident rang again <b>today</b>.  "}
    )
    assert answer.status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        last = service.get(uow, reference).notes[-1]
    assert (last.author, last.body) == (email, "Resident rang again <b>today</b>.")
    page = client.get(f"/my/enquiries/{reference}").get_data(as_text=True)
    assert "Resident rang again &lt;b&gt;today&lt;/b&gt;." in page
    # Too long, empty, without the CSRF token, or on someone else's enquiry: refused.
    too_long = client.post(url, data={"csrf_token": token, "body": "x" * (NOTE_LIMIT + 1)})
    assert too_long.status_code == 400
    assert "There is a problem" in too_long.get_data(as_text=True)
    assert client.post(url, data={"csrf_token": token, "body": "  "}).status_code == 400
    assert client.post(url, data={"body": "no token"}).status_code == 400
    theirs = sorted(_references(kdc_app, other) - _references(kdc_app, me))[0]
    stranger = client.post(
        f"/my/enquiries/{theirs}/notes", data={"csrf_token": token, "body": "hi"}
    )
    assert stranger.status_code == 404
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert service.get(uow, reference).notes[-1] == last
        assert all(n.body != "hi" for n in service.get(uow, theirs).notes)


def test_a_councillor_raises_a_new_enquiry_and_sees_its_reference(kdc_app, client, two):
    me, name, email = two[0]
    sign_in(kdc_app, client, email)
    form = client.get("/my/enquiries/new").get_data(as_text=True)
    token = form_token(form)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        councillor = uow.people.councillor(me)
        highways = uow.people.service("highways")
    assert f'value="{councillor.ward.slug}" selected' in form
    fields = {
        "csrf_token": token,
        "category": "Not a category",
        "service": highways.slug,
        "ward": councillor.ward.slug,
        "description": "",
        "constituent_email": "not an address",
    }
    bad = client.post("/my/enquiries/new", data=fields)
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "There is a problem" in text and 'href="#description"' in text
    assert 'href="#constituent_email"' in text and "Choose the kind of enquiry." in text
    assert "Street lighting (acknowledged within 1 working day" in text
    fields |= {
        "category": "Street lighting",
        "description": "A deep pothole outside number 4.",
        "constituent_email": "",
    }
    answer = client.post("/my/enquiries/new", data=fields)
    assert answer.status_code == 302
    reference = answer.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"KE-\d{4}-\d{6}", reference)
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"Its reference is {reference}" in page
    with kdc_app.unit_of_work(dry_run=True) as uow:
        created = service.get(uow, reference)
    assert created.councillors == (name,)
    assert created.category == "Street lighting" and created.service == highways.name
    assert reference in client.get("/my/enquiries/").get_data(as_text=True)


def test_the_calendar_link_is_shown_once_and_a_new_one_replaces_it(kdc_app, client, one):
    me, _, email = one
    sign_in(kdc_app, client, email)
    page = client.get("/my/calendar/").get_data(as_text=True)
    assert "Get my calendar link" in page and "Outlook" in page and "Google Calendar" in page
    first = client.post("/my/calendar/", data={"csrf_token": form_token(page)})
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-store"
    html = first.get_data(as_text=True)
    webcal = re.search(r'href="(webcal://[^"]+/feeds/councillors/([A-Za-z0-9_-]+)\.ics)"', html)
    assert webcal
    old = webcal.group(2)
    assert re.search(rf"https?://[^<]+/feeds/councillors/{old}\.ics", html)
    assert client.get(f"/feeds/councillors/{old}.ics").status_code == 200
    # The page cannot show it again, and offers a new one instead.
    again = client.get("/my/calendar/").get_data(as_text=True)
    assert old not in again and "Get a new link (the old one stops working)" in again
    second = client.post("/my/calendar/", data={"csrf_token": form_token(again)})
    new = re.search(r"/feeds/councillors/([A-Za-z0-9_-]+)\.ics", second.get_data(as_text=True))
    assert new and new.group(1) != old
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert feed_tokens.resolve(uow, old) is None
        assert feed_tokens.resolve(uow, new.group(1)).id == me
    assert client.get(f"/feeds/councillors/{old}.ics").status_code == 404
    assert client.post("/my/calendar/").status_code == 400  # no CSRF token


def test_my_briefings_lists_the_wards_briefings_newest_first(kdc_app, client, one):
    me, _, email = one
    with kdc_app.unit_of_work() as uow:
        ward = uow.people.councillor(me).ward
        elsewhere = next(w for w in uow.people.wards() if w.id != ward.id)
        now = dt.datetime.now(dt.UTC)
        for title, wards, hours in (
            ("Older ward briefing", [ward.name], 5),
            ("Newer significant briefing", [ward.name, elsewhere.name], 1),
            ("Someone else's briefing", [elsewhere.name], 2),
        ):
            post_briefing(
                uow,
                wards=wards,
                title=title,
                body="Details.",
                public_on=dt.date.today() + dt.timedelta(days=10),
                significant="significant" in title,
                posted_at=now - dt.timedelta(hours=hours),
            )
    sign_in(kdc_app, client, email)
    page = client.get("/my/briefings/").get_data(as_text=True)
    assert "Someone else&#39;s briefing" not in page and "Someone else's briefing" not in page
    assert page.index("Newer significant briefing") < page.index("Older ward briefing")
    assert ">Significant<" in page


def test_topic_choices_are_saved_and_confirmed(kdc_app, client, one):
    me, _, email = one
    sign_in(kdc_app, client, email)
    page = client.get("/my/opportunities/").get_data(as_text=True)
    assert "You have not checked your choices yet" in page
    assert 'name="sms"' not in page  # no mailer that sends texts is configured
    token = form_token(page)
    chosen = ["newsletter", "roadworks"]
    answer = client.post("/my/opportunities/", data={"csrf_token": token, "email": chosen})
    assert answer.status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        menu = menu_of(uow, me)
    assert menu.email == frozenset(chosen)
    assert menu.confirmed_on == dt.datetime.now(kdc_app.settings.tz).date()
    bad = client.post("/my/opportunities/", data={"csrf_token": token, "email": ["nonsense"]})
    assert bad.status_code == 400
    with kdc_app.unit_of_work() as uow:
        from kdc_core.db.newsletters import TopicReviewRow

        uow.session.get(TopicReviewRow, me).confirmed_on = dt.date(2020, 1, 1)
    stale = client.get("/my/opportunities/").get_data(as_text=True)
    assert "due their yearly check" in stale
    confirmed = client.post("/my/opportunities/confirm", data={"csrf_token": token})
    assert confirmed.status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        after = menu_of(uow, me)
    assert after.confirmed_on == dt.datetime.now(kdc_app.settings.tz).date()
    assert after.email == frozenset(chosen)
    assert client.post("/my/opportunities/confirm").status_code == 400  # no CSRF token


def test_acceptance_5_opting_in_to_two_topics_and_out_of_one_shapes_the_next_newsletter(
    kdc_app, client, one
):
    me, _, email = one
    month = this_month(kdc_app)

    def issue_sections() -> dict[str, str]:
        """Topic → section title, for the sections in this councillor's next issue."""
        with kdc_app.unit_of_work(dry_run=True) as uow:
            ward = uow.people.councillor(me).ward.name
            built = build_month(uow, kdc_app.sections, month, ward, store=False)
        issue = next(b for b in built if b.recipient.councillor_id == me)
        return {s.topic: s.title for s in kdc_app.sections.values() if s.title in issue.text}

    everything = issue_sections()
    assert len(everything) >= 3, f"the demo issue should have three sections: {everything}"
    first, second, third = sorted(everything)[:3]
    with kdc_app.unit_of_work() as uow:  # the starting point: the first two turned off
        set_topic(uow, me, first, False)
        set_topic(uow, me, second, False)
    before = issue_sections()
    assert first not in before and second not in before and third in before

    sign_in(kdc_app, client, email)
    token = form_token(client.get("/my/opportunities/").get_data(as_text=True))
    with kdc_app.unit_of_work(dry_run=True) as uow:
        keep = set(menu_of(uow, me).email)
    wanted = sorted((keep | {first, second}) - {third})
    answer = client.post("/my/opportunities/", data={"csrf_token": token, "email": wanted})
    assert answer.status_code == 302

    after = issue_sections()
    assert first in after and second in after
    assert third not in after


NOTIFY_KEY = "kdc-test-" + "-".join(["0f9c3b6a-1111-4000-8000-000000000000"] * 2)


def test_texts_are_offered_when_the_mailer_can_send_them(kdc_app, one):
    me, _, email = one
    with kdc_app.unit_of_work() as uow:
        uow.session.get(CouncillorRow, me).mobile = "07700 900123"
    settings = attrs.evolve(
        kdc_app.settings,
        mail=attrs.evolve(kdc_app.settings.mail, mailer="notify", sender="cslt@example.gov.uk"),
        plugin_sections={
            **kdc_app.settings.plugin_sections,
            "notify": {"api_key": NOTIFY_KEY, "sms_template_id": "sms-template"},
        },
    )
    texting = Kdc(settings, make_plugin_manager(settings))
    try:
        client = create_app(texting, SECRET_KEY=TEST_SECRET).test_client()
        sign_in(texting, client, email)
        page = client.get("/my/opportunities/").get_data(as_text=True)
        assert 'name="sms"' in page and "By text message as well" in page
        answer = client.post(
            "/my/opportunities/",
            data={
                "csrf_token": form_token(page),
                "email": ["briefings", "newsletter"],
                "sms": ["briefings"],
            },
        )
        assert answer.status_code == 302
        with texting.unit_of_work(dry_run=True) as uow:
            menu = menu_of(uow, me)
        assert menu.email == {"briefings", "newsletter"} and menu.sms == {"briefings"}
    finally:
        texting.dispose()


def test_raising_an_enquiry_in_another_ward_is_allowed_with_a_warning(kdc_app, client, one):
    me, name, email = one
    sign_in(kdc_app, client, email)
    with kdc_app.unit_of_work() as uow:
        set_category(uow, "Street lighting", acknowledge_days=1, respond_days=10)
        own = uow.people.councillor(me).ward
        other = next(w for w in uow.people.wards() if w.id != own.id)
        highways = uow.people.service("highways")
    form = client.get("/my/enquiries/new").get_data(as_text=True)
    answer = client.post(
        "/my/enquiries/new",
        data={
            "csrf_token": form_token(form),
            "category": "Street lighting",
            "service": highways.slug,
            "ward": other.slug,
            "description": "A lamp out on the boundary road.",
        },
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "Your enquiry has been raised." in page
    assert f"Please check: Cllr {name} does not represent {other.name} ward" in page
