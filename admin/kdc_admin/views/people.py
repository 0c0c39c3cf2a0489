"""Model views for wards, political groups and councillors (terms and roles inline)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import url_for
from markupsafe import Markup
from wtforms.validators import Optional as OptionalValidator
from wtforms.validators import ValidationError

from kdc_admin.formats import code_choices, day
from kdc_admin.menus import PEOPLE
from kdc_admin.security import SecuredModelView
from kdc_admin.views.common import (
    ArchivableView,
    ArchivedFilter,
    bio_cell,
    bio_html,
    clean_text,
    email_args,
    pick_filter,
)
from kdc_core.db.people import (
    CouncillorRoleRow,
    CouncillorRow,
    PoliticalGroupRow,
    TermOfOfficeRow,
    WardRow,
)
from kdc_core.people.values import RoleKind, slugify

_ROLE_KINDS = code_choices(RoleKind)
BIO_HELP = (
    "Markdown: **bold**, *italic*, lists and [links](https://example.org). "
    "HTML is shown as text, never run."
)


def _messages(_view: Any, _context: Any, model: CouncillorRow, _name: str) -> Markup:
    """A link to the Outbox filtered to this councillor: what was sent to them."""
    url = url_for("outbox.index", councillor=model.id)
    return Markup('<a href="{}" id="councillor-messages">What was sent to {}</a>').format(
        url, model.name
    )


def _terms(_view: Any, _context: Any, model: CouncillorRow, _name: str) -> str:
    """Terms of office as UK dates: "5 May 2022 to now; 2 May 2018 to 5 May 2022"."""
    return "; ".join(
        f"{day(t.start)} to {day(t.end) if t.end else 'now'}"
        for t in sorted(model.terms, key=lambda t: t.start, reverse=True)
    )


class WardView(SecuredModelView):
    column_list = ("name", "slug", "ons_code", "link_officer")
    column_searchable_list = ("name", "slug", "ons_code")
    column_sortable_list = ("name", "slug", "ons_code")
    column_default_sort = "name"
    column_labels: ClassVar[dict[str, str]] = {"ons_code": "ONS code"}
    form_columns = ("name", "slug", "ons_code", "link_officer")
    form_ajax_refs: ClassVar[dict[str, Any]] = {
        "link_officer": {"fields": ["given_name", "family_name", "email"], "page_size": 20}
    }
    form_args: ClassVar[dict[str, Any]] = {
        "slug": {
            "validators": [OptionalValidator()],
            "description": "Left blank, made from the name.",
        }
    }
    column_details_list = ("name", "slug", "ons_code", "link_officer", "councillors")
    column_export_list = ("name", "slug", "ons_code", "link_officer")

    def on_model_change(self, form: Any, model: WardRow, is_created: bool) -> None:
        model.slug = slugify(model.slug or model.name)
        if not model.slug:
            raise ValidationError("The name needs at least one letter or digit.")


class PoliticalGroupView(SecuredModelView):
    column_list = ("name", "short_name")
    column_searchable_list = ("name", "short_name")
    column_sortable_list = ("name", "short_name")
    column_default_sort = "name"
    form_columns = ("name", "short_name")
    column_details_list = ("name", "short_name", "councillors")


class CouncillorView(ArchivableView):
    column_list = ("name", "ward", "group", "email", "phone", "bio")
    column_searchable_list = ("name", "email")
    column_sortable_list: ClassVar[list[Any]] = [
        "name",
        ("ward", "ward.name"),
        ("group", "group.name"),
        "email",
    ]
    column_default_sort = "name"
    column_formatters: ClassVar[dict[str, Any]] = {"bio": bio_cell}
    column_formatters_detail: ClassVar[dict[str, Any]] = {
        "bio": bio_html,
        "surgery": bio_html,
        "messages": _messages,
        "terms": _terms,
    }
    column_details_list = (
        "name",
        "ward",
        "group",
        "email",
        "phone",
        "mobile",
        "address",
        "photo_url",
        "key_posts",
        "bio",
        "surgery",
        "terms",
        "roles",
        "archived_at",
        "messages",
    )
    column_export_list = ("name", "ward", "group", "email", "phone", "mobile", "key_posts")
    column_labels: ClassVar[dict[str, str]] = {
        "group": "Political group",
        "photo_url": "Photo URL",
        "bio": "Pen portrait",
        "surgery": "Surgeries",
        "address": "Postal address",
        "archived_at": "Archived",
        "key_posts": "Key posts",
        "terms": "Terms of office",
        "messages": "Messages",
    }
    form_columns = (
        "name",
        "ward",
        "group",
        "email",
        "phone",
        "mobile",
        "address",
        "photo_url",
        "key_posts",
        "bio",
        "surgery",
    )
    form_args: ClassVar[dict[str, Any]] = {
        "bio": {"description": BIO_HELP, "filters": [clean_text]},
        "surgery": {
            "description": "When and where residents can meet them. " + BIO_HELP,
            "filters": [clean_text],
        },
        "key_posts": {"description": "One key post per line.", "filters": [clean_text]},
        "address": {"description": "One line per line, postcode last.", "filters": [clean_text]},
        "email": email_args(),
    }
    form_widget_args: ClassVar[dict[str, Any]] = {
        "bio": {"rows": 8},
        "surgery": {"rows": 3},
        "address": {"rows": 4},
        "key_posts": {"rows": 3},
    }
    inline_models = (
        (
            TermOfOfficeRow,
            {"form_columns": ["id", "start", "end"], "form_label": "Term of office"},
        ),
        (
            CouncillorRoleRow,
            {
                "form_columns": ["id", "kind", "title", "committee"],
                "form_choices": {"kind": _ROLE_KINDS},
                "form_label": "Role",
            },
        ),
    )

    def __init__(self, db: Any, **kwargs: Any) -> None:
        from kdc_core.db.people import PoliticalGroupRow as Group
        from kdc_core.db.people import WardRow as Ward

        self.column_filters = [
            ArchivedFilter(CouncillorRow.archived_at),
            pick_filter(db, "ward.name", Ward.name, "Ward"),
            pick_filter(db, "group.name", Group.name, "Political group"),
            "email",
        ]
        super().__init__(CouncillorRow, db, **kwargs)


def people_views(db: Any) -> list[Any]:
    return [
        CouncillorView(db, name="Councillors", category=PEOPLE, endpoint="councillor"),
        WardView(WardRow, db, name="Wards", category=PEOPLE, endpoint="ward"),
        PoliticalGroupView(
            PoliticalGroupRow, db, name="Political groups", category=PEOPLE, endpoint="group"
        ),
    ]
