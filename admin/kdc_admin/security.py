"""The one secured base for every admin view: login required, roles checked server-side.

- Anonymous requests are redirected to the login page; a logged-in user without the role
  gets 403.
- ``read_roles`` may look; ``write_roles`` may change. Any request other than GET/HEAD/OPTIONS
  from a user outside ``write_roles`` is refused with 403 before the view runs, so a viewer's
  POST fails even when a plugin view forgets to hide its buttons.
- Model views derive ``can_create``/``can_edit``/``can_delete`` from the role on every request.
- Model views' edit forms are optimistically locked (:mod:`kdc_admin.locking`): a save is
  refused, nothing applied, when the row changed since the form was rendered; the edit page
  says who last changed the record and when. Opt out with ``optimistic_locking = False``.
- CSV exports neutralise cells a spreadsheet would read as a formula
  (:func:`kdc_core.textsafety.neutralise_cell`).

Plugins should derive their admin views from :class:`SecuredBaseView` or
:class:`SecuredModelView`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import abort, flash, has_request_context, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.validators import Unique
from flask_admin.helpers import is_form_submitted
from flask_login import current_user
from wtforms.fields.core import UnboundField

from kdc_admin import locking
from kdc_admin.formats import DETAIL_FORMATTERS, LIST_FORMATTERS, column_label
from kdc_core.textsafety import neutralise_cell
from kdc_core.users.values import EDITOR_ROLES, UserRole

ALL_ROLES: frozenset[str] = frozenset(r.value for r in UserRole)
EDITORS: frozenset[str] = frozenset(r.value for r in EDITOR_ROLES)
ADMINS: frozenset[str] = frozenset({UserRole.ADMIN.value})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_role() -> str | None:
    """The logged-in user's role, or ``None`` (anonymous, or outside a request)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return str(current_user.role)


class RoleRules:
    """Mixin for Flask-Admin views: who may read, who may write, what others get."""

    read_roles: ClassVar[frozenset[str]] = ALL_ROLES
    write_roles: ClassVar[frozenset[str]] = EDITORS

    def can_read(self) -> bool:
        return current_role() in self.read_roles

    def can_write(self) -> bool:
        return self.can_read() and current_role() in self.write_roles

    def is_accessible(self) -> bool:
        return self.can_read()

    def inaccessible_callback(self, name: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        if request.method not in SAFE_METHODS and not self.can_write():
            abort(403)
        return None


class SecuredBaseView(RoleRules, BaseView):
    """A custom admin page (dashboard, ward page, a plugin's view)."""


class SecuredAdminIndexView(RoleRules, AdminIndexView):
    """The admin's home page, behind the login like everything else."""


class SecuredModelView(RoleRules, ModelView):
    """A declarative model view with per-role create/edit/delete and CSV export.

    Set ``allow_create``/``allow_edit``/``allow_delete`` to switch an operation off for
    everyone; the ``can_*`` flags Flask-Admin reads combine them with the user's role.

    Edit forms carry the row's version (a hidden ``kdc_version`` field) and a save of a row
    changed since is refused by :meth:`validate_form` with "changed by X at T — reload".
    A view whose edit form does not save the row it shows may set ``optimistic_locking =
    False``. A view overriding ``edit_form`` or ``validate_form`` must call ``super()``.
    Every exported cell goes through :meth:`get_export_value`, which neutralises formulas.
    """

    allow_create: ClassVar[bool] = True
    allow_edit: ClassVar[bool] = True
    allow_delete: ClassVar[bool] = True
    #: Actions that only read (everything else needs a write role).
    read_only_actions: ClassVar[frozenset[str]] = frozenset()

    can_export = True
    export_types: ClassVar[list[str]] = ["csv"]
    can_view_details = True
    page_size = 50
    can_set_page_size = True
    list_template = "kdc/model_list.html"
    edit_template = "kdc/model_edit.html"
    #: Refuse a save of a row changed since its edit form was rendered.
    optimistic_locking: ClassVar[bool] = True
    # Words, not stored values: local times, UK dates, Yes/No, labels (kdc_admin.formats).
    column_type_formatters: ClassVar[dict[type, Any]] = LIST_FORMATTERS
    column_type_formatters_detail: ClassVar[dict[type, Any]] = DETAIL_FORMATTERS

    def _prettify_name(self, name: str) -> str:
        """A column's default heading: "Councillor", never "Councillor Id"."""
        return column_label(name)

    @property
    def can_create(self) -> bool:
        return self.allow_create and self.can_write()

    @property
    def can_edit(self) -> bool:
        return self.allow_edit and self.can_write()

    @property
    def can_delete(self) -> bool:
        return self.allow_delete and self.can_write()

    def scaffold_form(self) -> Any:
        """The generated form, with its uniqueness checks reading the request's session.

        Flask-Admin gives each ``Unique`` validator the session that exists when the form is
        built (at start-up) and keeps it for good. That session is never closed, so on SQLite
        the first check leaves a transaction open that holds the write lock, and every later
        save waits on it ("database is locked"). Each check now asks for the request's own
        session, which closes when the request ends.
        """
        form_class = super().scaffold_form()
        for name in dir(form_class):
            field = getattr(form_class, name, None)
            if isinstance(field, UnboundField):
                for validator in field.kwargs.get("validators") or ():
                    if isinstance(validator, Unique):
                        validator.db_session = _RequestSession(self.session)
        return form_class

    def get_edit_form(self) -> Any:
        form_class = super().get_edit_form()
        return locking.versioned(form_class) if self.optimistic_locking else form_class

    def edit_form(self, obj: Any = None) -> Any:
        form = super().edit_form(obj)
        if self.optimistic_locking and obj is not None:
            locking.stamp(form, obj, submitted=is_form_submitted())
        return form

    def validate_form(self, form: Any) -> bool:
        """The form's own checks, and for an edit form that the row is as it was shown."""
        row = locking.row_of(form)
        if row is not None and self.optimistic_locking and is_form_submitted():
            field = getattr(form, locking.FIELD, None)
            message = locking.stale_message(
                self.session.session, row, field.data if field is not None else None
            )
            if message:
                flash(message, "danger")
                return False
        return bool(super().validate_form(form))

    def last_changed(self, row: Any) -> str | None:
        """ "Last changed by X on T" for the edit page, from the change log."""
        return locking.last_changed(self.session.session, row)

    def get_export_value(self, model: Any, name: Any) -> Any:
        """The exported cell, neutralised so that a spreadsheet shows it as text."""
        return neutralise_cell(super().get_export_value(model, name))

    def is_action_allowed(self, name: str) -> bool:
        if name not in self.read_only_actions and not self.can_write():
            return False
        return bool(super().is_action_allowed(name))


class _RequestSession:
    """Stands for "the current request's session" where Flask-Admin keeps one object."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db.session, name)
