"""The walkabout rota in the admin: the plan as a wards × quarters grid, and an Apply button.

Everyone who may read the admin sees the grid; editors (liaison officers
and admins) may apply it, which writes the same events as ``kdc rota plan --apply``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, flash, redirect, request, url_for
from flask_admin import expose

from kdc_admin.database import admin_source
from kdc_admin.menus import CALENDAR
from kdc_admin.security import SecuredBaseView
from kdc_core.app import Kdc
from kdc_core.calendar.rota import service as rota_service
from kdc_core.calendar.rota.grid import RotaGrid, rota_grid
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


def rota_admin_views(kdc: Kdc) -> list[Any]:
    return [RotaGridView(name="Walkabout rota", category=CALENDAR, endpoint="rota", url="rota")]
