"""The admin's Outbox page: what kdc-core has queued to send, what went and what failed.

Everyone signed in sees the counts by state and the list (subject, recipient's name, kind,
when queued and sent in the council's time zone, attempts, last error), filtered by state,
kind or councillor — "what was sent to this councillor" is the councillor filter, linked from
the councillor's page. Liaison staff and admins may also open a message to read its text (it
may carry a constituent's details, as an enquiry case does) and put a failed message back in
the queue: a POST with the CSRF token, through :func:`kdc_core.mail.outbox.retry`. A retried
message is only queued again: it goes when the outbox is next dispatched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose

from kdc_admin.database import admin_source
from kdc_admin.formats import moment
from kdc_admin.menus import COMMUNICATIONS
from kdc_admin.security import EDITORS, SecuredBaseView, current_role
from kdc_core.app import Kdc
from kdc_core.errors import KdcError, NotFound
from kdc_core.mail import outbox

#: The most messages the list shows (the newest first).
LIMIT = 200
#: Who may read a message's text (personal data) and retry a failed one.
BODY_ROLES = EDITORS


def _kdc() -> Kdc:
    kdc: Kdc = current_app.extensions["kdc"]
    return kdc


def _id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


class OutboxView(SecuredBaseView):
    """Counts, the filtered list, a message's text (editors) and retry (editors)."""

    write_roles = EDITORS

    @expose("/")
    def index(self) -> Any:
        kdc = _kdc()
        status = request.args.get("status") or None
        if status not in (None, *outbox.STATUSES):
            status = None
        kind = request.args.get("kind") or None
        councillor_id = _id(request.args.get("councillor"))
        with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
            counts = outbox.counts(uow)
            kinds = outbox.kinds(uow)
            councillors = outbox.councillors_messaged(uow)
            if councillor_id is not None and councillor_id not in dict(councillors):
                try:  # a councillor with nothing sent yet, reached from their page
                    councillors.append((councillor_id, uow.people.councillor(councillor_id).name))
                except NotFound:
                    abort(404)
            items = outbox.messages(
                uow, status=status, kind=kind, councillor_id=councillor_id, limit=LIMIT
            )
        return self.render(
            "kdc_outbox/outbox.html",
            counts=counts,
            items=items,
            kinds=kinds,
            councillors=councillors,
            chosen={"status": status, "kind": kind, "councillor": councillor_id},
            councillor_name=dict(councillors).get(councillor_id) if councillor_id else None,
            statuses=outbox.STATUSES,
            limit=LIMIT,
            timezone=kdc.settings.timezone,
            when=self._when,
            may_read=current_role() in BODY_ROLES,
            may_retry=self.can_write(),
        )

    @expose("/message/")
    def message_view(self) -> Any:
        """One message with its text: liaison staff and admins only."""
        if current_role() not in BODY_ROLES:
            abort(403)
        message_id = _id(request.args.get("id"))
        if message_id is None:
            abort(404)
        kdc = _kdc()
        try:
            with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
                item = outbox.message(uow, message_id)
                text = outbox.message_text(uow, message_id)
        except KdcError:
            abort(404)
        return self.render(
            "kdc_outbox/message.html",
            item=item,
            text=text,
            when=self._when,
            may_retry=self.can_write(),
        )

    @expose("/retry/", methods=("POST",))
    def retry_view(self) -> Any:
        """Put a failed message back in the queue (CSRF is checked for every POST by the app)."""
        message_id = _id(request.form.get("id"))
        if message_id is None:
            abort(400)
        try:
            with _kdc().unit_of_work(source=admin_source()) as uow:
                item = outbox.retry(uow, message_id)
        except KdcError as exc:
            flash(f"The message was not retried: {exc}", "error")
        else:
            flash(
                f"Message {item.id} to {item.recipient_name or item.recipient} is queued "
                "again; it goes when the outbox is next dispatched.",
                "success",
            )
        return redirect(url_for(".index", status=outbox.FAILED))

    @staticmethod
    def _when(value: dt.datetime | None) -> str:
        """A stored time as the council's local time, to the minute (``–`` when none)."""
        if value is None:
            return "–"
        return moment(value)


def outbox_admin_views(kdc: Kdc) -> list[Any]:
    return [OutboxView(name="Outbox", category=COMMUNICATIONS, endpoint="outbox", url="outbox")]
