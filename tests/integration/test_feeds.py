"""The feed routes on the web app: content, privacy, 404s for bad tokens, ETags and 304s."""

from __future__ import annotations

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

import attrs
import icalendar
import pytest
import recurring_ical_events
import vobject
from sqlalchemy import event as sa_event
from sqlalchemy import update
from sqlalchemy.orm import Session

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET
from kdc_core.app import Kdc
from kdc_core.calendar import feed_tokens
from kdc_core.calendar.events import cancel_event, create_event, update_event
from kdc_core.calendar.feed_tokens import FeedOwner, OwnerKind
from kdc_core.calendar.feeds import FeedWindow
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.db import CouncillorRoleRow, CouncillorRow, EventRow, OfficerRow, ServiceRow, WardRow
from kdc_core.plugins import make_plugin_manager
from kdc_ical.feedserver import feed_server

LONDON = ZoneInfo("Europe/London")


def _next(month: int, day: int) -> dt.date:
    """The next such date from today, so the events sit inside the feed window."""
    today = dt.date.today()
    candidate = dt.date(today.year, month, day)
    return candidate if candidate > today else dt.date(today.year + 1, month, day)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def _new(kind, title, day, hour=10, **extra):
    return NewEvent(kind=kind, title=title, start=_at(day, hour), end=_at(day, hour + 2), **extra)


@pytest.fixture
def cal(kdc_app):
    """Ann (Dalton, Planning Committee), Bob (Almondbury), officer Olu (Highways), events."""
    jan, jul = _next(1, 14), _next(7, 15)
    with kdc_app.unit_of_work() as uow:
        dalton = WardRow(name="Dalton", slug="dalton")
        almondbury = WardRow(name="Almondbury", slug="almondbury")
        highways = ServiceRow(name="Highways", slug="highways", ward_facing=True)
        ann = CouncillorRow(name="Ann Lee", ward=dalton)
        ann.roles.append(
            CouncillorRoleRow(kind="committee", title="Member", committee="Planning Committee")
        )
        bob = CouncillorRow(name="Bob Hall", ward=almondbury)
        olu = OfficerRow(person_id="p-olu", given_name="Olu", family_name="Ade", service=highways)
        uow.session.add_all([ann, bob, olu])
        uow.session.flush()
        ids = dict(ann=ann.id, bob=bob.id, olu=olu.id, dalton=dalton.id, highways=highways.id)
        links = dict(ward_ids=(dalton.id,), service_id=highways.id)
        events = {
            "walkabout": create_event(
                uow,
                _new(
                    EventKind.WALKABOUT,
                    "Dalton walkabout",
                    jan,
                    councillor_ids=(ann.id,),
                    officer_ids=(olu.id,),
                    **links,
                ),
            ),
            "open_day": create_event(
                uow,
                _new(
                    EventKind.OPEN_DAY,
                    "Highways open day",
                    jul,
                    public=True,
                    councillor_ids=(ann.id,),
                    **links,
                ),
            ),
            "planning": create_event(
                uow,
                _new(
                    EventKind.COUNCIL_MEETING,
                    "Planning Committee",
                    jan,
                    18,
                    public=True,
                    committee="Planning Committee",
                ),
            ),
            "group": create_event(
                uow,
                _new(
                    EventKind.PARTY_GROUP_MEETING,
                    "Group meeting",
                    jul,
                    19,
                    councillor_ids=(ann.id,),
                    **links,
                ),
            ),
            "bob_briefing": create_event(
                uow, _new(EventKind.BRIEFING, "Briefing", jan, 12, councillor_ids=(bob.id,))
            ),
        }
        ann_token = feed_tokens.issue(uow, FeedOwner(OwnerKind.COUNCILLOR, ann.id, "Ann Lee"))
        olu_token = feed_tokens.issue(uow, FeedOwner(OwnerKind.OFFICER, olu.id, "Olu Ade"))
    return dict(
        ids=ids,
        events=events,
        ann_url=f"/feeds/councillors/{ann_token.token}.ics",
        olu_url=f"/feeds/officers/{olu_token.token}.ics",
        ann_token=ann_token.token,
    )


@pytest.fixture
def client(kdc_app):
    return create_app(kdc_app, TESTING=True, SECRET_KEY=TEST_SECRET).test_client()


def _uids(response) -> set[str]:
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}


def _vevent(response, uid):
    cal = icalendar.Calendar.from_ical(response.data)
    return next(e for e in cal.walk("VEVENT") if str(e["UID"]) == uid)


def _utc_starts(text: str) -> tuple[dict[str, dt.datetime], ...]:
    by_icalendar = {
        str(e["UID"]): e.start for e in icalendar.Calendar.from_ical(text).walk("VEVENT")
    }
    by_vobject = {e.uid.value: e.dtstart.value for e in vobject.readOne(text).vevent_list}
    window = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1), dt.datetime(2100, 1, 1))
    occurrences = recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(*window)
    by_recurring = {str(e["UID"]): e.start for e in occurrences}
    return by_icalendar, by_vobject, by_recurring


def test_every_feed_reads_the_same_utc_times_in_icalendar_vobject_and_recurring(client, cal):
    walkabout, open_day = cal["events"]["walkabout"], cal["events"]["open_day"]
    expected_hour = {walkabout.uid: 10, open_day.uid: 9}  # 10:00 GMT in January, BST in July
    seen: set[str] = set()
    feeds = (
        cal["ann_url"],
        cal["olu_url"],
        "/feeds/wards/dalton.ics",
        "/feeds/services/highways.ics",
        "/feeds/public.ics",
    )
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        readers = _utc_starts(response.data.decode())
        assert readers[0] and all(set(r) == set(readers[0]) for r in readers), url
        for reader in readers:
            for uid, start in reader.items():
                if uid in expected_hour:
                    assert start.astimezone(dt.UTC).hour == expected_hour[uid], (url, uid)
                    seen.add(uid)
                assert start.astimezone(dt.UTC) == readers[0][uid].astimezone(dt.UTC)
    assert seen == set(expected_hour)


def test_a_councillors_feed_has_what_invites_or_concerns_them_and_nothing_else(client, cal):
    ev = cal["events"]
    assert _uids(client.get(cal["ann_url"])) == {
        ev[k].uid for k in ("walkabout", "open_day", "planning", "group")
    }
    assert _uids(client.get(cal["olu_url"])) == {ev["walkabout"].uid}


def test_public_ward_and_service_feeds_never_show_private_events(client, cal):
    ev = cal["events"]
    private = {ev[k].uid for k in ("walkabout", "group", "bob_briefing")}
    expected = {
        "/feeds/public.ics": {ev["open_day"].uid, ev["planning"].uid},
        "/feeds/wards/dalton.ics": {ev["open_day"].uid},
        "/feeds/services/highways.ics": {ev["open_day"].uid},
        "/feeds/wards/almondbury.ics": set(),
    }
    for url, uids in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert _uids(response) == uids, url
        assert not private & _uids(response)
        assert b"CLASS:PRIVATE" not in response.data


def test_feed_responses_have_the_calendar_type_validators_and_cache_rules(client, cal):
    private = client.get(cal["ann_url"])
    assert private.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert private.headers["Cache-Control"].startswith("private")
    assert private.headers["ETag"].startswith('"') and private.headers["Last-Modified"]
    assert b"X-WR-CALNAME:Cllr Ann Lee" in private.data
    public = client.get("/feeds/public.ics")
    assert public.headers["Cache-Control"].startswith("public")


def test_unknown_slugs_answer_404(client, cal):
    assert client.get("/feeds/wards/nowhere.ics").status_code == 404
    assert client.get("/feeds/services/nothing.ics").status_code == 404


def test_a_rotated_token_answers_404_exactly_like_one_that_never_existed(kdc_app, client, cal):
    with kdc_app.unit_of_work() as uow:
        new = feed_tokens.rotate(uow, FeedOwner(OwnerKind.COUNCILLOR, cal["ids"]["ann"], "Ann Lee"))
    old = client.get(cal["ann_url"])
    never = client.get(f"/feeds/councillors/{'x' * 43}.ics")
    assert old.status_code == never.status_code == 404
    assert old.data == never.data
    assert old.headers["Content-Type"] == never.headers["Content-Type"]
    assert client.get(f"/feeds/councillors/{new.token}.ics").status_code == 200
    # a councillor's token does not open the officers' route either
    assert client.get(f"/feeds/officers/{new.token}.ics").status_code == 404


def test_a_matching_if_none_match_answers_304_with_no_body(client, cal):
    first = client.get(cal["ann_url"])
    etag = first.headers["ETag"]
    again = client.get(cal["ann_url"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    weak = client.get(cal["ann_url"], headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    stale = client.get(cal["ann_url"], headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_if_modified_since_answers_304_when_nothing_is_newer(client, cal):
    first = client.get("/feeds/public.ics")
    since = first.headers["Last-Modified"]
    assert client.get("/feeds/public.ics", headers={"If-Modified-Since": since}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get("/feeds/public.ics", headers={"If-Modified-Since": old}).status_code == 200


def test_changing_one_of_the_councillors_events_changes_the_etag(kdc_app, client, cal):
    before = client.get(cal["ann_url"])
    with kdc_app.unit_of_work() as uow:
        update_event(uow, cal["events"]["walkabout"].id, location="Dalton Community Centre")
    after = client.get(cal["ann_url"], headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"Dalton Community Centre" in after.data


def test_a_change_made_by_another_process_reaches_the_feed(kdc_app, kdc_settings, client, cal):
    """Another Kdc on the same database (a CLI import, say) uninvites Ann from an event."""
    before = client.get(cal["ann_url"])
    other = Kdc(kdc_settings, make_plugin_manager(kdc_settings))
    try:
        with other.unit_of_work() as uow:
            update_event(uow, cal["events"]["group"].id, councillor_ids=())
    finally:
        other.dispose()
    after = client.get(cal["ann_url"], headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert cal["events"]["group"].uid not in _uids(after)


def test_a_cancelled_event_shows_status_cancelled_with_a_higher_sequence_for_30_days(
    kdc_app, client, cal
):
    walkabout = cal["events"]["walkabout"]
    before = _vevent(client.get(cal["ann_url"]), walkabout.uid)
    with kdc_app.unit_of_work() as uow:
        cancel_event(uow, walkabout.id)
    after = _vevent(client.get(cal["ann_url"]), walkabout.uid)
    assert str(after["STATUS"]) == "CANCELLED"
    assert after["SEQUENCE"] > before["SEQUENCE"]

    # Kept from local midnight 30 days back; a minute before that, whatever the clock change.
    with kdc_app.unit_of_work(dry_run=True) as uow:
        long_ago = FeedWindow.today(uow).cancelled_since - dt.timedelta(minutes=1)
    with kdc_app.unit_of_work() as uow:
        uow.session.execute(
            update(EventRow).where(EventRow.id == walkabout.id).values(cancelled_at=long_ago)
        )
    assert walkabout.uid not in _uids(client.get(cal["ann_url"]))


def test_an_unchanged_feed_is_answered_from_the_cache(kdc_app, client, cal):
    client.get(cal["ann_url"])
    server = feed_server(kdc_app)
    builds, rendered = server.builds, server.renderer.rendered
    for _ in range(3):
        assert client.get(cal["ann_url"]).status_code == 200
    assert (server.builds, server.renderer.rendered) == (builds, rendered)
    client.get(cal["olu_url"])  # another feed: built, but its event's text is already cached
    assert server.builds == builds + 1 and server.renderer.rendered == rendered


def test_feeds_answer_head_and_refuse_post(client, cal):
    head = client.head("/feeds/public.ics")
    assert head.status_code == 200 and head.data == b""
    assert client.post("/feeds/public.ics").status_code == 405


@contextlib.contextmanager
def count_queries(engine):
    """The SQL statements run on ``engine`` inside the block."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa_event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
def rechecking(kdc_app):
    """The app's feed server with a recheck window of a minute (as ``[plugins.ical]
    recheck_seconds = 60`` gives), put back to checking every request afterwards."""
    server = feed_server(kdc_app)
    server.recheck_seconds = 60.0
    yield server
    server.recheck_seconds = 0.0


def test_within_the_recheck_window_a_feed_is_served_without_asking_the_database(
    kdc_app, kdc_settings, client, cal, rechecking
):
    before = client.get(cal["ann_url"])
    other = Kdc(kdc_settings, make_plugin_manager(kdc_settings))
    try:
        with other.unit_of_work() as uow:  # another process uninvites Ann
            update_event(uow, cal["events"]["group"].id, councillor_ids=())
    finally:
        other.dispose()
    with count_queries(kdc_app.engine) as queries:
        again = client.get(cal["ann_url"], headers={"If-None-Match": before.headers["ETag"]})
    assert again.status_code == 304 and queries == []
    # Once the window is over, the other process's change is seen.
    key = ("councillor", feed_tokens.hash_token(cal["ann_token"]))
    rechecking.checked.put(key, attrs.evolve(rechecking.checked.get(key), at=0.0))
    after = client.get(cal["ann_url"], headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and cal["events"]["group"].uid not in _uids(after)


def test_a_change_or_a_revocation_in_this_process_is_seen_at_once_despite_the_window(
    kdc_app, client, cal, rechecking
):
    before = client.get(cal["ann_url"])
    with kdc_app.unit_of_work() as uow:
        update_event(uow, cal["events"]["walkabout"].id, location="Dalton Community Centre")
    after = client.get(cal["ann_url"], headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and b"Dalton Community Centre" in after.data

    with kdc_app.unit_of_work() as uow:
        feed_tokens.revoke(uow, FeedOwner(OwnerKind.COUNCILLOR, cal["ids"]["ann"], "Ann Lee"))
    assert client.get(cal["ann_url"]).status_code == 404


# -- the calendar version -------------------------------------------------------------------------

_TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def _queries(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.lstrip().upper().startswith(_TRANSACTION)]


@contextlib.contextmanager
def orm_statements():
    """The ORM executions (through any session) inside the block."""
    seen: list[object] = []

    def note(state):
        seen.append(state.statement)

    sa_event.listen(Session, "do_orm_execute", note)
    try:
        yield seen
    finally:
        sa_event.remove(Session, "do_orm_execute", note)


def test_a_matching_conditional_get_reads_one_number_and_uses_no_orm(kdc_app, client, cal):
    for url in (cal["ann_url"], cal["olu_url"], "/feeds/public.ics", "/feeds/wards/dalton.ics"):
        etag = client.get(url).headers["ETag"]
        with count_queries(kdc_app.engine) as statements, orm_statements() as orm:
            again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304
        [query] = _queries(statements)
        assert "calendar_version" in query and "JOIN" not in query.upper()
        assert orm == []


def _elsewhere(kdc_settings, change) -> None:
    """Make a change through another Kdc, as another process would."""
    other = Kdc(kdc_settings, make_plugin_manager(kdc_settings))
    try:
        with other.unit_of_work() as uow:
            change(uow, other)
    finally:
        other.dispose()


def _rename_councillor(uow, cal):
    uow.session.get(CouncillorRow, cal["ids"]["ann"]).name = "Ann Lee-Shaw"


def _rename_officer(uow, cal):
    uow.session.get(OfficerRow, cal["ids"]["olu"]).family_name = "Adeyemi"


def _rename_ward(uow, cal):
    uow.session.get(WardRow, cal["ids"]["dalton"]).name = "Dalton and Rawthorpe"


def _rename_service(uow, cal):
    uow.session.get(ServiceRow, cal["ids"]["highways"]).name = "Highways and Streets"


def _leave_planning(uow, cal):
    ann = uow.session.get(CouncillorRow, cal["ids"]["ann"])
    ann.roles.clear()


def _uninvite(uow, cal):
    update_event(uow, cal["events"]["group"].id, councillor_ids=())


def _invite(uow, cal):
    update_event(uow, cal["events"]["bob_briefing"].id, councillor_ids=(cal["ids"]["ann"],))


def _planning_meeting(uow, cal):
    meeting = _new(
        EventKind.COUNCIL_MEETING, "Planning", _next(3, 9), committee="Planning Committee"
    )
    create_event(uow, meeting)


def _retitle_in_bulk(uow, cal):
    uow.session.execute(
        update(EventRow).where(EventRow.id == cal["events"]["walkabout"].id).values(title="Moved")
    )


def _revoke(uow, cal):
    feed_tokens.revoke(uow, FeedOwner(OwnerKind.COUNCILLOR, cal["ids"]["ann"], "Ann Lee"))


@pytest.mark.parametrize(
    ("change", "url"),
    [
        (_rename_councillor, "ann_url"),
        (_rename_officer, "olu_url"),
        (_rename_ward, "/feeds/wards/dalton.ics"),
        (_rename_service, "/feeds/services/highways.ics"),
        (_leave_planning, "ann_url"),
        (_uninvite, "ann_url"),
        (_invite, "ann_url"),
        (_planning_meeting, "ann_url"),
        (_retitle_in_bulk, "olu_url"),
        (_revoke, "ann_url"),
    ],
)
def test_each_kind_of_change_made_elsewhere_reaches_the_feed_it_shows_in(
    kdc_settings, client, cal, change, url
):
    url = cal.get(url, url)
    before = client.get(url)
    _elsewhere(kdc_settings, lambda uow, _kdc: change(uow, cal))
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    if change is _revoke:
        assert after.status_code == 404
    else:
        assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


def test_a_change_no_feed_shows_keeps_every_feed_without_rebuilding_it(
    kdc_app, kdc_settings, client, cal
):
    urls = [cal["ann_url"], cal["olu_url"], "/feeds/public.ics", "/feeds/wards/dalton.ics"]
    etags = [client.get(url).headers["ETag"] for url in urls]
    server = feed_server(kdc_app)
    builds, rendered = server.builds, server.renderer.rendered

    def elsewhere(uow, _kdc):  # Bob's private briefing moves; a private event for Bob only
        update_event(uow, cal["events"]["bob_briefing"].id, location="Room 2")
        create_event(uow, _new(EventKind.BRIEFING, "Another", _next(2, 3), councillor_ids=(
            cal["ids"]["bob"],)))  # fmt: skip
        create_event(uow, _new(EventKind.COUNCIL_MEETING, "Licensing", _next(2, 4),
                               committee="Licensing Committee"))  # fmt: skip

    _elsewhere(kdc_settings, elsewhere)
    for url, etag in zip(urls, etags, strict=True):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert (server.builds, server.renderer.rendered) == (builds, rendered)
    assert server.kept == len(urls)
    with count_queries(kdc_app.engine) as statements:  # kept under the new version
        assert client.get(urls[0], headers={"If-None-Match": etags[0]}).status_code == 304
    assert len(_queries(statements)) == 1


def test_a_changed_event_is_the_only_one_rendered_again(kdc_app, kdc_settings, client, cal):
    before = client.get(cal["ann_url"])
    server = feed_server(kdc_app)
    rendered = server.renderer.rendered
    _elsewhere(
        kdc_settings,
        lambda uow, _kdc: update_event(uow, cal["events"]["walkabout"].id, location="Library"),
    )
    after = client.get(cal["ann_url"])
    assert after.headers["ETag"] != before.headers["ETag"] and b"Library" in after.data
    assert server.renderer.rendered == rendered + 1
