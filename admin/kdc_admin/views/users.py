"""The users view: admins only. Creating and resetting passwords go through the users service."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import flash
from flask_admin.actions import action
from flask_login import current_user
from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.validators import Optional as OptionalValidator

from kdc_admin.formats import code_choices
from kdc_admin.menus import OPERATIONS
from kdc_admin.security import ADMINS, SecuredModelView
from kdc_admin.views.common import OneAddress
from kdc_core.db.users import UserRow
from kdc_core.users import service as users
from kdc_core.users.values import UserRole

_ROLE_CHOICES = code_choices(UserRole)
_PASSWORD_HELP = f"At least {users.MIN_PASSWORD_LENGTH} characters."


class UserView(SecuredModelView):
    read_roles = ADMINS
    write_roles = ADMINS
    can_export = False
    column_list = ("email", "role", "active", "failed_logins", "locked_until", "last_login_at")
    column_searchable_list = ("email",)
    column_filters: ClassVar[list[str]] = ["role", "active"]
    column_sortable_list = ("email", "role", "active", "last_login_at")
    column_default_sort = "email"
    column_details_list = (
        "email",
        "role",
        "active",
        "failed_logins",
        "locked_until",
        "last_login_at",
        "created_at",
    )
    column_labels: ClassVar[dict[str, str]] = {
        "last_login_at": "Last login",
        "active": "Can sign in",
        "created_at": "Account created",
    }
    column_choices: ClassVar[dict[str, Any]] = {"role": _ROLE_CHOICES}
    form_columns = ("email", "role", "active", "new_password")
    form_extra_fields: ClassVar[dict[str, Any]] = {
        "new_password": PasswordField(
            "New password",
            validators=[OptionalValidator(), Length(min=users.MIN_PASSWORD_LENGTH, max=1024)],
            description=_PASSWORD_HELP + " Leave blank to keep the current one.",
        )
    }
    form_overrides: ClassVar[dict[str, Any]] = {"role": SelectField}
    form_args: ClassVar[dict[str, Any]] = {
        "role": {"choices": _ROLE_CHOICES, "validators": [DataRequired()]},
        "email": {
            "validators": [OneAddress(users.normalise_email)],
            "description": "The address they sign in with: one address, like name@kirklees.gov.uk.",
        },
    }

    def create_form(self, obj: Any = None) -> Any:
        form = super().create_form(obj)
        form.new_password.validators = [
            DataRequired(),
            Length(min=users.MIN_PASSWORD_LENGTH, max=1024),
        ]
        form.new_password.label.text = "Password"
        form.new_password.description = _PASSWORD_HELP
        return form

    def create_model(self, form: Any) -> Any:
        uow = self.session.unit_of_work()
        try:
            user = users.create_user(
                uow, form.email.data, form.role.data, form.new_password.data or ""
            )
            if not form.active.data:
                users.disable_user(uow, user.email)
            uow.session.commit()
        except users.UserError as exc:
            uow.session.rollback()
            flash(str(exc), "error")
            return False
        return uow.session.get(UserRow, user.id)

    def on_model_change(self, form: Any, model: UserRow, is_created: bool) -> None:
        try:
            model.email = users.normalise_email(model.email or "")
            users.parse_role(model.role or "")
        except users.UserError as exc:
            raise ValidationError(str(exc)) from None
        if model.id == current_user.id and (model.role != UserRole.ADMIN or not model.active):
            raise ValidationError("You cannot take away your own admin role or disable yourself.")
        if not is_created and form.new_password.data:
            users.replace_password(self.session.session, model, form.new_password.data)
        if not is_created and not model.active:
            users.end_web_sessions(self.session.session, model.email)

    def on_model_delete(self, model: UserRow) -> None:
        if model.id == current_user.id:
            raise ValidationError("You cannot delete your own account.")

    @action("unlock", "Unlock", "Clear the failed-login lock on the selected accounts?")
    def action_unlock(self, ids: list[str]) -> None:
        session = self.session.session
        rows = session.query(UserRow).filter(UserRow.id.in_([int(i) for i in ids])).all()
        for row in rows:
            row.failed_logins = 0
            row.locked_until = None
        session.commit()
        flash(f"Unlocked {len(rows)} account(s).", "success")


def user_views(db: Any) -> list[Any]:
    return [UserView(UserRow, db, name="Users", category=OPERATIONS, endpoint="user")]
