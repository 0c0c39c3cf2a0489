"""Custom admin pages: the data-health dashboard, ward pages and the organisation chart.

They read through core services in a read-only unit of work; they hold no rules of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import abort, current_app, request, url_for
from flask_admin import expose

from kdc_admin.database import admin_source
from kdc_admin.menus import PEOPLE
from kdc_admin.orgchart import chart_page, render_chart
from kdc_admin.security import SecuredAdminIndexView, SecuredBaseView
from kdc_core.app import Kdc
from kdc_core.errors import NotFound
from kdc_core.people import queries
from kdc_core.people.health import data_health
from kdc_core.unit_of_work import UnitOfWork


@contextmanager
def reading() -> Iterator[UnitOfWork]:
    """A read-only unit of work on the application's database."""
    kdc: Kdc = current_app.extensions["kdc"]
    with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
        yield uow


class DashboardView(SecuredAdminIndexView):
    """The home page: what needs fixing in the data."""

    @expose("/")
    def index(self) -> Any:
        shown = 25
        with reading() as uow:
            health = data_health(uow, limit=shown)
        return self.render("kdc/dashboard.html", health=health, shown=shown)


class WardPageView(SecuredBaseView):
    """Everything about one ward on one page: councillors, officers, contacts, link officer."""

    @expose("/")
    def index(self) -> Any:
        with reading() as uow:
            overviews = queries.ward_overviews(uow)
        return self.render("kdc/ward_index.html", overviews=overviews)

    @expose("/<slug>/")
    def ward(self, slug: str) -> Any:
        with reading() as uow:
            try:
                summary = queries.ward_summary(uow, slug)
            except NotFound:
                abort(404)
        return self.render("kdc/ward.html", summary=summary)


class OrgChartView(SecuredBaseView):
    """Directorates → services → managers → staff, one directorate at a time, searchable."""

    @expose("/")
    def index(self) -> Any:
        query = request.args.get("q", "").strip()[:100]
        with reading() as uow:
            page = chart_page(
                uow.people.directorates(),
                uow.people.services(),
                uow.people.officers(),
                wanted=request.args.get("directorate", ""),
                query=query,
            )
        chart = None
        if page.chosen is not None:
            chart = render_chart(
                page.chosen,
                page.columns,
                query=query if page.hits else "",
                officer_url=url_for("officer.details_view") + "?id=",
                leaders=page.leaders,
            )
        return self.render("kdc/orgchart.html", page=page, chart=chart, query=query, shown=50)


def page_views() -> list[Any]:
    return [
        WardPageView(name="Ward pages", category=PEOPLE, endpoint="ward_page", url="ward-pages"),
        OrgChartView(
            name="Organisation chart", category=PEOPLE, endpoint="orgchart", url="org-chart"
        ),
    ]
