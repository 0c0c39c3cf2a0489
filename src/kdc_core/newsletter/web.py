"""The one-click unsubscribe endpoint (RFC 8058), mounted through ``kdc_blueprints``.

``POST /newsletter/unsubscribe/<token>`` turns the token's topic off for its councillor.
Mail clients send this POST themselves (body ``List-Unsubscribe=One-Click``), with no
cookie and no CSRF token, so this one view is exempt from the web app's CSRFProtect. It is
authenticated by the token instead: an HMAC over the councillor and topic keyed with the
app's secret key, so only links we sent work, each for one person and one topic, and the
POST can do nothing but turn that topic off. ``GET`` only shows a page with a button that
makes the same POST: opening a link (or a mail scanner fetching it) changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from markupsafe import escape

from kdc_core.app import Kdc
from kdc_core.db.people import CouncillorRow
from kdc_core.mail.topics import set_topic
from kdc_core.mail.values import TOPICS
from kdc_core.newsletter.unsubscribe import read_token, signing_key

_PAGE = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"""


def _page(title: str, body: str, status: int = 200) -> Response:
    html = _PAGE.format(title=escape(title), body=body)
    return Response(html, status=status, mimetype="text/html")


def make_blueprint(kdc: Kdc) -> Blueprint:
    bp = Blueprint("kdc_newsletter", __name__, template_folder="templates")

    def resolve(token: str) -> tuple[int, str] | None:
        found = read_token(signing_key(kdc.settings), token)
        if found is None or found[1] not in TOPICS:
            return None
        return found

    @bp.get("/newsletter/unsubscribe/<token>")
    def unsubscribe_form(token: str) -> Any:
        found = resolve(token)
        if found is None:
            return _page("Link not recognised", "<p>This unsubscribe link is not valid.</p>", 404)
        label = escape(TOPICS[found[1]])
        return _page(
            "Unsubscribe",
            f"<p>Stop receiving: {label}?</p>"
            f'<form method="post"><button type="submit">Unsubscribe</button></form>',
        )

    @bp.post("/newsletter/unsubscribe/<token>")
    def unsubscribe(token: str) -> Any:
        found = resolve(token)
        if found is None:
            return _page("Link not recognised", "<p>This unsubscribe link is not valid.</p>", 404)
        councillor_id, topic = found
        with kdc.unit_of_work(source="unsubscribe") as uow:
            if uow.session.get(CouncillorRow, councillor_id) is None:
                return _page("Link not recognised", "<p>No such subscriber.</p>", 404)
            set_topic(uow, councillor_id, topic, opted_in=False)
        return _page("Unsubscribed", f"<p>You will no longer receive: {escape(TOPICS[topic])}.</p>")

    @bp.record_once
    def _exempt_from_csrf(state: Any) -> None:
        csrf = state.app.extensions.get("csrf")
        if csrf is not None:
            csrf.exempt(unsubscribe)

    return bp
