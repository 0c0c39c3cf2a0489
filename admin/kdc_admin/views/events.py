"""Calendar events: list, create and edit, with a clash warning on save.

Times in the forms and lists are the council's local time (``timezone`` setting); they are
stored in UTC. Events are cancelled, never deleted, so subscribed calendars can remove them.
When an event is created, or its invitees or times change, the clash checks run and any
clashes are flashed as a warning, by name; the save itself goes through.

Every save also runs the member–officer protocol's event rules before it commits: an
error-level finding refuses the save unless the form's override reason is filled in (the
reason is recorded on the finding); warnings and records are flashed after the save.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, ClassVar

from flask import flash
from flask_admin.actions import action
from flask_admin.form import DateTimeField
from sqlalchemy import inspect
from wtforms import StringField
from wtforms.validators import InputRequired, ValidationError

from kdc_admin.security import SecuredModelView
from kdc_core.calendar.clashes import clashes_for, describe_group, group_clashes
from kdc_core.calendar.events import cancel_event, uid_domain
from kdc_core.calendar.values import EventKind, EventStatus
from kdc_core.db.events import EventRow
from kdc_core.db.people import CouncillorRow
from kdc_core.protocol.service import ProtocolBlocked, enforce, open_findings, override

_KINDS = [(k.value, k.label) for k in EventKind]
_STATUSES = [(s.value, s.value) for s in EventStatus]
#: Changes after which the clash checks run again.
_WATCHED = ("councillors", "officers", "start", "end", "status")
_CHECK = "_kdc_check_clashes"
#: Clash groups shown in one warning; the rest are counted.
SHOWN = 10


class EventView(SecuredModelView):
    """Liaison officers and admins edit; viewers read. Deleting is off: cancel instead."""

    allow_delete = False
    column_list: ClassVar[list[str]] = [
        "start",
        "end",
        "title",
        "kind",
        "committee",
        "location",
        "status",
        "public",
    ]
    column_searchable_list: ClassVar[list[str]] = ["title", "location", "committee"]
    column_sortable_list: ClassVar[list[str]] = ["start", "title", "kind", "committee", "status"]
    column_default_sort = ("start", False)
    column_filters: ClassVar[list[str]] = ["kind", "status", "committee", "public"]
    column_details_list: ClassVar[list[str]] = [
        "title",
        "kind",
        "start",
        "end",
        "timezone",
        "location",
        "description",
        "service",
        "committee",
        "wards",
        "councillors",
        "officers",
        "public",
        "status",
        "uid",
        "sequence",
        "source",
        "external_id",
        "cancelled_at",
    ]
    column_export_list: ClassVar[list[str]] = [
        "uid",
        "start",
        "end",
        "title",
        "kind",
        "committee",
        "location",
        "status",
    ]
    form_columns: ClassVar[list[str]] = [
        "kind",
        "title",
        "start",
        "end",
        "location",
        "description",
        "service",
        "committee",
        "wards",
        "councillors",
        "officers",
        "public",
        "status",
        "protocol_override",
    ]
    form_extra_fields: ClassVar[dict[str, Any]] = {
        "protocol_override": StringField(
            "Protocol override reason",
            description="Only to save despite a protocol error; the reason is recorded.",
        )
    }
    form_choices: ClassVar[dict[str, Any]] = {"kind": _KINDS, "status": _STATUSES}
    # UTCDateTime is not a type Flask-Admin recognises, so say which field to use.
    form_overrides: ClassVar[dict[str, Any]] = {"start": DateTimeField, "end": DateTimeField}
    form_ajax_refs: ClassVar[dict[str, Any]] = {
        "officers": {"fields": ["given_name", "family_name", "email"], "page_size": 20}
    }
    form_widget_args: ClassVar[dict[str, Any]] = {"description": {"rows": 4}}
    column_labels: ClassVar[dict[str, str]] = {
        "councillors": "Invited councillors",
        "officers": "Invited officers",
        "external_id": "Source id",
        "uid": "UID",
    }

    def __init__(self, db: Any, **kwargs: Any) -> None:
        self.kdc_db = db
        self.tz = db.kdc.settings.tz
        local = f"local time ({db.kdc.settings.timezone})"
        self.form_args = {
            "start": {"description": local, "validators": [InputRequired()]},
            "end": {"description": local, "validators": [InputRequired()]},
            "councillors": {
                "query_factory": lambda: (
                    db.session.query(CouncillorRow)
                    .filter(CouncillorRow.archived_at.is_(None))
                    .order_by(CouncillorRow.name)
                )
            },
        }
        self.column_formatters = {"start": self._local_cell, "end": self._local_cell}
        self.column_formatters_detail = {"start": self._local_cell, "end": self._local_cell}
        super().__init__(EventRow, db, **kwargs)

    def _local_cell(self, _view: Any, _context: Any, model: EventRow, name: str) -> str:
        value = getattr(model, name)
        return value.astimezone(self.tz).strftime("%a %d %b %Y %H:%M") if value else ""

    def on_form_prefill(self, form: Any, id: Any) -> None:
        for name in ("start", "end"):
            field = getattr(form, name)
            if field.data is not None and field.data.tzinfo is not None:
                field.data = field.data.astimezone(self.tz).replace(tzinfo=None)

    def on_model_change(self, form: Any, model: EventRow, is_created: bool) -> None:
        # First, before anything can flush: the form's naive times are local.
        for name in ("start", "end"):
            value = getattr(model, name)
            if value is not None and value.tzinfo is None:
                setattr(model, name, value.replace(tzinfo=self.tz))
        if model.start is None or model.end is None or model.end <= model.start:
            raise ValidationError("The event must end after it starts.")
        if is_created:
            model.uid = f"{uuid.uuid4()}@{uid_domain(self.kdc_db.unit_of_work())}"
            model.timezone = self.kdc_db.kdc.settings.timezone
            model.sequence = 0
        if model.status == EventStatus.CANCELLED.value:
            model.cancelled_at = model.cancelled_at or dt.datetime.now(dt.UTC)
        else:
            model.cancelled_at = None
        state = inspect(model)
        watched = any(state.attrs[name].history.has_changes() for name in _WATCHED)
        setattr(model, _CHECK, is_created or watched)
        check_protocol(self.kdc_db, model, getattr(form, "protocol_override", None))

    def after_model_change(self, form: Any, model: EventRow, is_created: bool) -> None:
        if getattr(model, _CHECK, False):
            flash_clashes(self.kdc_db, model.id, self.tz)
        flash_findings(self.kdc_db, model.id)

    @action("cancel", "Cancel", "Cancel the selected events? They stay, marked cancelled.")
    def action_cancel(self, ids: Sequence[str]) -> None:
        uow = self.kdc_db.unit_of_work()
        events = [uow.events.get(int(i)) for i in ids]
        live = [e for e in events if not e.cancelled]
        for event in live:
            cancel_event(uow, event.id)
        uow.session.commit()
        flash(f"Cancelled {len(live)} event(s).", "success")


def check_protocol(db: Any, model: EventRow, field: Any) -> None:
    """Run the protocol's event rules before the save commits; an error refuses the save."""
    uow = db.unit_of_work()
    reason = (field.data or "").strip() if field is not None else ""
    model.__dict__.pop("protocol_override", None)
    uow.session.flush()
    override(uow, reason or None)
    try:
        enforce(uow, "event", [model.id])
    except ProtocolBlocked as exc:
        raise ValidationError(
            f"{exc} Fill in the protocol override reason to save anyway."
        ) from exc
    finally:
        override(uow, None)


def flash_findings(db: Any, event_id: int) -> None:
    """Flash the event's open protocol findings (clause, what is wrong, how to fix it)."""
    for r in open_findings(db.unit_of_work(), "event", event_id):
        f = r.finding
        note = f" Overridden: {r.override_reason}." if r.override_reason else ""
        flash(
            f"Protocol {f.clause} ({f.severity.value}): {f.problem} Fix: {f.fix}{note}",
            "info" if f.severity.value == "info" else "warning",
        )


def flash_clashes(db: Any, event_id: int, tz: dt.tzinfo) -> None:
    """Flash the event's clashes as one warning, by name (nothing when there are none)."""
    uow = db.unit_of_work()
    groups = group_clashes(clashes_for(uow, uow.events.get(event_id)))
    if not groups:
        return
    people = sum(len(g) for g in groups)
    lines = [describe_group(g, tz) for g in groups[:SHOWN]]
    if len(groups) > SHOWN:
        lines.append(f"… and {len(groups) - SHOWN} more clashing events.")
    flash(
        f"Clash warning ({people} clash{'es' if people != 1 else ''}): " + "; ".join(lines),
        "warning",
    )


def event_views(db: Any) -> list[Any]:
    return [EventView(db, name="Events", category="Calendar", endpoint="event")]
