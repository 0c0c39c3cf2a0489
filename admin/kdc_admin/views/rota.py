"""The walkabout rota in the admin: the plan as a wards × quarters grid, an Apply button, and
the officers' unavailability the planner works around.

Everyone who may read the admin sees the grid and the unavailability; editors (liaison
officers and admins) may apply the plan, which writes the same events as
``kdc rota plan --apply``, and record, change or remove unavailability, through the same
service as ``kdc rota unavailable``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from flask import current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.form import DateTimeField
from wtforms.validators import InputRequired

from kdc_admin.database import KdcDatabase, admin_source
from kdc_admin.menus import CALENDAR
from kdc_admin.security import SecuredBaseView, SecuredModelView
from kdc_admin.views.common import LocalTimes, through_service
from kdc_core.app import Kdc
from kdc_core.calendar.rota import service as rota_service
from kdc_core.calendar.rota.grid import RotaGrid, rota_grid
from kdc_core.db.events import OfficerUnavailabilityRow
from kdc_core.db.people import OfficerRow
from kdc_core.errors import KdcError

QUARTERS = (1, 2, 3, 4)


def _year(text: str | None) -> int:
    """The year asked for; next year when none (or nonsense) is given."""
    try:
        year = int(text or "")
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else dt.date.today().year + 1


class RotaGridView(SecuredBaseView):
    """Wards down, quarters across; each cell the date, time and officers, or why not."""

    @expose("/")
    def index(self) -> Any:
        kdc: Kdc = current_app.extensions["kdc"]
        year = _year(request.args.get("year"))
        grid: RotaGrid | None = None
        error = None
        try:
            with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
                inputs, plan = rota_service.plan(uow, year, QUARTERS)
                stored = rota_service.stored_walkabouts(uow, year)
            grid = rota_grid(inputs, plan, stored)
        except KdcError as exc:
            error = str(exc)
        return self.render(
            "kdc/rota.html", grid=grid, year=year, error=error, can_apply=self.can_write()
        )

    @expose("/apply", methods=("POST",))
    def apply(self) -> Any:
        kdc: Kdc = current_app.extensions["kdc"]
        year = _year(request.form.get("year"))
        try:
            with kdc.unit_of_work(source=admin_source()) as uow:
                inputs, plan = rota_service.plan(uow, year, QUARTERS)
                done = rota_service.apply_plan(uow, inputs, plan)
        except KdcError as exc:
            flash(f"The {year} rota was not applied: {exc}", "error")
        else:
            flash(
                f"Applied the {year} rota: {done.created} created, {done.updated} updated, "
                f"{done.unchanged} unchanged, {done.cancelled} cancelled.",
                "success",
            )
        return redirect(url_for(".index", year=year))


class UnavailabilityView(LocalTimes, SecuredModelView):
    """When officers cannot be sent on walkabouts: officer, from, to, why."""

    local_fields = ("start", "end")
    column_list = ("officer", "start", "end", "reason")
    column_labels: ClassVar[dict[str, str]] = {"start": "From", "end": "To", "reason": "Why"}
    column_sortable_list: ClassVar[list[Any]] = [
        ("officer", "officer.family_name"),
        "start",
        "end",
    ]
    column_default_sort = ("start", True)
    column_searchable_list = ("officer.given_name", "officer.family_name", "reason")
    column_details_list = ("officer", "start", "end", "reason")
    column_export_list = ("officer", "start", "end", "reason")
    form_columns = ("officer", "start", "end", "reason")
    # UTCDateTime is not a type Flask-Admin recognises, so say which field to use.
    form_overrides: ClassVar[dict[str, Any]] = {"start": DateTimeField, "end": DateTimeField}
    form_ajax_refs: ClassVar[dict[str, Any]] = {
        "officer": {"fields": ["given_name", "family_name", "email"], "page_size": 20}
    }

    def __init__(self, db: KdcDatabase, **kwargs: Any) -> None:
        self.kdc_db = db
        self.form_args = {
            **self.local_args(),
            "officer": {"validators": [InputRequired()]},
            "reason": {"description": "Leave, training, another commitment …"},
        }
        super().__init__(OfficerUnavailabilityRow, db, **kwargs)

    def create_model(self, form: Any) -> Any:
        saved = self._save(form, None)
        return False if saved is None else self.kdc_db.session.get(self.model, saved)

    def update_model(self, form: Any, model: OfficerUnavailabilityRow) -> bool:
        return self._save(form, model.id) is not None

    def _save(self, form: Any, unavailability_id: int | None) -> int | None:
        """Save through the rota service; on a refusal, say why on the form."""
        officer: OfficerRow = form.officer.data
        return through_service(
            self.kdc_db,
            lambda uow: rota_service.save_unavailability(
                uow,
                officer.id,
                form.start.data.replace(tzinfo=self._tz()),
                form.end.data.replace(tzinfo=self._tz()),
                form.reason.data,
                unavailability_id,
            ),
        )


def rota_admin_views(kdc: Kdc) -> list[Any]:
    db = KdcDatabase.for_kdc(kdc)
    return [
        RotaGridView(name="Walkabout rota", category=CALENDAR, endpoint="rota", url="rota"),
        UnavailabilityView(
            db, name="Rota unavailability", category=CALENDAR, endpoint="unavailability"
        ),
    ]
