"""The calendar feed routes, and the ical plugin's web and command-line hooks.

Routes (GET and HEAD only), mounted on the web app through ``kdc_blueprints``:

- ``/feeds/councillors/<token>.ics``, ``/feeds/officers/<token>.ics`` — private: everything
  the person is invited to or concerned by, behind a 256-bit token. ``Cache-Control:
  private``. An unknown token and a revoked one get the same 404.
- ``/feeds/wards/<slug>.ics``, ``/feeds/services/<slug>.ics``, ``/feeds/public.ics`` — public
  events only.

Every feed carries a strong ETag (a digest of the body) and Last-Modified; a matching
``If-None-Match`` (or, without one, ``If-Modified-Since``) gets 304 with no body.
"""

from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, Response, request
from werkzeug.wsgi import wrap_file

from kdc_ical.feedserver import (
    FeedServer,
    RenderedFeed,
)

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRIVATE_CACHE = "private, max-age=300"
PUBLIC_CACHE = "public, max-age=900"


def _not_found() -> Response:
    response = Response("Not found\n", status=404, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


def _not_modified(feed: RenderedFeed) -> bool:
    """RFC 9110: If-None-Match (weak comparison) wins; else If-Modified-Since (seconds)."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(feed.etag)
    since = request.if_modified_since
    if since is not None and feed.last_modified is not None:
        return feed.last_modified.replace(microsecond=0) <= since.astimezone(dt.UTC)
    return False


def respond(feed: RenderedFeed | None) -> Response:
    """The feed as an HTTP response: 404, 304 with no body, or 200 with the calendar."""
    if feed is None:
        return _not_found()
    headers = {
        "ETag": f'"{feed.etag}"',
        "Cache-Control": PRIVATE_CACHE if feed.private else PUBLIC_CACHE,
    }
    if feed.private:
        headers["X-Robots-Tag"] = "noindex, nofollow"
        headers["Referrer-Policy"] = "no-referrer"
    if _not_modified(feed):
        response = Response(status=304, headers=headers)
    else:
        # Handed to the server as a file (wsgi.file_wrapper): waitress then sends the cached
        # bytes in blocks instead of copying a large feed into its output buffer, which spills
        # to a temporary file above 1 MiB.
        body = wrap_file(request.environ, io.BytesIO(feed.body))
        response = Response(
            body, status=200, headers=headers, content_type=CONTENT_TYPE, direct_passthrough=True
        )
        response.content_length = len(feed.body)
    if feed.last_modified is not None:
        response.last_modified = feed.last_modified
    return response


def make_blueprint(server: FeedServer) -> Blueprint:
    """A fresh blueprint whose routes serve from ``server``."""
    # The template folder is for the admin's "Calendar feeds" page (see kdc_ical.admin).
    bp = Blueprint("kdc_ical_feeds", __name__, template_folder="templates")

    @bp.get("/feeds/councillors/<token>.ics")
    def councillor_feed(token: str) -> Response:
        return respond(server.councillor(token))

    @bp.get("/feeds/officers/<token>.ics")
    def officer_feed(token: str) -> Response:
        return respond(server.officer(token))

    @bp.get("/feeds/wards/<slug>.ics")
    def ward_feed(slug: str) -> Response:
        return respond(server.ward(slug))

    @bp.get("/feeds/services/<slug>.ics")
    def service_feed(slug: str) -> Response:
        return respond(server.service(slug))

    @bp.get("/feeds/public.ics")
    def public_feed() -> Response:
        return respond(server.public())

    return bp
