"""The admin's "Calendar feeds" page: councillors' feed addresses, with a rotate button.

Liaison officers and admins only (it shows who has subscribed and issues new addresses).
Rotating is a POST with the CSRF token; the new address is shown in that response only and
never stored (kdc keeps a hash of the token), so it is not put in a flash message either.
Imported only by the web app, through ``kdc_admin_views``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request
from flask_admin import expose

from kdc_admin.database import admin_source
from kdc_admin.security import EDITORS, SecuredBaseView
from kdc_core.app import Kdc
from kdc_core.calendar import feed_tokens
from kdc_core.calendar.feed_tokens import FeedOwner, OwnerKind
from kdc_core.errors import NotFound
from kdc_ical.feed_cli import feed_urls


class FeedTokensView(SecuredBaseView):
    """Every active councillor, whether they have a feed address, and a rotate button."""

    read_roles = EDITORS
    write_roles = EDITORS

    def _page(self, issued: Any = None, urls: tuple[str, str] | None = None) -> Any:
        kdc: Kdc = current_app.extensions["kdc"]
        with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
            councillors = uow.people.councillors()
            active = feed_tokens.active_tokens(uow, OwnerKind.COUNCILLOR)
        return self.render(
            "kdc_ical/feed_tokens.html",
            councillors=councillors,
            active=active,
            issued=issued,
            urls=urls,
        )

    @expose("/")
    def index(self) -> Any:
        return self._page()

    @expose("/rotate", methods=("POST",))
    def rotate(self) -> Any:
        kdc: Kdc = current_app.extensions["kdc"]
        raw = request.form.get("councillor_id", "")
        if not raw.isdigit():
            abort(400)
        with kdc.unit_of_work(source=admin_source()) as uow:
            try:
                councillor = uow.people.councillor(int(raw))
            except NotFound:
                abort(404)
            if not councillor.active or councillor.id is None:
                abort(404)
            owner = FeedOwner(OwnerKind.COUNCILLOR, councillor.id, councillor.name)
            issued = feed_tokens.rotate(uow, owner)
        return self._page(issued, feed_urls(kdc.settings.base_url, owner, issued.token))


def feed_admin_views(kdc: Kdc) -> list[Any]:
    return [
        FeedTokensView(
            name="Calendar feeds", category="Calendar", endpoint="feed_tokens", url="feeds"
        )
    ]
