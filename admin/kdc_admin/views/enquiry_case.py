"""The admin's case page for liaison staff and admins: the whole enquiry — the constituent's
contact details (personal data; "Removed under retention on <date>" once retention has
removed them), the protocol 8.3 rule, one timeline of the audit entries and notes (who by
name, when in council time to the minute, what in words) — and the forms that work the case:
add a note, change the status, extend, and assign or change the named officer.

Enquiries change only through the services in :mod:`kdc_core.enquiries.service` — the same
functions ``kdc enquiries`` uses — with ``admin:<email>`` as the actor. The forms are POSTs
with the CSRF token; a viewer's POST is refused with 403 (the page itself is editors' only).
What the change queued for the outbox is counted in the message ("3 messages queued"): queued,
never "sent".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_wtf import FlaskForm

from kdc_admin.database import admin_source
from kdc_admin.security import EDITORS
from kdc_admin.views.enquiry_forms import (
    AssignForm,
    ExtendForm,
    NoteForm,
    StatusForm,
    form_errors,
    next_statuses,
)
from kdc_admin.views.enquiry_list import (
    EXPORT_FORMATTERS,
    FORMATTERS,
    LABELS,
    ROUTING_DETAILS,
    EnquiryColumnsView,
    current_kdc,
    removed_on,
)
from kdc_core.app import Kdc
from kdc_core.db.enquiries import EnquiryRow
from kdc_core.enquiries import service
from kdc_core.enquiries.backends import DEFAULT_BACKEND
from kdc_core.enquiries.caseview import officer_choices, queued_words, timeline
from kdc_core.enquiries.cli import handler_line
from kdc_core.enquiries.values import MAX_EXTENSIONS
from kdc_core.errors import KdcError
from kdc_core.timewords import govuk_time, long_date
from kdc_core.unit_of_work import UnitOfWork

RULE_8_3 = (
    "Protocol 8.3: an officer gives a councillor information on behalf of a third party only "
    "when it is public, not barred (by law or a court) and not confidential."
)


def _share(_view: Any, _context: Any, model: EnquiryRow, _name: str) -> str:
    flags = (model.info_public, model.info_not_barred, model.info_not_confidential)
    if any(f is None for f in flags):
        return "not recorded"
    return "yes" if all(flags) else "no"


def _flag(_view: Any, _context: Any, model: EnquiryRow, name: str) -> str:
    value = getattr(model, name)
    return "Not recorded" if value is None else ("Yes" if value else "No")


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


def kept_elsewhere(kdc: Kdc) -> str | None:
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


def _constituent(_view: Any, _context: Any, model: EnquiryRow, name: str) -> str:
    """A contact detail, or when retention removed it (the date it went)."""
    if model.anonymised_at is not None:
        return removed_on(model)
    return getattr(model, name) or "Not given"


class EnquiryCaseView(EnquiryColumnsView):
    """Liaison staff and admins: the whole case — the constituent's contact details, the
    protocol 8.3 rule, the timeline and the forms that work the case."""

    read_roles = EDITORS
    column_list = (
        "reference",
        "constituent_name",
        "description",
        "councillor",
        "ward",
        "officer",
        "status",
        "respond_by",
        "timescale",
        "may_share",
    )
    column_details_list = (
        "reference",
        "legacy_reference",
        *ROUTING_DETAILS,
        "extension_reason",
        "advocacy",
        "closed_at",
        "constituent_name",
        "constituent_email",
        "constituent_phone",
        "constituent_address",
        "description",
        "info_public",
        "info_not_barred",
        "info_not_confidential",
    )
    column_export_list = (*column_list[:-1], "category", "received_at", "closed_at")
    column_searchable_list = ("reference", "legacy_reference", "description")
    column_formatters: ClassVar[dict[str, Any]] = {
        **FORMATTERS,
        "may_share": _share,
        "constituent_name": _constituent,
    }
    column_formatters_detail: ClassVar[dict[str, Any]] = {
        **FORMATTERS,
        "reference": lambda _v, _c, m, _n: m.reference,
        "info_public": _flag,
        "info_not_barred": _flag,
        "info_not_confidential": _verdict,
        "description": lambda _v, _c, m, _n: removed_on(m) or m.description,
        **{f"constituent_{f}": _constituent for f in ("name", "email", "phone", "address")},
    }
    column_formatters_export: ClassVar[dict[str, Any]] = {
        **EXPORT_FORMATTERS,
        "constituent_name": _constituent,
    }
    column_labels: ClassVar[dict[str, Any]] = {
        **LABELS,
        "constituent_name": "Constituent",
        "constituent_email": "Constituent's email",
        "constituent_phone": "Constituent's phone",
        "constituent_address": "Constituent's address",
        "legacy_reference": "Reference in the old system",
        "extension_reason": "Reason for the extension",
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
        kdc = current_kdc()
        with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
            enquiry = service.get(uow, model.reference)
            entries = timeline(uow, enquiry)
            assign_form = AssignForm() if enquiry.is_open else None
            if assign_form is not None:
                assign_form.officer.choices = [("", "Choose …"), *officer_choices(uow)]
        status_form = StatusForm()
        status_form.status.choices = next_statuses(enquiry.status)
        extendable = enquiry.is_open and enquiry.extension_stage < MAX_EXTENSIONS
        return {
            "enquiry": enquiry,
            "handler": handler_line(enquiry),
            "timeline": entries,
            "when": lambda at: govuk_time(at, kdc.settings.tz),
            "day": lambda d: long_date(d, kdc.settings.tz),
            "removed": removed_on(model),
            "can_act": self.can_write() and not enquiry.anonymised,
            "kept_elsewhere": kept_elsewhere(kdc),
            "note_form": NoteForm(),
            "status_form": status_form if status_form.status.choices else None,
            "extend_form": ExtendForm() if extendable else None,
            "assign_form": assign_form,
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
        kdc = current_kdc()
        elsewhere = kept_elsewhere(kdc)
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
            return f"{e.reference} is now {e.status.label.lower()}. {queued_words(e.told)}"

        return self._change(form, move, "The status was not changed")

    @expose("/extend/", methods=("POST",))
    def extend_view(self) -> Any:
        form = ExtendForm()

        def extend(uow: UnitOfWork, reference: str, actor: str) -> str:
            e = service.extend(uow, reference, form.reason.data or "", actor, form.due.data)
            due = long_date(e.respond_by, uow.settings.tz)
            return (
                f"{e.reference}: extension {e.extension_stage}, respond by {due}. "
                + queued_words(e.told)
            )

        return self._change(form, extend, "The enquiry was not extended")

    @expose("/assign/", methods=("POST",))
    def assign_view(self) -> Any:
        """Name the officer (first time or instead of another) as ``kdc enquiries assign``."""
        form = AssignForm()
        with current_kdc().unit_of_work(source=admin_source(), dry_run=True) as uow:
            form.officer.choices = officer_choices(uow)

        def assign(uow: UnitOfWork, reference: str, actor: str) -> str:
            e = service.assign(uow, reference, form.officer.data or "", actor, form.reason.data)
            return f"{e.reference}: the named officer is now {e.officer}. {queued_words(e.told)}"

        return self._change(form, assign, "The named officer was not changed")
