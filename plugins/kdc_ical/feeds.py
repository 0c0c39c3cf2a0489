"""The calendar feed routes, and the ical plugin's web and command-line hooks.

Routes (GET and HEAD only), mounted on the web app through ``kdc_blueprints``:

- ``/feeds/councillors/<token>.ics``, ``/feeds/officers/<token>.ics`` — private: everything
  the person is invited to or concerned by, behind a 256-bit token. ``Cache-Control:
  private``. An unknown token and a revoked one get the same 404.
- ``/feeds/wards/<slug>.ics``, ``/feeds/services/<slug>.ics``, ``/feeds/public.ics`` — public
  events only.

Every feed carries a strong ETag (a digest of the body) and Last-Modified; a matching
``If-None-Match`` (or, without one, ``If-Modified-Since``) gets 304 with no body. A client
that accepts gzip (calendar apps do) gets the feed gzipped, with the ETag suffixed
``-gzip``; ``Vary: Accept-Encoding`` tells caches the two forms apart. They are
:mod:`kdc_admin.fastpath` routes: a plain GET or HEAD is answered before Flask's request
handling, with the same status, headers and body.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response
from werkzeug.http import http_date, parse_accept_header, parse_date, parse_etags

from kdc_admin.fastpath import Answer, Answerer, FastBlueprint
from kdc_ical.feed_cache import RenderedFeed
from kdc_ical.feedserver import FeedServer
from kdc_ical.render import LRU

CONTENT_TYPE = "text/calendar; charset=utf-8"
#: Added to the ETag of a feed's gzipped form: each form of a resource has a tag of its own.
GZIP_TAG = "-gzip"
PRIVATE_CACHE = "private, max-age=300"
PUBLIC_CACHE = "public, max-age=900"


def _not_found() -> Response:
    response = Response("Not found\n", status=404, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


#: The gzip form of recent feeds, by the plain form's ETag (a digest of the body, so one
#: entry serves every request for the same bytes), shared by the request threads.
GZIP_CACHED = 256
_gzipped: LRU[str, bytes] = LRU(GZIP_CACHED)


def _gzip(feed: RenderedFeed) -> bytes:
    """The feed's body gzipped (made once for each body: a calendar app asks again and again
    for the same one)."""
    found = _gzipped.get(feed.etag)
    if found is None:
        found = gzip.compress(feed.body, compresslevel=6, mtime=0)
        _gzipped.put(feed.etag, found)
    return found


def _accepts_gzip(environ: Mapping[str, Any]) -> bool:
    header = environ.get("HTTP_ACCEPT_ENCODING")
    return bool(header) and parse_accept_header(header).quality("gzip") > 0


def _not_modified(feed: RenderedFeed, environ: Mapping[str, Any]) -> bool:
    """RFC 9110: If-None-Match (weak comparison, either form's tag) wins; else
    If-Modified-Since (seconds)."""
    if_none_match = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
    if if_none_match:
        return if_none_match.contains_weak(feed.etag) or if_none_match.contains_weak(
            feed.etag + GZIP_TAG
        )
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    if since is not None and feed.last_modified is not None:
        return feed.last_modified.replace(microsecond=0) <= since.astimezone(dt.UTC)
    return False


def feed_answer(feed: RenderedFeed, environ: Mapping[str, Any]) -> Answer:
    """The feed as an answer to the request ``environ``: 304 with no body, or 200 with the
    calendar, gzipped for a client that accepts it, as calendar apps do (both ways in,
    :mod:`kdc_admin.fastpath`, give exactly this)."""
    gzipped = _accepts_gzip(environ)
    headers = [
        ("ETag", f'"{feed.etag}{GZIP_TAG}"' if gzipped else f'"{feed.etag}"'),
        ("Cache-Control", PRIVATE_CACHE if feed.private else PUBLIC_CACHE),
        ("Vary", "Accept-Encoding"),
    ]
    if feed.private:
        headers += [("X-Robots-Tag", "noindex, nofollow"), ("Referrer-Policy", "no-referrer")]
    if _not_modified(feed, environ):
        return Answer(304, tuple(headers))
    body = _gzip(feed) if gzipped else feed.body
    headers.append(("Content-Type", CONTENT_TYPE))
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    headers.append(("Content-Length", str(len(body))))
    if feed.last_modified is not None:
        headers.append(("Last-Modified", http_date(feed.last_modified)))
    return Answer(200, tuple(headers), body)


def _answerer(find: Callable[[Mapping[str, str]], RenderedFeed | None]) -> Answerer:
    def answer(environ: Mapping[str, Any], values: Mapping[str, str]) -> Answer | None:
        feed = find(values)
        return None if feed is None else feed_answer(feed, environ)

    return answer


def make_blueprint(server: FeedServer) -> FastBlueprint:
    """A fresh blueprint whose routes serve from ``server`` (an unknown token or slug: 404)."""
    # The template folder is for the admin's "Calendar feeds" page (see kdc_ical.admin).
    bp = FastBlueprint("kdc_ical_feeds", __name__, template_folder="templates")
    routes: list[tuple[str, str, Callable[[Mapping[str, str]], RenderedFeed | None]]] = [
        (
            "/feeds/councillors/<token>.ics",
            "councillor_feed",
            lambda v: server.councillor(v["token"]),
        ),
        ("/feeds/officers/<token>.ics", "officer_feed", lambda v: server.officer(v["token"])),
        ("/feeds/wards/<slug>.ics", "ward_feed", lambda v: server.ward(v["slug"])),
        ("/feeds/services/<slug>.ics", "service_feed", lambda v: server.service(v["slug"])),
        ("/feeds/public.ics", "public_feed", lambda _v: server.public()),
    ]
    for rule, endpoint, find in routes:
        bp.fast_get(rule, endpoint, _answerer(find), _not_found)
    return bp
