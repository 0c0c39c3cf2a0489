"""The admin's change log: who changed which record, which fields, when (read-only).

Admins and liaison staff may read it; viewers may not, since it names the people who made
changes. Entries come from :mod:`kdc_core.changelog`, written by every path that changes a
tracked record (admin, CLI, imports). Labels are never personal data (an enquiry is named
by its reference, a complaint by its id) and fields are named, never shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla import ModelView
from werkzeug.routing import BuildError

from kdc_admin.database import KdcDatabase
from kdc_admin.security import EDITORS, SecuredBaseView
from kdc_core import changelog
from kdc_core.app import Kdc
from kdc_core.db import tracking
from kdc_core.timewords import clock_time

#: The most entries the page shows, newest first.
LIMIT = 200


def _day(raw: str | None, tz: dt.tzinfo) -> dt.datetime | None:
    """Midnight at the start of ``YYYY-MM-DD`` in the council's time zone, or ``None``."""
    if not raw:
        return None
    day = dt.date.fromisoformat(raw)
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


class ChangeLogView(SecuredBaseView):
    """The log, filtered by who, record type and a range of days."""

    read_roles = EDITORS

    def _edit_urls(self) -> dict[str, str]:
        """Entity → the address of its edit page (``…?id=``), for the views that have one."""
        urls: dict[str, str] = {}
        for view in self.admin._views if self.admin else ():
            if not isinstance(view, ModelView):
                continue
            table = getattr(view.model, "__tablename__", None)
            if table in tracking.ENTITIES:
                entity = tracking.ENTITIES[table]
                if entity in urls:
                    continue
                try:
                    urls[entity] = url_for(f"{view.endpoint}.details_view") + "?id="
                except BuildError:
                    continue
        return urls

    @expose("/")
    def index(self) -> Any:
        kdc: Kdc = current_app.extensions["kdc"]
        tz = kdc.settings.tz
        who = request.args.get("who", "").strip() or None
        entity = request.args.get("entity", "").strip() or None
        since_raw = request.args.get("since", "").strip()
        until_raw = request.args.get("until", "").strip()
        error = None
        try:
            since = _day(since_raw, tz)
            until = _day(until_raw, tz)
        except ValueError:
            since = until = None
            error = "Give dates like 2027-03-03 (the date picker does this for you)."
        if until is not None:
            until += dt.timedelta(days=1)  # up to the end of the day asked for
        session = KdcDatabase.for_kdc(kdc).session
        rows = changelog.entries(
            session, who=who, entity=entity, since=since, until=until, limit=LIMIT
        )
        people = sorted({_who(s) for s in changelog.sources(session)})
        return self.render(
            "kdc/change_log.html",
            rows=[(r, clock_time(r.at, tz)) for r in rows],
            people=people,
            entities=changelog.entities(session),
            who=who or "",
            entity=entity or "",
            since=since_raw,
            until=until_raw,
            error=error,
            limit=LIMIT,
            urls=self._edit_urls(),
        )


def _who(source: str) -> str:
    return source.removeprefix(changelog.ADMIN_PREFIX)


def changelog_views() -> list[Any]:
    return [
        ChangeLogView(
            name="Change log", category="Operations", endpoint="change_log", url="change-log"
        )
    ]
