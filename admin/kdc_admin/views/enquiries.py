"""Enquiries in the admin: a list everyone signed in may read (no personal data for viewers:
see :mod:`kdc_admin.views.enquiry_list`), the case page (:mod:`kdc_admin.views.enquiry_case`)
and the read-only audit trail for liaison staff and admins, the SLA dashboard, and for liaison
staff and admins a form to log an enquiry.

Enquiries change only through the services in
:mod:`kdc_core.enquiries.service` — the same functions ``kdc enquiries`` uses — so every
change gets its reference, due dates, routing, rule checks and audit entries exactly as from
the command line, with ``admin:<email>`` as the actor. The forms are POSTs with the CSRF
token; a viewer's POST is refused with 403. No view edits or deletes an enquiry row or an
audit entry directly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from flask import current_app, flash, g, redirect, url_for
from flask_admin import expose

from kdc_admin.database import KdcDatabase, admin_source
from kdc_admin.security import EDITORS, SecuredBaseView, SecuredModelView
from kdc_admin.views.enquiry_case import RULE_8_3, EnquiryCaseView, kept_elsewhere
from kdc_admin.views.enquiry_forms import LogEnquiryForm
from kdc_admin.views.enquiry_list import (
    DETAIL_TYPE_FORMATTERS,
    EXPORT_TYPE_FORMATTERS,
    ROUTING_DETAILS,
    TYPE_FORMATTERS,
    EnquiryColumnsView,
    current_kdc,
)
from kdc_core.app import Kdc
from kdc_core.db.enquiries import EnquiryAuditRow, EnquiryRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries import service
from kdc_core.enquiries.caseview import actor_names, audit_value, field_words, queued_words
from kdc_core.enquiries.categories import list_categories
from kdc_core.enquiries.cli import handler_line
from kdc_core.enquiries.dashboard import DUE_WORKING_DAYS, dashboard
from kdc_core.enquiries.values import (
    Constituent,
    NewEnquiry,
)
from kdc_core.errors import KdcError
from kdc_core.timewords import govuk_date, long_date


class _ReadOnly(SecuredModelView):
    allow_create = False
    allow_edit = False
    allow_delete = False
    can_view_details = True
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS


class EnquiryListView(EnquiryColumnsView):
    """Every role: the list (the description only for liaison staff and admins) and, on the
    details page, the enquiry's routing and dates — never the constituent."""

    column_details_list = ("reference", *ROUTING_DETAILS, "advocacy", "closed_at")
    column_export_list = (*EnquiryColumnsView.column_list, "category", "received_at", "closed_at")


class EnquiryAuditView(_ReadOnly):
    """The audit trail: appended by the services, never edited — here or anywhere."""

    read_roles = EDITORS
    write_roles: ClassVar[frozenset[str]] = frozenset()
    column_list = ("at", "enquiry", "actor", "action", "field", "old", "new")
    column_default_sort = ("id", True)
    column_filters = ("action", "actor")
    column_labels: ClassVar[dict[str, str]] = {
        "at": "When",
        "actor": "Who",
        "action": "What",
        "old": "From",
        "new": "To",
    }
    column_formatters: ClassVar[dict[str, Any]] = {
        "actor": lambda _v, _c, model, _n: g.get("kdc_actor_names", {}).get(
            model.actor, model.actor
        ),
        "field": lambda _v, _c, m, _n: field_words(m.field),
        "old": lambda _v, _c, m, _n: audit_value(m.action, m.field, m.old),
        "new": lambda _v, _c, m, _n: audit_value(m.action, m.field, m.new),
    }

    def get_list(self, *args: Any, **kwargs: Any) -> Any:
        """The page's rows, with who each actor is looked up once for the page."""
        count, rows = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True) and rows:
            rows = list(rows)
            with current_kdc().unit_of_work(source=admin_source(), dry_run=True) as uow:
                g.kdc_actor_names = actor_names(uow, [r.actor for r in rows])
        return count, rows


class SlaDashboardView(SecuredBaseView):
    """Per service, ward and officer: open, due soon, overdue, % answered within the
    timescale (read from the enquiry summary, so it stays quick at any size)."""

    @expose("/")
    def index(self) -> Any:
        kdc: Kdc = current_app.extensions["kdc"]
        today = dt.datetime.now(kdc.settings.tz).date()
        with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
            board = dashboard(uow, today)
        tables = {"service": board.by_service, "ward": board.by_ward, "officer": board.by_officer}
        return self.render(
            "kdc/enquiries_sla.html",
            board=board,
            tables=tables,
            today=govuk_date(today, kdc.settings.tz),
            due_until=govuk_date(board.due_until, kdc.settings.tz),
            due_days=DUE_WORKING_DAYS,
            rule=RULE_8_3,
        )


class LogEnquiryView(SecuredBaseView):
    """Liaison staff and admins: log an enquiry as ``kdc enquiries create`` does."""

    read_roles = EDITORS

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        kdc = current_kdc()
        form = LogEnquiryForm()
        categories = self._choices(kdc, form)
        elsewhere = kept_elsewhere(kdc)
        if form.validate_on_submit():
            if elsewhere:
                flash(f"The enquiry was not logged: {elsewhere}", "error")
            else:
                try:
                    with kdc.unit_of_work(source=admin_source()) as uow:
                        made = service.create(uow, self._new(kdc, form), admin_source())
                        row_id = store.enquiry_row(uow.session, made.reference).id
                except KdcError as exc:
                    flash(f"The enquiry was not logged: {exc}", "error")
                else:
                    tz = kdc.settings.tz
                    flash(
                        f"Logged {made.reference}. {handler_line(made)}. Acknowledge by "
                        f"{long_date(made.acknowledge_by, tz)}; respond by "
                        f"{long_date(made.respond_by, tz)}. {queued_words(made.told)}",
                        "success",
                    )
                    for warning in made.warnings:
                        flash(f"Please check: {warning}.", "warning")
                    return redirect(url_for("enquiry_case.details_view", id=row_id))
        return self.render(
            "kdc/enquiries_log.html", form=form, categories=categories, kept_elsewhere=elsewhere
        )

    @staticmethod
    def _choices(kdc: Kdc, form: LogEnquiryForm) -> list[str]:
        """Fill the selects from the database; returns the categories that have settings."""
        with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
            councillors = [
                (c.name, f"{c.name} ({c.ward.name})" if c.ward else c.name)
                for c in uow.people.councillors()
            ]
            wards = [w.name for w in uow.people.wards()]
            services = [s.name for s in uow.people.services()]
            categories = [c.name for c in list_categories(uow, active_only=True)]
        form.councillor.choices = [("", "Choose …"), *councillors]
        form.joint_councillors.choices = councillors
        form.ward.choices = [("", "Choose …"), *((w, w) for w in wards)]
        form.service.choices = [
            ("", "The category's default service"),
            *((s, s) for s in services),
        ]
        return categories

    @staticmethod
    def _new(kdc: Kdc, form: LogEnquiryForm) -> NewEnquiry:
        received = form.received_at.data
        lead = form.councillor.data or ""
        joint = [name for name in form.joint_councillors.data or () if name != lead]
        return NewEnquiry(
            councillors=(lead, *joint),
            ward=form.ward.data or "",
            category=form.category.data or "",
            service=form.service.data or "",
            description=form.description.data or "",
            received_at=received.replace(tzinfo=kdc.settings.tz) if received else None,
            constituent=Constituent(
                name=form.constituent_name.data or None,
                email=form.constituent_email.data or None,
                phone=form.constituent_phone.data or None,
                address=form.constituent_address.data or None,
            ),
            advocacy=bool(form.advocacy.data),
        )


def enquiry_admin_views(kdc: Kdc) -> list[Any]:
    db = KdcDatabase.for_kdc(kdc)
    cat = "Enquiries"
    return [
        SlaDashboardView(name="SLA dashboard", category=cat, endpoint="enquiry_sla", url="sla"),
        LogEnquiryView(
            name="Log an enquiry", category=cat, endpoint="enquiry_log", url="enquiry_log"
        ),
        EnquiryListView(EnquiryRow, db, name="Enquiries", category=cat, endpoint="enquiry"),
        EnquiryCaseView(
            EnquiryRow, db, name="Cases (personal data)", category=cat, endpoint="enquiry_case"
        ),
        EnquiryAuditView(
            EnquiryAuditRow, db, name="Audit trail", category=cat, endpoint="enquiry_audit"
        ),
    ]
