"""Enquiries in the admin: a list everyone signed in may read (no constituent data), the full
case view and the read-only audit trail for liaison staff and admins, the SLA dashboard, and
for liaison staff and admins a form to log an enquiry and, on the case view, forms to add a
note, change the status and extend.

Enquiries change only through the services in
:mod:`kdc_core.enquiries.service` — the same functions ``kdc enquiries`` uses — so every
change gets its reference, due dates, routing, rule checks and audit entries exactly as from
the command line, with ``admin:<email>`` as the actor. The forms are POSTs with the CSRF
token; a viewer's POST is refused with 403. No view edits or deletes an enquiry row or an
audit entry directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.model import typefmt
from flask_wtf import FlaskForm

from kdc_admin.database import KdcDatabase, admin_source
from kdc_admin.security import EDITORS, SecuredBaseView, SecuredModelView
from kdc_admin.views.enquiry_forms import (
    ExtendForm,
    LogEnquiryForm,
    NoteForm,
    StatusForm,
    form_errors,
    next_statuses,
)
from kdc_core.app import Kdc
from kdc_core.db.enquiries import EnquiryAuditRow, EnquiryRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries import service
from kdc_core.enquiries.backends import DEFAULT_BACKEND
from kdc_core.enquiries.categories import list_categories
from kdc_core.enquiries.cli import handler_line, told_line
from kdc_core.enquiries.dashboard import DUE_WORKING_DAYS, dashboard
from kdc_core.enquiries.values import (
    MAX_EXTENSIONS,
    Constituent,
    NewEnquiry,
)
from kdc_core.errors import KdcError
from kdc_core.mail.letters import local_date
from kdc_core.unit_of_work import UnitOfWork

RULE_8_3 = (
    "Protocol 8.3: an officer gives a councillor information on behalf of a third party only "
    "when it is public, not barred (by law or a court) and not confidential."
)
STATISTICS = (
    "reference",
    "status",
    "category",
    "received_at",
    "acknowledge_by",
    "respond_by",
    "extension_stage",
    "routed_by",
    "advocacy",
    "closed_at",
)


def _share(_view: Any, _context: Any, model: EnquiryRow, _name: str) -> str:
    flags = (model.info_public, model.info_not_barred, model.info_not_confidential)
    if any(f is None for f in flags):
        return "not recorded"
    return "yes" if all(flags) else "no"


def _verdict(view: Any, context: Any, model: EnquiryRow, name: str) -> str:
    """The third flag, then what the three together mean, then the rule itself."""
    value = getattr(model, name)
    shown = "not recorded" if value is None else ("yes" if value else "no")
    meaning = {
        "yes": "the information may be shared",
        "no": "the information may not be shared",
        "not recorded": "not decided until all three are recorded",
    }[_share(view, context, model, name)]
    return f"{shown} — so {meaning}. {RULE_8_3}"


# -- forms: what ``kdc enquiries create``, ``update`` and ``extend`` take --------------------


#: How each status is offered as a next step (``extended`` only through the extend form).
def _kdc() -> Kdc:
    kdc: Kdc = current_app.extensions["kdc"]
    return kdc


def _kept_elsewhere(kdc: Kdc) -> str | None:
    """Why the admin must not change enquiries: another casework backend keeps them.

    The admin's pages read this database; with another backend, logging an enquiry here would
    start a second series of references that the command line never sees.
    """
    section = kdc.settings.plugin_sections.get("enquiries", {})
    name = section.get("backend", DEFAULT_BACKEND)
    if name == DEFAULT_BACKEND:
        return None
    return (
        f"Enquiries are kept by the {name!r} casework backend, not in this database: "
        "change them there or with kdc enquiries."
    )


def _local_time(_view: Any, value: dt.datetime, _name: str = "") -> str:
    """A stored (UTC) time as the council's local time, to the minute."""
    kdc: Kdc = current_app.extensions["kdc"]
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return f"{value.astimezone(kdc.settings.tz):%Y-%m-%d %H:%M}"


class _ReadOnly(SecuredModelView):
    allow_create = False
    allow_edit = False
    allow_delete = False
    can_view_details = True
    column_type_formatters: ClassVar[dict[type, Any]] = {
        **typefmt.BASE_FORMATTERS,
        dt.datetime: _local_time,
    }
    column_type_formatters_detail: ClassVar[dict[type, Any]] = {
        **typefmt.DETAIL_FORMATTERS,
        dt.datetime: _local_time,
    }


class EnquiryListView(_ReadOnly):
    """Every role: reference, status, dates and routing, never the constituent or the text."""

    column_list = STATISTICS
    column_details_list = STATISTICS
    column_export_list = STATISTICS
    column_searchable_list = ("reference",)
    column_filters = ("status", "category", "advocacy")
    column_default_sort = ("received_at", True)


class EnquiryCaseView(_ReadOnly):
    """Liaison staff and admins: the whole case, with the protocol 8.3 rule."""

    read_roles = EDITORS
    column_list = (
        "reference",
        "status",
        "constituent_name",
        "description",
        "respond_by",
        "advocacy",
        "may_share",
    )
    column_details_list = (
        *STATISTICS,
        "legacy_reference",
        "constituent_name",
        "constituent_email",
        "constituent_phone",
        "constituent_address",
        "description",
        "extension_reason",
        "info_public",
        "info_not_barred",
        "info_not_confidential",
        "anonymised_at",
    )
    column_searchable_list = ("reference", "legacy_reference", "description")
    column_default_sort = ("received_at", True)
    column_formatters: ClassVar[dict[str, Any]] = {"may_share": _share}
    column_formatters_detail: ClassVar[dict[str, Any]] = {"info_not_confidential": _verdict}
    column_labels: ClassVar[dict[str, str]] = {
        "may_share": "May share (8.3)",
        "info_public": "Public (8.3)",
        "info_not_barred": "Not barred (8.3)",
        "info_not_confidential": "Not confidential (8.3)",
    }
    column_descriptions: ClassVar[dict[str, str]] = {
        "may_share": RULE_8_3,
        "info_public": RULE_8_3,
    }
    details_template = "kdc/enquiries_case.html"

    def render(self, template: str, **kwargs: Any) -> Any:
        """The case page also shows the notes, the enquiry's own audit trail and, for
        editors, the forms that change it."""
        model = kwargs.get("model")
        if template == self.details_template and isinstance(model, EnquiryRow):
            kwargs.update(self._case(model))
        return super().render(template, **kwargs)

    def _case(self, model: EnquiryRow) -> dict[str, Any]:
        kdc = _kdc()
        with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
            enquiry = service.get(uow, model.reference)
        status_form = StatusForm()
        status_form.status.choices = next_statuses(enquiry.status)
        extendable = enquiry.is_open and enquiry.extension_stage < MAX_EXTENSIONS
        return {
            "enquiry": enquiry,
            "handler": handler_line(enquiry),
            "can_act": self.can_write() and not enquiry.anonymised,
            "kept_elsewhere": _kept_elsewhere(kdc),
            "note_form": NoteForm(),
            "status_form": status_form if status_form.status.choices else None,
            "extend_form": ExtendForm() if extendable else None,
        }

    def _change(
        self,
        form: FlaskForm,
        change: Callable[[UnitOfWork, str, str], str],
        refused: str,
    ) -> Any:
        """Validate ``form``, run ``change(uow, reference, actor)`` in one transaction and
        go back to the case; a refusal (bad input, a rule, a missing enquiry) is flashed."""
        raw = request.args.get("id", "")
        if not raw.isdigit():
            abort(404)
        kdc = _kdc()
        elsewhere = _kept_elsewhere(kdc)
        if elsewhere:
            flash(f"{refused}: {elsewhere}", "error")
        elif not form.validate():
            flash(f"{refused}: {form_errors(form)}", "error")
        else:
            try:
                with kdc.unit_of_work(source=admin_source()) as uow:
                    row = uow.session.get(EnquiryRow, int(raw))
                    if row is None:
                        abort(404)
                    done = change(uow, row.reference, admin_source())
            except KdcError as exc:
                flash(f"{refused}: {exc}", "error")
            else:
                flash(done, "success")
        return redirect(url_for(".details_view", id=int(raw)))

    @expose("/note/", methods=("POST",))
    def note_view(self) -> Any:
        form = NoteForm()

        def note(uow: UnitOfWork, reference: str, actor: str) -> str:
            service.add_note(uow, reference, form.body.data or "", actor)
            return f"Note added to {reference}."

        return self._change(form, note, "The note was not added")

    @expose("/status/", methods=("POST",))
    def status_view(self) -> Any:
        form = StatusForm()

        def move(uow: UnitOfWork, reference: str, actor: str) -> str:
            e = service.update_status(
                uow, reference, form.status.data or "", actor, form.note.data or None
            )
            return f"{e.reference} is now {e.status.value}. {told_line(e)}"

        return self._change(form, move, "The status was not changed")

    @expose("/extend/", methods=("POST",))
    def extend_view(self) -> Any:
        form = ExtendForm()

        def extend(uow: UnitOfWork, reference: str, actor: str) -> str:
            e = service.extend(uow, reference, form.reason.data or "", actor, form.due.data)
            return (
                f"{e.reference}: extension {e.extension_stage}, respond by {e.respond_by}. "
                + told_line(e)
            )

        return self._change(form, extend, "The enquiry was not extended")


class EnquiryAuditView(_ReadOnly):
    """The audit trail: appended by the services, never edited — here or anywhere."""

    read_roles = EDITORS
    write_roles: ClassVar[frozenset[str]] = frozenset()
    column_list = ("at", "enquiry", "actor", "action", "field", "old", "new")
    column_default_sort = ("id", True)
    column_filters = ("action", "actor")


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
            today=local_date(today, kdc.settings.tz),
            due_until=local_date(board.due_until, kdc.settings.tz),
            due_days=DUE_WORKING_DAYS,
            rule=RULE_8_3,
        )


class LogEnquiryView(SecuredBaseView):
    """Liaison staff and admins: log an enquiry as ``kdc enquiries create`` does."""

    read_roles = EDITORS

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        kdc = _kdc()
        form = LogEnquiryForm()
        categories = self._choices(kdc, form)
        elsewhere = _kept_elsewhere(kdc)
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
                    flash(
                        f"Logged {made.reference}. {handler_line(made)}. Acknowledge by "
                        f"{made.acknowledge_by}; respond by {made.respond_by}. {told_line(made)}",
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
