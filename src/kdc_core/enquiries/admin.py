"""Enquiries in the admin: a list everyone signed in may read (no constituent data), the full
case view and the read-only audit trail for liaison staff and admins, and the SLA dashboard.

Contributed through ``kdc_admin_views`` by :mod:`kdc_core.enquiries.commands`; imported only
by the web app. Enquiries change through the command line and the services (so that every
change is audited); none of these views can create, edit or delete.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from flask import current_app
from flask_admin import expose

from kdc_admin.database import KdcDatabase, admin_source
from kdc_admin.security import EDITORS, SecuredBaseView, SecuredModelView
from kdc_core.app import Kdc
from kdc_core.db.enquiries import EnquiryAuditRow, EnquiryRow
from kdc_core.enquiries.dashboard import overdue_counts, sla

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


class _ReadOnly(SecuredModelView):
    allow_create = False
    allow_edit = False
    allow_delete = False
    can_view_details = True


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


class EnquiryAuditView(_ReadOnly):
    """The audit trail: appended by the services, never edited — here or anywhere."""

    read_roles = EDITORS
    write_roles: ClassVar[frozenset[str]] = frozenset()
    column_list = ("at", "enquiry", "actor", "action", "field", "old", "new")
    column_default_sort = ("id", True)
    column_filters = ("action", "actor")


class SlaDashboardView(SecuredBaseView):
    """Per service and per ward: open, overdue, % answered within the timescale."""

    @expose("/")
    def index(self) -> Any:
        kdc: Kdc = current_app.extensions["kdc"]
        today = dt.datetime.now(kdc.settings.tz).date()
        with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
            tables = {"Service": sla(uow, today, "service"), "Ward": sla(uow, today, "ward")}
            officers = overdue_counts(uow, today, "officer")
        return self.render(
            "kdc/enquiries_sla.html", tables=tables, officers=officers, today=today, rule=RULE_8_3
        )


def enquiry_admin_views(kdc: Kdc) -> list[Any]:
    db = KdcDatabase.for_kdc(kdc)
    cat = "Enquiries"
    return [
        SlaDashboardView(name="SLA dashboard", category=cat, endpoint="enquiry_sla", url="sla"),
        EnquiryListView(EnquiryRow, db, name="Enquiries", category=cat, endpoint="enquiry"),
        EnquiryCaseView(
            EnquiryRow, db, name="Cases (personal data)", category=cat, endpoint="enquiry_case"
        ),
        EnquiryAuditView(
            EnquiryAuditRow, db, name="Audit trail", category=cat, endpoint="enquiry_audit"
        ),
    ]
