"""Calendar events: list, create and edit, with a clash warning on save.

Times in the forms and lists are the council's local time (``timezone`` setting); they are
stored in UTC. Events are cancelled, never deleted, so subscribed calendars can remove them.

Creating, editing and cancelling go through :mod:`kdc_core.calendar.events` (``create_event``,
``update_event``, ``cancel_event``), as the CLI and the importers do: the rules (UIDs,
SEQUENCE, cancellation, times, the member–officer protocol) live there, and a refusal is
shown on the form. The form's *Protocol override reason* is handed to the service, which
records it on the error-level finding it lets through. After a save, any clashes are flashed
as a warning, by name, when the change could have made one (the save itself goes through),
and the event's open protocol findings are flashed too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from flask import flash
from flask_admin.actions import action
from flask_admin.form import DateTimeField
from wtforms import StringField
from wtforms.validators import InputRequired

from kdc_admin.formats import code_choices
from kdc_admin.menus import CALENDAR
from kdc_admin.security import SecuredModelView
from kdc_admin.views.common import LocalTimes, flash_findings, through_service
from kdc_core.calendar.clashes import clashes_for, describe_group, group_clashes, may_clash_anew
from kdc_core.calendar.events import cancel_event, create_event, update_event
from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus, NewEvent
from kdc_core.db.events import EventRow
from kdc_core.db.people import CouncillorRow
from kdc_core.errors import KdcError
from kdc_core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

_KINDS = code_choices(EventKind)
_STATUSES = code_choices(EventStatus)
#: Clash groups shown in one warning; the rest are counted.
SHOWN = 10


class EventView(LocalTimes, SecuredModelView):
    """Liaison officers and admins edit; viewers read. Deleting is off: cancel instead."""

    allow_delete = False
    local_fields = ("start", "end")
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
            filters=[lambda text: (text or "").strip() or None],
        )
    }
    form_choices: ClassVar[dict[str, Any]] = {"kind": _KINDS, "status": _STATUSES}
    column_choices: ClassVar[dict[str, Any]] = {"kind": _KINDS, "status": _STATUSES}
    # UTCDateTime is not a type Flask-Admin recognises, so say which field to use.
    form_overrides: ClassVar[dict[str, Any]] = {"start": DateTimeField, "end": DateTimeField}
    form_ajax_refs: ClassVar[dict[str, Any]] = {
        "officers": {"fields": ["given_name", "family_name", "email"], "page_size": 20}
    }
    form_widget_args: ClassVar[dict[str, Any]] = {"description": {"rows": 4}}
    column_labels: ClassVar[dict[str, str]] = {
        "councillors": "Invited councillors",
        "officers": "Invited officers",
        "external_id": "Source's reference",
        "uid": "UID",
        "public": "Public",
        "cancelled_at": "Cancelled",
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
        super().__init__(EventRow, db, **kwargs)

    def create_model(self, form: Any) -> EventRow | bool:
        def save(uow: UnitOfWork, reason: str | None) -> CalendarEvent:
            fields = self._form_fields(form)
            new = NewEvent(**fields, timezone=self.kdc_db.kdc.settings.timezone)
            return create_event(uow, new, override_reason=reason)

        event = self._save(form, save, "Failed to create record.")
        if event is None:
            return False
        self._flash_after_save(None, event)
        row: EventRow = self.kdc_db.session.get(EventRow, event.id)
        return row

    def update_model(self, form: Any, model: EventRow) -> bool:
        before = self.kdc_db.unit_of_work().events.get(model.id)

        def save(uow: UnitOfWork, reason: str | None) -> CalendarEvent:
            fields = self._form_fields(form)
            return update_event(uow, model.id, override_reason=reason, **fields)

        event = self._save(form, save, "Failed to update record.")
        if event is None:
            return False
        self._flash_after_save(before, event)
        return True

    def _form_fields(self, form: Any) -> dict[str, Any]:
        """The form as the service's fields: local times made aware, rows made ids."""
        fields: dict[str, Any] = {
            "title": form.title.data,
            "start": self.aware(form.start.data),
            "end": self.aware(form.end.data),
            "location": form.location.data,
            "description": form.description.data,
            "service_id": form.service.data.id if form.service.data else None,
            "committee": form.committee.data,
            "public": bool(form.public.data),
            "ward_ids": _ids(form.wards.data),
            "councillor_ids": _ids(form.councillors.data),
            "officer_ids": _ids(form.officers.data),
        }
        if form.kind.data:
            fields["kind"] = EventKind(form.kind.data)
        if form.status.data:
            fields["status"] = EventStatus(form.status.data)
        return fields

    def _save(
        self,
        form: Any,
        save: Callable[[UnitOfWork, str | None], CalendarEvent],
        failure: str,
    ) -> CalendarEvent | None:
        """Call the service and commit; on a refusal, roll back and say why on the form."""
        try:
            return through_service(self.kdc_db, lambda uow: save(uow, form.protocol_override.data))
        except Exception as exc:
            if not self.handle_view_exception(exc):
                flash(f"{failure} {exc}", "error")
                log.exception(failure)
            return None

    def _flash_after_save(self, before: CalendarEvent | None, after: CalendarEvent) -> None:
        if may_clash_anew(before, after):
            flash_clashes(self.kdc_db, after.id, self.tz)
        flash_findings(self.kdc_db, "event", after.id)

    @action("cancel", "Cancel", "Cancel the selected events? They stay, marked cancelled.")
    def action_cancel(self, ids: Sequence[str]) -> None:
        uow = self.kdc_db.unit_of_work()
        events = [uow.events.get(int(i)) for i in ids]
        live = [e for e in events if not e.cancelled]
        try:
            for event in live:
                cancel_event(uow, event.id)
            uow.session.commit()
        except KdcError as exc:
            uow.session.rollback()
            flash(f"Nothing was cancelled: {exc}", "error")
            return
        flash(f"Cancelled {len(live)} event(s).", "success")


def _ids(rows: Iterable[Any] | None) -> tuple[int, ...]:
    return tuple(sorted(row.id for row in rows or ()))


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
    return [EventView(db, name="Events", category=CALENDAR, endpoint="event")]
