"""The feeds' fast path (kdc_admin.fastpath): the same answers as Flask's full handling, the
same refusals, the same metrics and access log, and everything else left to Flask."""

from __future__ import annotations

import datetime as dt
import gzip
import logging
from zoneinfo import ZoneInfo

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

from kdc_admin import create_app
from kdc_admin.fastpath import FastPath
from kdc_admin.testing import TEST_SECRET
from kdc_core.app import Kdc
from kdc_core.calendar import feed_tokens
from kdc_core.calendar.events import create_event
from kdc_core.calendar.feed_tokens import FeedOwner, OwnerKind
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.db import CouncillorRow, OfficerRow, ServiceRow, WardRow
from kdc_core.plugins import make_plugin_manager
from kdc_ical.feedserver import feed_server

LONDON = ZoneInfo("Europe/London")
TOKEN_ROUTE = "/feeds/councillors/<token>.ics"


def _event(**links: object) -> NewEvent:
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=9), dt.time(10), LONDON)
    return NewEvent(
        kind=EventKind.OPEN_DAY,
        title="Open day",
        start=start,
        end=start + dt.timedelta(hours=2),
        public=True,
        **links,  # type: ignore[arg-type]
    )


@pytest.fixture
def feeds(kdc_app):
    """Ann (Dalton) and officer Olu (Highways), one public event for both; every feed's URL."""
    with kdc_app.unit_of_work() as uow:
        dalton = WardRow(name="Dalton", slug="dalton")
        highways = ServiceRow(name="Highways", slug="highways", ward_facing=True)
        ann = CouncillorRow(name="Ann Lee", ward=dalton)
        olu = OfficerRow(person_id="p-olu", given_name="Olu", family_name="Ade", service=highways)
        uow.session.add_all([ann, olu])
        uow.session.flush()
        create_event(
            uow,
            _event(
                councillor_ids=(ann.id,),
                officer_ids=(olu.id,),
                ward_ids=(dalton.id,),
                service_id=highways.id,
            ),
        )
        ann_token = feed_tokens.issue(uow, FeedOwner(OwnerKind.COUNCILLOR, ann.id, "Ann Lee"))
        olu_token = feed_tokens.issue(uow, FeedOwner(OwnerKind.OFFICER, olu.id, "Olu Ade"))
        ann_id = ann.id
    return {
        "ann": f"/feeds/councillors/{ann_token.token}.ics",
        "olu": f"/feeds/officers/{olu_token.token}.ics",
        "ward": "/feeds/wards/dalton.ics",
        "service": "/feeds/services/highways.ics",
        "public": "/feeds/public.ics",
        "ann_id": ann_id,
        "ann_token": ann_token.token,
    }


class FullRequests:
    """The paths of the requests the fast path hands to Flask's own handling."""

    def __init__(self, app) -> None:
        self.seen: list[str] = []
        fast = app.wsgi_app
        if isinstance(fast, FastPath):
            inner = fast.full

            def counted(environ, start_response):
                self.seen.append(environ["PATH_INFO"])
                return inner(environ, start_response)

            fast.full = counted


def _app(kdc: Kdc, **config: object):
    app = create_app(kdc, TESTING=True, SECRET_KEY=TEST_SECRET, **config)
    return app, FullRequests(app)


@pytest.fixture
def fast(kdc_app):
    return _app(kdc_app)


@pytest.fixture
def full(kdc_app):
    return _app(kdc_app, KDC_FAST_PATH=False)


def _seen(response) -> tuple[str, list[tuple[str, str]], bytes]:
    return response.status, response.headers.to_wsgi_list(), response.get_data()


FEEDS = ("ann", "olu", "ward", "service", "public")


@pytest.mark.parametrize("secure", [False, True])
def test_the_fast_path_answers_exactly_as_the_full_path_does(kdc_app, feeds, secure):
    fast_app, fast_full = _app(kdc_app, SESSION_COOKIE_SECURE=secure)
    full_app, _ = _app(kdc_app, SESSION_COOKIE_SECURE=secure, KDC_FAST_PATH=False)
    assert isinstance(fast_app.wsgi_app, FastPath)
    assert not isinstance(full_app.wsgi_app, FastPath)
    fast, full = fast_app.test_client(), full_app.test_client()
    rid = {"X-Request-ID": "proxy-id-0001"}
    for name in FEEDS:
        url = feeds[name]
        first = full.get(url, headers=rid)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        zipped = etag[:-1] + '-gzip"'
        gzip_ok = {"Accept-Encoding": "gzip, deflate, br"}
        asked = [
            {},
            {"If-None-Match": etag},
            {"If-None-Match": f'"other", W/{etag}'},
            {"If-None-Match": '"something-else"'},
            {"If-Modified-Since": modified},
            {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
            gzip_ok,
            gzip_ok | {"If-None-Match": zipped},
            gzip_ok | {"If-None-Match": etag},
            {"Accept-Encoding": "gzip;q=0, identity"},
        ]
        statuses = set()
        for headers in asked:
            one, other = fast.get(url, headers=rid | headers), full.get(url, headers=rid | headers)
            assert _seen(one) == _seen(other), (name, headers)
            statuses.add(one.status_code)
        assert statuses == {200, 304}
        head = fast.head(url, headers=rid), full.head(url, headers=rid)
        assert _seen(head[0]) == _seen(head[1]) and head[0].get_data() == b""
        assert head[0].headers["Content-Length"] == str(len(first.get_data()))
    # None of those reached Flask's handling on the fast app.
    assert fast_full.seen == []
    # The headers come from both places: the feed's, the request id, the security headers.
    answer = fast.get(feeds["ann"], headers=rid)
    assert answer.headers["Cache-Control"] == "private, max-age=300"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Request-ID"] == "proxy-id-0001"
    assert ("Strict-Transport-Security" in answer.headers) is secure


def test_a_client_that_accepts_gzip_gets_the_same_calendar_gzipped(kdc_app, feeds, fast):
    client = fast[0].test_client()
    plain = client.get(feeds["ann"])
    zipped = client.get(feeds["ann"], headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert int(zipped.headers["Content-Length"]) == len(zipped.get_data())
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    for answer in (plain, zipped):
        assert answer.headers["Vary"] == "Accept-Encoding, Cookie"
    # Either form's tag is a match for the same calendar, whichever form is asked for now.
    for tag in (plain.headers["ETag"], zipped.headers["ETag"]):
        again = client.get(feeds["ann"], headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
        assert again.status_code == 304 and again.headers["ETag"] == zipped.headers["ETag"]
    refused = client.get(feeds["ann"], headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.get_data() == plain.get_data()


def test_the_gzipped_feeds_kept_are_bounded(kdc_app, feeds, fast, monkeypatch):
    from kdc_ical import feeds as feed_routes
    from kdc_ical.render import LRU

    monkeypatch.setattr(feed_routes, "_gzipped", LRU(2))
    client = fast[0].test_client()
    for name in FEEDS:
        plain = client.get(feeds[name]).get_data()
        zipped = client.get(feeds[name], headers={"Accept-Encoding": "gzip"}).get_data()
        assert gzip.decompress(zipped) == plain
        assert 1 <= len(feed_routes._gzipped) <= 2


def test_a_revoked_token_is_refused_as_before(kdc_app, kdc_settings, feeds, fast, full):
    fast_app, fast_full = fast
    client = fast_app.test_client()
    assert client.get(feeds["ann"]).status_code == 200
    assert fast_full.seen == []
    # Revoked in another process (another worker, `kdc feeds revoke`): with the default
    # window of 0 the next request sees it.
    other = Kdc(kdc_settings, make_plugin_manager(kdc_settings))
    try:
        with other.unit_of_work() as uow:
            feed_tokens.revoke(uow, FeedOwner(OwnerKind.COUNCILLOR, feeds["ann_id"], "Ann Lee"))
    finally:
        other.dispose()
    rid = {"X-Request-ID": "proxy-id-0002"}
    revoked = client.get(feeds["ann"], headers=rid)
    never = client.get(f"/feeds/councillors/{'x' * 43}.ics", headers=rid)
    refused_before = full[0].test_client().get(feeds["ann"], headers=rid)
    assert revoked.status_code == never.status_code == 404
    assert _seen(revoked) == _seen(never) == _seen(refused_before)
    # The fast path had no answer, so Flask gave the 404.
    assert fast_full.seen == [feeds["ann"], f"/feeds/councillors/{'x' * 43}.ics"]


def test_a_revocation_in_this_process_is_seen_at_once_inside_the_recheck_window(
    kdc_app, feeds, fast
):
    server = feed_server(kdc_app)
    server.recheck_seconds = 60.0
    try:
        client = fast[0].test_client()
        etag = client.get(feeds["ann"]).headers["ETag"]
        assert client.get(feeds["ann"], headers={"If-None-Match": etag}).status_code == 304
        with kdc_app.unit_of_work() as uow:
            feed_tokens.revoke(uow, FeedOwner(OwnerKind.COUNCILLOR, feeds["ann_id"], "Ann Lee"))
        assert client.get(feeds["ann"], headers={"If-None-Match": etag}).status_code == 404
        assert client.get(feeds["ann"]).status_code == 404
    finally:
        server.recheck_seconds = 0.0


def _samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def test_fast_answers_leave_an_access_line_and_are_counted(kdc_app, feeds, fast, caplog):
    app, full = fast
    client = app.test_client()
    before = _samples(client.get("/metrics").text)
    etag = client.get(feeds["ann"]).headers["ETag"]
    with caplog.at_level(logging.INFO, logger="kdc.access"):
        caplog.clear()
        hit = client.get(feeds["ann"], headers={"If-None-Match": etag, "X-Request-ID": "id-12345"})
        client.head(feeds["ward"])
    assert hit.status_code == 304 and full.seen == ["/metrics"]
    lines = [r for r in caplog.records if r.name == "kdc.access"]
    assert [(r.method, r.path, r.status, r.request_id) for r in lines] == [
        ("GET", TOKEN_ROUTE, 304, "id-12345"),
        ("HEAD", "/feeds/wards/dalton.ics", 200, lines[1].request_id),
    ]
    assert len(lines[1].request_id) == 32 and all(r.duration_ms >= 0 for r in lines)
    assert all(feeds["ann_token"] not in r.getMessage() for r in lines)

    text = client.get("/metrics").text
    assert feeds["ann_token"] not in text
    after = _samples(text)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    requests = "kdc_http_requests_total"
    assert grew(requests, route=TOKEN_ROUTE, method="GET", status="200") == 1
    assert grew(requests, route=TOKEN_ROUTE, method="GET", status="304") == 1
    assert grew(requests, route="/feeds/wards/<slug>.ics", method="HEAD", status="200") == 1
    durations = "kdc_http_request_duration_seconds_count"
    assert grew(durations, route=TOKEN_ROUTE) == 2
    assert grew("kdc_feed_cache_total", result="hit") >= 1


def test_requests_the_fast_path_leaves_to_flask_still_work(kdc_app, feeds, fast, monkeypatch):
    app, full = fast
    client = app.test_client()
    url = feeds["public"]
    assert client.post(url).status_code == 405
    assert client.get(url + "?x=1").status_code == 200
    client.set_cookie("kdc_session", "whatever")
    assert client.get(url).status_code == 200
    client.delete_cookie("kdc_session")
    assert client.get("/feeds/wards/nowhere.ics").status_code == 404
    control = client.get("/feeds/wards/dal%01ton.ics")
    assert control.status_code == 400 and control.headers["Content-Type"].startswith("text/plain")
    assert client.get("/healthz").status_code == 200
    assert full.seen == [
        url,
        url,
        url,
        "/feeds/wards/nowhere.ics",
        "/feeds/wards/dal\x01ton.ics",
        "/healthz",
    ]

    # A database that fails under the fast path: Flask asks again and answers its 503.
    def away(*_args: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(feed_server(kdc_app), "public", away)
    unavailable = client.get(url)
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"]
    assert full.seen[-1] == url
