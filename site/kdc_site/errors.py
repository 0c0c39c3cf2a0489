"""The site's own "not found", "not allowed" and "bad request" pages.

Pages of the site (and any address that matches no route outside the admin, the feeds and
static files) get ``site/error.html``; the admin keeps its own error page, and the feeds
their plain-text answers.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from kdc_admin.limits import too_many
from kdc_core.app import Kdc

#: Paths that belong to the admin app, feeds or static files, not to the site.
NOT_SITE = ("/admin", "/login", "/logout", "/feeds/", "/kdc-static/")

NOT_FOUND = (
    "If you typed the web address, check it is correct. If you followed a link from a "
    "calendar, the event may have been removed."
)
FORBIDDEN = (
    "You are signed in, but this page is for the people it concerns and for council staff. "
    "If you think you should see it, contact the councillor support team."
)


def _site_request() -> bool:
    if request.blueprint == "site":
        return True
    return request.url_rule is None and not request.path.startswith(NOT_SITE)


def register(bp: Blueprint, kdc: Kdc) -> None:
    @bp.app_errorhandler(404)
    def not_found(exc: HTTPException) -> Any:
        if not _site_request():
            return exc
        page = render_template("site/error.html", title="Page not found", message=NOT_FOUND)
        return page, 404

    @bp.errorhandler(400)
    def bad_request(exc: HTTPException) -> Any:
        message = exc.description or "The request could not be understood."
        page = render_template("site/error.html", title="There is a problem", message=message)
        return page, 400

    @bp.errorhandler(429)
    def too_many_attempts(_exc: HTTPException) -> Any:
        return too_many(current_app, "site/error.html", title="Too many attempts")

    @bp.errorhandler(403)
    def forbidden(_exc: HTTPException) -> Any:
        page = render_template(
            "site/error.html", title="You cannot see this page", message=FORBIDDEN
        )
        return page, 403
