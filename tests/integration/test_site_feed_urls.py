"""Acceptance 1: every URL written into every calendar feed opens a page on the site.

After ``kdc rota plan --year 2027 --apply`` on the demo council, the test fetches the public
feed, every ward's and every service's feed, and one councillor's and one officer's private
feed, reads the URL of every VEVENT, and opens each distinct address (all of them, no
sampling): public events answer 200 with their title to anyone; private ones send the
public to sign in and open for the feed's owner once signed in.
"""

from __future__ import annotations

import datetime as dt
import html
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from site_helpers import sign_in, site_client
from sqlalchemy import func, select

from kdc_core.calendar import feed_tokens
from kdc_core.db.events import event_officers
from kdc_core.db.people import OfficerRow
from kdc_core.demo import events as demo_events


@pytest.fixture
def kdc_template() -> str:
    return "demo"


def _events(client, path: str) -> list[tuple[str, str, str]]:
    """``(url path, summary, status)`` of every VEVENT in the feed at ``path``."""
    response = client.get(path)
    assert response.status_code == 200, path
    calendar = Calendar.from_ical(response.get_data())
    return [
        (urlsplit(str(e["URL"])).path, str(e["SUMMARY"]), str(e.get("STATUS", "")))
        for e in calendar.walk("VEVENT")
    ]


def _owner_with_most_walkabouts(
    uow,
) -> tuple[feed_tokens.FeedOwner, feed_tokens.FeedOwner, str, str]:
    walkabout = uow.events.query(kinds=None)
    councillor_id = next(
        e.councillor_ids[0] for e in walkabout if e.councillor_ids and not e.public
    )
    councillor = uow.people.councillor(councillor_id)
    officer_id = uow.session.scalar(
        select(event_officers.c.officer_id)
        .group_by(event_officers.c.officer_id)
        .order_by(func.count().desc(), event_officers.c.officer_id)
        .limit(1)
    )
    officer = uow.people.officer(officer_id)
    assert councillor.email and officer.email
    return (
        feed_tokens.FeedOwner(feed_tokens.OwnerKind.COUNCILLOR, councillor.id, councillor.name),
        feed_tokens.FeedOwner(feed_tokens.OwnerKind.OFFICER, officer.id, officer.name),
        councillor.email,
        officer.email,
    )


def test_every_url_in_every_feed_opens_a_page(kdc_app, kdc_run):
    with kdc_app.unit_of_work(source="demo") as uow:
        # The demo's meetings and open days, as ``kdc demo`` adds them.
        assert demo_events.seed_meetings(uow, 2027)
        assert demo_events.seed_open_days(uow, dt.datetime.now(uow.settings.tz).date())
    result = kdc_run("rota", "plan", "--year", "2027", "--apply")
    assert result.exit_code == 0, result.output
    with kdc_app.unit_of_work() as uow:
        wards = [w.slug for w in uow.people.wards()]
        services = [s.slug for s in uow.people.services()]
        councillor, officer, councillor_email, officer_email = _owner_with_most_walkabouts(uow)
        tokens = {
            "councillors": feed_tokens.issue(uow, councillor).token,
            "officers": feed_tokens.issue(uow, officer).token,
        }
        assert uow.session.scalar(select(func.count()).select_from(OfficerRow)) > 0
    anonymous = site_client(kdc_app)
    public_paths = ["/feeds/public.ics"]
    public_paths += [f"/feeds/wards/{slug}.ics" for slug in wards]
    public_paths += [f"/feeds/services/{slug}.ics" for slug in services]
    public: dict[str, str] = {}
    for path in public_paths:
        public.update((url, title) for url, title, _ in _events(anonymous, path))
    private: dict[str, dict[str, str]] = {}
    for kind, token in tokens.items():
        private[kind] = {
            url: title for url, title, _ in _events(anonymous, f"/feeds/{kind}/{token}.ics")
        }
    assert len(public) > 20, "the demo's public feeds carry too few events"
    assert len(private["councillors"]) >= 4 and private["officers"], "the rota made no walkabouts"

    for url, title in public.items():
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert html.escape(title, quote=False) in response.get_data(as_text=True), url

    owners = {"councillors": councillor_email, "officers": officer_email}
    for kind, events in private.items():
        signed_in = site_client(kdc_app)
        sign_in(kdc_app, signed_in, owners[kind])
        for url, title in events.items():
            page = signed_in.get(url)
            assert page.status_code == 200, (kind, url)
            assert html.escape(title, quote=False) in page.get_data(as_text=True), url
            if url not in public:
                refused = anonymous.get(url)
                assert refused.status_code == 302, url
                assert "/sign-in" in refused.headers["Location"]
