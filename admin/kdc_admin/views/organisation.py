"""Model views for directorates, services, officers, ward contacts, link officers and the
services' default contacts."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_admin.contrib.sqla.filters import FilterEmpty
from wtforms.validators import InputRequired, ValidationError
from wtforms.validators import Optional as OptionalValidator

from kdc_admin.formats import code_choices
from kdc_admin.menus import PEOPLE
from kdc_admin.security import SecuredModelView
from kdc_admin.views.common import (
    ArchivableView,
    ArchivedFilter,
    bio_html,
    clean_text,
    email_args,
    pick_filter,
    through_service,
)
from kdc_admin.views.people import BIO_HELP
from kdc_core.db.enquiries import ServiceContactRow
from kdc_core.db.people import (
    DirectorateRow,
    OfficerRow,
    OfficerWardRow,
    ServiceRow,
    WardContactRow,
    WardRow,
)
from kdc_core.enquiries.routing import set_service_contact
from kdc_core.people.values import WardSource, slugify
from kdc_core.unit_of_work import UnitOfWork

_OFFICER_LOOKUP = {"fields": ["given_name", "family_name", "email", "job_title"], "page_size": 20}
_SOURCES = {WardSource.DIRECTORY.value: "from the directory", WardSource.LOCAL.value: "set here"}
_SLUG_ARGS = {"validators": [OptionalValidator()], "description": "Left blank, made from the name."}


class _SlugMixin:
    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        model.slug = slugify(model.slug or model.name)
        if not model.slug:
            raise ValidationError("The name needs at least one letter or digit.")


class DirectorateView(_SlugMixin, SecuredModelView):
    column_list = ("name", "slug")
    column_searchable_list = ("name",)
    column_default_sort = "name"
    form_columns = ("name", "slug")
    form_args: ClassVar[dict[str, Any]] = {"slug": _SLUG_ARGS}
    column_details_list = ("name", "slug", "services")


class ServiceView(_SlugMixin, SecuredModelView):
    column_list = ("name", "directorate", "ward_facing")
    column_searchable_list = ("name",)
    column_sortable_list: ClassVar[list[Any]] = [
        "name",
        ("directorate", "directorate.name"),
        "ward_facing",
    ]
    column_default_sort = "name"
    form_columns = ("name", "slug", "directorate", "ward_facing")
    form_args: ClassVar[dict[str, Any]] = {"slug": _SLUG_ARGS}
    column_details_list = ("name", "slug", "directorate", "ward_facing")
    column_labels: ClassVar[dict[str, str]] = {"ward_facing": "Works with wards"}

    def __init__(self, db: Any, **kwargs: Any) -> None:
        self.column_filters = [
            pick_filter(db, "directorate.name", DirectorateRow.name, "Directorate"),
            "ward_facing",
        ]
        super().__init__(ServiceRow, db, **kwargs)


class OfficerView(ArchivableView):
    column_list = ("family_name", "given_name", "job_title", "service", "team", "email", "phone")
    column_searchable_list = (
        "given_name",
        "family_name",
        "email",
        "job_title",
        "team",
        "person_id",
    )
    column_sortable_list: ClassVar[list[Any]] = [
        "family_name",
        "given_name",
        "job_title",
        ("service", "service.name"),
        "team",
        "updated_at",
    ]
    column_default_sort: ClassVar[list[tuple[str, bool]]] = [
        ("family_name", False),
        ("given_name", False),
    ]
    column_labels: ClassVar[dict[str, str]] = {
        "given_name": "Given name",
        "family_name": "Family name",
        "person_id": "Directory id",
        "updated_at": "Directory updated",
        "archived_at": "Archived",
        "bio": "Pen portrait",
    }
    column_details_list = (
        "person_id",
        "given_name",
        "family_name",
        "job_title",
        "service",
        "manager",
        "team",
        "location",
        "email",
        "phone",
        "bio",
        "wards",
        "updated_at",
        "archived_at",
    )
    column_export_list = (
        "person_id",
        "given_name",
        "family_name",
        "job_title",
        "service",
        "team",
        "location",
        "email",
        "phone",
    )
    column_formatters_detail: ClassVar[dict[str, Any]] = {
        "wards": lambda _v, _c, m, _n: ", ".join(
            sorted(f"{w.ward.name} ({_SOURCES.get(w.source, w.source)})" for w in m.wards)
        ),
        "bio": bio_html,
    }
    form_columns = (
        "person_id",
        "given_name",
        "family_name",
        "job_title",
        "service",
        "manager",
        "team",
        "location",
        "email",
        "phone",
        "bio",
    )
    form_ajax_refs: ClassVar[dict[str, Any]] = {"manager": _OFFICER_LOOKUP}
    form_args: ClassVar[dict[str, Any]] = {
        "email": email_args(),
        "bio": {"description": BIO_HELP, "filters": [clean_text]},
    }
    form_widget_args: ClassVar[dict[str, Any]] = {"bio": {"rows": 6}}
    inline_models = (
        (
            OfficerWardRow,
            {
                "form_columns": ["id", "ward", "source"],
                "form_choices": {"source": code_choices(WardSource)},
                "form_label": "Ward",
            },
        ),
    )

    def __init__(self, db: Any, **kwargs: Any) -> None:
        self.column_filters = [
            ArchivedFilter(OfficerRow.archived_at),
            pick_filter(db, "service.name", ServiceRow.name, "Service"),
            pick_filter(db, "service.directorate.name", DirectorateRow.name, "Directorate"),
            "team",
            "location",
        ]
        super().__init__(OfficerRow, db, **kwargs)


class WardContactView(SecuredModelView):
    column_list = ("ward", "service", "officer")
    column_sortable_list: ClassVar[list[Any]] = [
        ("ward", "ward.name"),
        ("service", "service.name"),
        ("officer", "officer.family_name"),
    ]
    column_default_sort = ("ward.name", False)
    form_columns = ("ward", "service", "officer")
    form_ajax_refs: ClassVar[dict[str, Any]] = {"officer": _OFFICER_LOOKUP}
    column_searchable_list = ("ward.name", "service.name", "officer.family_name")

    def __init__(self, db: Any, **kwargs: Any) -> None:
        self.column_filters = [
            pick_filter(db, "ward.name", WardRow.name, "Ward"),
            pick_filter(db, "service.name", ServiceRow.name, "Service"),
        ]
        super().__init__(WardContactRow, db, **kwargs)


class LinkOfficerView(SecuredModelView):
    """Wards and their link officers: one list to spot the gaps and fill them."""

    allow_create = False
    allow_delete = False
    column_list = ("name", "link_officer")
    column_labels: ClassVar[dict[str, str]] = {"name": "Ward"}
    column_sortable_list: ClassVar[list[Any]] = [
        "name",
        ("link_officer", "link_officer.family_name"),
    ]
    column_default_sort = "name"
    column_searchable_list = ("name",)
    form_columns = ("link_officer",)
    form_ajax_refs: ClassVar[dict[str, Any]] = {"link_officer": _OFFICER_LOOKUP}
    column_filters: ClassVar[list[Any]] = [FilterEmpty(WardRow.link_officer_id, "Link officer")]


class ServiceContactView(SecuredModelView):
    """Who takes a service's enquiries when the ward has no named contact: one per service.

    Saved through :func:`kdc_core.enquiries.routing.set_service_contact`, the rule casework
    routing reads, so a second default for one service is refused with who the first is.
    """

    column_list = ("service", "officer")
    column_labels: ClassVar[dict[str, str]] = {"officer": "Default contact"}
    column_sortable_list: ClassVar[list[Any]] = [
        ("service", "service.name"),
        ("officer", "officer.family_name"),
    ]
    column_default_sort = ("service.name", False)
    column_searchable_list = ("service.name", "officer.given_name", "officer.family_name")
    column_details_list = ("service", "officer")
    column_export_list = ("service", "officer")
    form_columns = ("service", "officer")
    form_ajax_refs: ClassVar[dict[str, Any]] = {"officer": _OFFICER_LOOKUP}
    form_args: ClassVar[dict[str, Any]] = {
        "service": {"validators": [InputRequired()]},
        "officer": {
            "validators": [InputRequired()],
            "description": "Takes the service's enquiries from wards with no named contact.",
        },
    }

    def __init__(self, db: Any, **kwargs: Any) -> None:
        self.kdc_db = db
        self.column_filters = [
            pick_filter(db, "service.name", ServiceRow.name, "Service"),
            pick_filter(db, "service.directorate.name", DirectorateRow.name, "Directorate"),
        ]
        super().__init__(ServiceContactRow, db, **kwargs)

    def edit_form(self, obj: Any = None) -> Any:
        """The service is what the record is: only its officer changes."""
        form = super().edit_form(obj)
        del form.service
        return form

    def create_model(self, form: Any) -> Any:
        service: ServiceRow = form.service.data
        if not self._save(service.id, form.officer.data, replace=False):
            return False
        return self.kdc_db.session.get(ServiceContactRow, service.id)

    def update_model(self, form: Any, model: ServiceContactRow) -> bool:
        return self._save(model.service_id, form.officer.data, replace=True)

    def delete_model(self, model: ServiceContactRow) -> bool:
        return self._save(model.service_id, None, replace=True)

    def _save(self, service_id: int, officer: OfficerRow | None, *, replace: bool) -> bool:
        def save(uow: UnitOfWork) -> bool:
            officer_id = officer.id if officer else None
            set_service_contact(uow.session, service_id, officer_id, replace=replace)
            return True

        return bool(through_service(self.kdc_db, save))


def organisation_views(db: Any) -> list[Any]:
    return [
        OfficerView(db, name="Officers", category=PEOPLE, endpoint="officer"),
        DirectorateView(
            DirectorateRow, db, name="Directorates", category=PEOPLE, endpoint="directorate"
        ),
        ServiceView(db, name="Services", category=PEOPLE, endpoint="service"),
        WardContactView(db, name="Ward contacts", category=PEOPLE, endpoint="ward_contact"),
        LinkOfficerView(
            WardRow, db, name="Link officers", category=PEOPLE, endpoint="link_officer"
        ),
        ServiceContactView(
            db, name="Service default contacts", category=PEOPLE, endpoint="service_contact"
        ),
    ]
