"""The admin's enquiry lists: names instead of ids, the status in words, the response date as
a UK date and a badge that says in words how late an open enquiry is.

Personal data. The constituent's name, email, phone and address are personal data, and so
is the description: it is the councillor's account of a resident's problem and often names
the resident, their street or their circumstances — which is why retention removes it with
the contact details (:data:`kdc_core.enquiries.retention.PERSONAL_FIELDS`). So the
description column is shown, and exported, only to liaison staff and admins; a viewer's list
and CSV export have reference, councillor, ward, service, named officer, status and dates,
and no column a viewer cannot see can be searched.

Names come from one batch of queries per page (:func:`kdc_core.db.repositories.enquiries.
to_values`), never one per row. The filters pick by id from drop-downs of the names there are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from flask import current_app, g, url_for
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.model import typefmt
from markupsafe import Markup
from sqlalchemy import false, select

from kdc_admin.security import EDITORS, SecuredModelView, current_role
from kdc_admin.views.common import LiveOptions
from kdc_core.app import Kdc
from kdc_core.db.enquiries import EnquiryPersonRow, EnquiryRow
from kdc_core.db.people import ServiceRow, WardRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries.caseview import (
    QUEUES,
    councillors_with_enquiries,
    officers_with_enquiries,
    queue_clause,
    routed_by_words,
    timescale_words,
)
from kdc_core.enquiries.values import Enquiry, Status
from kdc_core.timewords import govuk_time, long_date

UNASSIGNED = "Unassigned"
DESCRIPTION_LENGTH = 60


def current_kdc() -> Kdc:
    """The :class:`Kdc` the admin app serves."""
    kdc: Kdc = current_app.extensions["kdc"]
    return kdc


def today() -> dt.date:
    return dt.datetime.now(current_kdc().settings.tz).date()


def when(_view: Any, value: dt.datetime, _name: str = "") -> str:
    """A stored (UTC) time in the council's time zone: ``Tuesday 3 March 2027, 6:00pm``."""
    return govuk_time(value, current_kdc().settings.tz)


def day(_view: Any, value: dt.date, _name: str = "") -> str:
    return long_date(value, current_kdc().settings.tz)


def yes_no(_view: Any, value: bool, _name: str = "") -> str:
    return "Yes" if value else "No"


#: Times to the minute in council time, dates as UK dates, yes/no in words.
TYPE_FORMATTERS: dict[type, Any] = {
    **typefmt.BASE_FORMATTERS,
    bool: yes_no,
    dt.datetime: when,
    dt.date: day,
}
DETAIL_TYPE_FORMATTERS: dict[type, Any] = {
    **typefmt.DETAIL_FORMATTERS,
    bool: yes_no,
    dt.datetime: when,
    dt.date: day,
}
EXPORT_TYPE_FORMATTERS: dict[type, Any] = {
    **typefmt.EXPORT_FORMATTERS,
    bool: yes_no,
    dt.datetime: when,
    dt.date: day,
}


#: What the details pages show of an enquiry's routing and dates (no personal data).
ROUTING_DETAILS = (
    "status",
    "category",
    "councillor",
    "ward",
    "service",
    "officer",
    "routed_by",
    "received_at",
    "acknowledge_by",
    "respond_by",
    "timescale",
    "extension_stage",
)


# -- names for the rows on the page -----------------------------------------------------------


def value_of(view: Any, model: EnquiryRow) -> Enquiry:
    """The enquiry's names, from the page's batch (or looked up alone, on a details page)."""
    cache: dict[int, Enquiry] = g.setdefault("kdc_enquiry_values", {})
    if model.id not in cache:
        [cache[model.id]] = store.to_values(view.session.session, [model])
    return cache[model.id]


def _councillors(view: Any, _c: Any, model: EnquiryRow, _n: str) -> str:
    return ", ".join(value_of(view, model).councillors)


def _ward(view: Any, _c: Any, model: EnquiryRow, _n: str) -> str:
    return value_of(view, model).ward or "No ward"


def _service(view: Any, _c: Any, model: EnquiryRow, _n: str) -> str:
    return value_of(view, model).service or "No service"


def _officer(view: Any, _c: Any, model: EnquiryRow, _n: str) -> str:
    return value_of(view, model).officer or UNASSIGNED


def _status(_v: Any, _c: Any, model: EnquiryRow, _n: str) -> str:
    return Status(model.status).label


def _routed(_v: Any, _c: Any, model: EnquiryRow, _n: str) -> str:
    return routed_by_words(model.routed_by)


def removed_on(model: EnquiryRow) -> str:
    """What replaces personal data once retention has removed it."""
    at = model.anonymised_at
    return f"Removed under retention on {long_date(at, current_kdc().settings.tz)}" if at else ""


def _short(_v: Any, _c: Any, model: EnquiryRow, _n: str) -> str:
    if model.anonymised_at is not None:
        return removed_on(model)
    text = " ".join(model.description.split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[: DESCRIPTION_LENGTH - 1].rstrip() + "…"


def _timescale_text(_v: Any, _c: Any, model: EnquiryRow, _n: str) -> str:
    return timescale_words(model.status, model.respond_by, today())


def _timescale(view: Any, context: Any, model: EnquiryRow, name: str) -> Markup | str:
    """The words, in a badge: red when overdue, amber when due soon (the words say it too)."""
    words = _timescale_text(view, context, model, name)
    if not words:
        return ""
    tone = "badge-danger" if words.startswith("Overdue") else "badge-warning"
    return Markup('<span class="badge {} kdc-timescale">{}</span>').format(tone, words)


def _reference(view: Any, _c: Any, model: EnquiryRow, _n: str) -> Markup:
    """The reference links to the case page for those who may see it, else to the details."""
    if current_role() in EDITORS:
        url = url_for("enquiry_case.details_view", id=model.id)
    else:
        url = url_for(".details_view", id=model.id)
    return Markup('<a href="{}">{}</a>').format(url, model.reference)


FORMATTERS: dict[str, Any] = {
    "reference": _reference,
    "description": _short,
    "councillor": _councillors,
    "ward": _ward,
    "service": _service,
    "officer": _officer,
    "status": _status,
    "routed_by": _routed,
    "timescale": _timescale,
}
EXPORT_FORMATTERS: dict[str, Any] = {
    **FORMATTERS,
    "reference": lambda _v, _c, model, _n: model.reference,
    "timescale": _timescale_text,
}
LABELS: dict[str, str] = {
    "councillor": "Councillor",
    "officer": "Named officer",
    "respond_by": "Respond by",
    "acknowledge_by": "Acknowledge by",
    "received_at": "Received",
    "closed_at": "Closed",
    "timescale": "Timescale",
    "routed_by": "How it was routed",
    "extension_stage": "Extensions",
    "advocacy": "Handled by the liaison team (advocacy)",
}


# -- filters ----------------------------------------------------------------------------------


class PickFilter(BaseSQLAFilter):
    """Equals one of the options (ids), chosen from a drop-down of names."""

    def __init__(
        self, column: Any, name: str, options: LiveOptions, none_label: str | None = None
    ) -> None:
        self.none_label = none_label
        super().__init__(column, name, options=self._with_none(options))

    def _with_none(self, options: LiveOptions) -> LiveOptions:
        if self.none_label is None:
            return options

        def listed() -> list[tuple[str, str]]:
            return [("none", self.none_label or ""), *options]

        return LiveOptions(listed)

    def validate(self, value: Any) -> bool:
        return str(value).isdigit() or (self.none_label is not None and value == "none")

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        if value == "none":
            return query.filter(self.column.is_(None))
        return query.filter(self.column == int(value))

    def operation(self) -> str:
        return "is"


class CouncillorFilter(PickFilter):
    """The councillor raising the enquiry, or joining it."""

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        raised = select(EnquiryPersonRow.enquiry_id).where(
            EnquiryPersonRow.kind.in_(("councillor", "joint_councillor")),
            EnquiryPersonRow.person_id == int(value),
        )
        return query.filter(EnquiryRow.id.in_(raised))


class ChoiceFilter(BaseSQLAFilter):
    """One of a fixed set of values; ``clause(value)`` says what it means."""

    def __init__(self, name: str, options: list[tuple[str, str]], clause: Any) -> None:
        super().__init__(EnquiryRow.id, name, options=options)
        self.clause = clause

    def validate(self, value: Any) -> bool:
        return value in dict(self.options or ())

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        return query.filter(self.clause(value) if self.validate(value) else false())

    def operation(self) -> str:
        return "is"


def enquiry_filters(db: Any) -> list[BaseSQLAFilter]:
    """Councillor, ward, service, named officer (or unassigned), status, and a queue."""

    def names(model: Any) -> LiveOptions:
        def options() -> list[tuple[str, str]]:
            rows = db.session.execute(select(model.id, model.name).order_by(model.name))
            return [(str(i), n) for i, n in rows]

        return LiveOptions(options)

    def listed(fetch: Any) -> LiveOptions:
        return LiveOptions(lambda: [(str(i), n) for i, n in fetch(db.session)])

    return [
        CouncillorFilter(EnquiryRow.id, "Councillor", listed(councillors_with_enquiries)),
        PickFilter(EnquiryRow.ward_id, "Ward", names(WardRow)),
        PickFilter(EnquiryRow.service_id, "Service", names(ServiceRow)),
        PickFilter(
            EnquiryRow.officer_id,
            "Named officer",
            listed(officers_with_enquiries),
            none_label=UNASSIGNED,
        ),
        ChoiceFilter(
            "Status",
            [(s.value, s.label) for s in Status],
            lambda value: EnquiryRow.status == value,
        ),
        ChoiceFilter("Queue", list(QUEUES.items()), lambda value: queue_clause(value, today())),
    ]


# -- the view ---------------------------------------------------------------------------------


class EnquiryColumnsView(SecuredModelView):
    """A read-only enquiry list with names, words and filters; ``personal_columns`` are left
    out of the list and the export for anyone outside ``EDITORS``."""

    allow_create = False
    allow_edit = False
    allow_delete = False
    can_view_details = True
    column_display_actions = False
    column_list: ClassVar[tuple[str, ...]] = (
        "reference",
        "description",
        "councillor",
        "ward",
        "service",
        "officer",
        "status",
        "respond_by",
        "timescale",
    )
    personal_columns: ClassVar[frozenset[str]] = frozenset({"description"})
    column_sortable_list = ("reference", "respond_by", "received_at")
    column_default_sort = ("received_at", True)
    column_searchable_list: ClassVar[tuple[str, ...]] = ("reference",)
    column_formatters: ClassVar[dict[str, Any]] = FORMATTERS
    column_formatters_detail: ClassVar[dict[str, Any]] = FORMATTERS
    column_formatters_export: ClassVar[dict[str, Any]] = EXPORT_FORMATTERS
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS
    column_labels: ClassVar[dict[str, Any]] = LABELS

    def __init__(self, model: Any, session: Any, **kwargs: Any) -> None:
        self.column_filters = enquiry_filters(session)
        super().__init__(model, session, **kwargs)

    def _personal_allowed(self) -> bool:
        return current_role() in EDITORS

    def _for_role(self, columns: list[Any]) -> list[Any]:
        if self._personal_allowed():
            return columns
        return [c for c in columns if c[0] not in self.personal_columns]

    # Flask-Admin keeps the columns from start-up; these pick them per request, by role.
    @property
    def _list_columns(self) -> list[Any]:
        return self._for_role(self.__dict__.get("_all_list_columns", []))

    @_list_columns.setter
    def _list_columns(self, value: list[Any]) -> None:
        self.__dict__["_all_list_columns"] = value

    @property
    def _export_columns(self) -> list[Any]:
        return self._for_role(self.__dict__.get("_all_export_columns", []))

    @_export_columns.setter
    def _export_columns(self, value: list[Any]) -> None:
        self.__dict__["_all_export_columns"] = value

    def get_list(self, *args: Any, **kwargs: Any) -> Any:
        """The page's rows, with their names looked up for all of them at once."""
        count, rows = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True) and rows:
            rows = list(rows)
            values = store.to_values(self.session.session, rows)
            g.kdc_enquiry_values = {r.id: v for r, v in zip(rows, values, strict=True)}
        return count, rows
