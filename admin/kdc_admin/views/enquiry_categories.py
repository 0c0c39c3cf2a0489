"""Enquiry categories in the admin: everyone signed in may read them; liaison staff and admins
(``EDITORS``) may add and change them, as ``kdc enquiries category-set`` does.

A category is never deleted (old enquiries keep naming it): make it inactive instead, and it
is no longer offered for new enquiries. The checks are the core's
(:func:`kdc_core.enquiries.categories.problems`): timescales of 0 or more working days, the
respond timescale not shorter than the acknowledge one, and one category per name in any case.
"""

from __future__ import annotations

from typing import Any, ClassVar

from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from kdc_admin.security import EDITORS, SecuredModelView
from kdc_core.db.enquiries import EnquiryCategoryRow
from kdc_core.enquiries.categories import NAME_LIMIT, name_taken, problems


def _days(label: str, help_text: str) -> dict[str, Any]:
    return {
        "label": label,
        "description": help_text,
        "validators": [
            InputRequired(f"Give the {label.lower()}."),
            NumberRange(min=0, message="Give 0 or more days."),
        ],
    }


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _yes_no(_view: Any, _context: Any, model: EnquiryCategoryRow, _name: str) -> str:
    return "Yes" if model.active else "No (not offered for new enquiries)"


class EnquiryCategoryView(SecuredModelView):
    """List, add and change enquiry categories (no deleting: make one inactive)."""

    write_roles = EDITORS
    allow_delete = False
    column_list = (
        "name",
        "acknowledge_days",
        "respond_days",
        "service",
        "retention_days",
        "follow_up_days",
        "active",
    )
    column_sortable_list: ClassVar[list[Any]] = [
        "name",
        "acknowledge_days",
        "respond_days",
        ("service", "service.name"),
        "retention_days",
        "follow_up_days",
        "active",
    ]
    column_default_sort = "name"
    column_searchable_list = ("name",)
    column_labels: ClassVar[dict[str, str]] = {
        "name": "Category",
        "acknowledge_days": "Acknowledge within (working days)",
        "respond_days": "Respond within (working days)",
        "service": "Default service",
        "retention_days": "Keep for (days after it is finished)",
        "follow_up_days": "May be reopened for (days)",
        "active": "Offered for new enquiries",
    }
    column_formatters: ClassVar[dict[str, Any]] = {"active": _yes_no}
    column_formatters_detail: ClassVar[dict[str, Any]] = {"active": _yes_no}
    column_export_list = column_list
    form_columns = column_list
    form_args: ClassVar[dict[str, Any]] = {
        "name": {
            "label": "Category",
            "filters": [_strip],
            "validators": [InputRequired("Give the category a name."), Length(max=NAME_LIMIT)],
        },
        "acknowledge_days": _days(
            "Acknowledge within (working days)",
            "Weekends and England's bank holidays are not counted.",
        ),
        "respond_days": _days(
            "Respond within (working days)", "Not fewer than the days to acknowledge."
        ),
        "service": {
            "label": "Default service",
            "description": "Takes an enquiry in this category when none is named.",
        },
        "retention_days": _days(
            "Keep for (days after it is finished)",
            "Then the constituent's details, the description and the notes are removed "
            "(counted from closure, or from resolution when it is never closed).",
        ),
        "follow_up_days": _days(
            "May be reopened for (days)", "After this a new enquiry must be opened."
        ),
        "active": {
            "label": "Offered for new enquiries",
            "description": "Untick to stop using the category; old enquiries keep it.",
        },
    }

    def on_model_change(self, form: Any, model: EnquiryCategoryRow, is_created: bool) -> None:
        found = problems(
            model.acknowledge_days or 0,
            model.respond_days or 0,
            model.retention_days or 0,
            model.follow_up_days or 0,
        )
        if found:
            raise ValidationError("; ".join(found[:1]).capitalize() + ".")
        model.name = " ".join((model.name or "").split())
        if name_taken(self.session.session, model.name, model.id):
            raise ValidationError(f"There is already a category called {model.name}.")


def enquiry_category_views(db: Any) -> list[Any]:
    """The categories page, in the admin's "Enquiries" menu."""
    return [
        EnquiryCategoryView(
            EnquiryCategoryRow,
            db,
            name="Categories",
            category="Enquiries",
            endpoint="enquiry_category",
            url="enquiry_categories",
        )
    ]
