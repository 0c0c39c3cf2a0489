"""The core services behind the people's site: councillor slugs, officer search, who may
see an event, published stories, feed URLs for odd UIDs; and the admin fields for surgeries
and officers' pen portraits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, form_fields, log_in
from kdc_core.calendar.events import create_event, event_url
from kdc_core.calendar.pages import EventAccess, event_access, event_page, find_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.db.newsletters import SuccessStoryRow
from kdc_core.db.people import (
    CouncillorRoleRow,
    CouncillorRow,
    OfficerRow,
    OfficerWardRow,
    ServiceRow,
    WardRow,
)
from kdc_core.errors import NotFound
from kdc_core.newsletter.stories import published_stories
from kdc_core.people.search import OfficerQuery, search_officers, teams
from kdc_core.people.slugs import councillor_by_slug, councillor_slugs
from kdc_core.users.sessions import Identity

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def cast(kdc_app):
    """Two wards, four councillors (two share a name), three officers."""
    with kdc_app.unit_of_work() as uow:
        dalton = WardRow(name="Dalton", slug="dalton")
        almondbury = WardRow(name="Almondbury", slug="almondbury")
        highways = ServiceRow(name="Highways", slug="highways", ward_facing=True)
        parks = ServiceRow(name="Parks", slug="parks", ward_facing=True)
        ann = CouncillorRow(name="Ann Lee", ward=dalton, email="ann@example.gov.uk")
        ann2 = CouncillorRow(name="Ann  Lee", ward=almondbury)
        bob = CouncillorRow(name="Bob Hall", ward=dalton, email="bob@example.gov.uk")
        cath = CouncillorRow(name="Cath Ng", ward=almondbury)
        cath.roles.append(
            CouncillorRoleRow(kind="committee", title="Member", committee="Standards Committee")
        )
        olu = OfficerRow(
            person_id="P1",
            given_name="Olu",
            family_name="Ade_50%",
            service=highways,
            team="Highways North",
            job_title="Highways Engineer",
        )
        pat = OfficerRow(
            person_id="P2",
            given_name="Pat",
            family_name="Quinn",
            service=parks,
            team="Parks South",
            job_title="Ranger",
        )
        gone = OfficerRow(
            person_id="P3",
            given_name="Olu",
            family_name="Gone",
            service=highways,
            archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        uow.session.add_all(
            [dalton, almondbury, highways, parks, ann, ann2, bob, cath, olu, pat, gone]
        )
        uow.session.flush()
        uow.session.add(OfficerWardRow(officer_id=pat.id, ward_id=dalton.id, source="directory"))
        return {
            "dalton": dalton.id,
            "almondbury": almondbury.id,
            "ann": ann.id,
            "ann2": ann2.id,
            "bob": bob.id,
            "cath": cath.id,
            "olu": olu.id,
            "pat": pat.id,
        }


def test_councillor_slugs_settle_clashes_by_id_and_accept_the_id_form(kdc_app, cast):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        slugs = councillor_slugs(uow)
        assert slugs[cast["ann"]] == "ann-lee"
        assert slugs[cast["ann2"]] == f"ann-lee-{cast['ann2']}"
        assert slugs[cast["bob"]] == "bob-hall"
        person, canonical = councillor_by_slug(uow, f"ann-lee-{cast['ann']}")
        assert (person.id, canonical) == (cast["ann"], "ann-lee")
        assert councillor_by_slug(uow, f"ann-lee-{cast['ann2']}")[0].id == cast["ann2"]
        with pytest.raises(NotFound):
            councillor_by_slug(uow, f"bob-hall-{cast['ann']}")
        with pytest.raises(NotFound):
            councillor_by_slug(uow, "nobody")


def test_officer_search_filters_pages_and_takes_wildcards_literally(kdc_app, cast):
    with kdc_app.unit_of_work(dry_run=True) as uow:

        def names(**query) -> list[str]:
            return [o.name for o in search_officers(uow, OfficerQuery(**query)).officers]

        assert names(text="olu") == ["Olu Ade_50%"]  # the archived Olu is not found
        assert names(text="engineer") == ["Olu Ade_50%"]
        assert names(text="_50%") == ["Olu Ade_50%"]
        assert names(text="%") == ["Olu Ade_50%"]
        assert names(text="a\x00de") == ["Olu Ade_50%"]
        assert names(service="parks") == ["Pat Quinn"]
        assert names(ward="dalton") == ["Pat Quinn"]
        assert names(team="Highways North") == ["Olu Ade_50%"]
        assert names(text="olu", service="parks") == []
        first = search_officers(uow, OfficerQuery(), page=1, per_page=1)
        last = search_officers(uow, OfficerQuery(), page=99, per_page=1)
        assert (first.total, first.pages, last.page) == (2, 2, 2)
        assert [o.name for o in first.officers + last.officers] == ["Olu Ade_50%", "Pat Quinn"]
        assert teams(uow) == ["Highways North", "Parks South"]


def _new(title: str, **changes) -> NewEvent:
    start = dt.datetime(2027, 5, 4, 10, 0, tzinfo=LONDON)
    return NewEvent(
        **{
            "kind": EventKind.OTHER,
            "title": title,
            "start": start,
            "end": start + dt.timedelta(hours=1),
            **changes,
        }
    )


def test_who_may_see_an_event(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        public = create_event(uow, _new("Open day", public=True), override_reason="test")
        private = create_event(
            uow, _new("Briefing", councillor_ids=(cast["ann"],)), override_reason="test"
        )
        meeting = create_event(
            uow,
            _new("Standards", kind=EventKind.COUNCIL_MEETING, committee="Standards Committee"),
            override_reason="test",
        )
        ann, bob, cath = (uow.people.councillor(cast[k]) for k in ("ann", "bob", "cath"))
        officer = uow.people.officer(cast["pat"])
        who = {
            "public": None,
            "ann": Identity("ann@example.gov.uk", councillor=ann),
            "bob": Identity("bob@example.gov.uk", councillor=bob),
            "cath": Identity("c@example.gov.uk", councillor=cath),
            "officer": Identity("pat@example.gov.uk", officer=officer),
            "stranger": Identity("x@example.org"),
        }
        answers = {
            (event.title, name): event_access(uow, event, identity)
            for event in (public, private, meeting)
            for name, identity in who.items()
        }
        page = event_page(uow, private)
    show, sign_in, no = EventAccess.SHOW, EventAccess.SIGN_IN, EventAccess.FORBIDDEN
    assert {k[1]: v for k, v in answers.items() if k[0] == "Open day"} == dict.fromkeys(who, show)
    assert {k[1]: v for k, v in answers.items() if k[0] == "Briefing"} == {
        "public": sign_in,
        "ann": show,
        "bob": no,
        "cath": no,
        "officer": show,
        "stranger": sign_in,
    }
    # A committee's meeting concerns its members, invited or not.
    assert answers[("Standards", "cath")] is show and answers[("Standards", "bob")] is no
    assert [c.name for c in page.councillors] == ["Ann Lee"]


def test_odd_uids_make_feed_urls_that_find_the_event(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        event = create_event(
            uow, _new("Imported", source="ics", external_id="a/b?c#d e"), override_reason="t"
        )
        url = event_url(uow, event)
        assert "?" not in url and "#" not in url and " " not in url
        assert find_event(uow, event.uid).id == event.id
        for bad in ("", "x" * 300, "nul\x00"):
            with pytest.raises(NotFound):
                find_event(uow, bad)
    client = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 302  # private: sign in first


def test_published_stories_leave_out_future_ones_and_add_council_wide_ones(kdc_app, cast):
    today = dt.date(2027, 6, 15)
    with kdc_app.unit_of_work() as uow:
        for title, ward, day in (
            ("Dalton's", cast["dalton"], dt.date(2027, 6, 1)),
            ("Everyone's", None, dt.date(2027, 6, 2)),
            ("Almondbury's", cast["almondbury"], dt.date(2027, 6, 3)),
            ("Tomorrow's", cast["dalton"], dt.date(2027, 6, 16)),
        ):
            uow.session.add(SuccessStoryRow(title=title, body="b", published_on=day, ward_id=ward))
    with kdc_app.unit_of_work(dry_run=True) as uow:
        dalton = published_stories(uow, ward_id=cast["dalton"], today=today)
        every = published_stories(uow, today=today, per_page=2)
    assert [s.title for s in dalton.stories] == ["Everyone's", "Dalton's"]
    assert [s.title for s in every.stories] == ["Almondbury's", "Everyone's"]
    assert (every.total, every.pages) == (3, 2)


def test_the_admin_edits_surgeries_and_officers_pen_portraits(kdc_app, cast):
    client = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    log_in(client, "liaison@example.gov.uk")
    url = f"/admin/councillor/edit/?id={cast['ann']}"
    data = form_fields(client.get(url).get_data(as_text=True), "name")
    data["surgery"] = "Fridays at **Dalton Library**"
    assert client.post(url, data=data).status_code == 302
    url = f"/admin/officer/edit/?id={cast['pat']}"
    data = form_fields(client.get(url).get_data(as_text=True), "given_name")
    data["bio"] = "Pat looks after *every* park."
    assert client.post(url, data=data).status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.people.councillor(cast["ann"]).surgery == "Fridays at **Dalton Library**"
        assert uow.people.officer(cast["pat"]).bio == "Pat looks after *every* park."
    details = client.get(f"/admin/officer/details/?id={cast['pat']}").get_data(as_text=True)
    assert "<em>every</em>" in details
    row = select(OfficerRow.bio).where(OfficerRow.id == cast["pat"])
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.scalar(row) == "Pat looks after *every* park."
