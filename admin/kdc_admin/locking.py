"""Optimistic locking for the admin's edit forms, and the "last changed by" line.

Every edit form of a :class:`~kdc_admin.security.SecuredModelView` carries a hidden field,
``kdc_version``, holding the fingerprint of the row it was built from
(:func:`kdc_core.db.versions.fingerprint`). On save the row is read again (locked for the
rest of the transaction on PostgreSQL) and, if its fingerprint differs, the save is refused
with nothing applied and a message naming who changed it and when, from the change log.

A custom (non-ModelView) edit form can do the same: put :func:`version_of` in a hidden field
named :data:`FIELD` when rendering, then call :func:`stale_message` before saving.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.exc import InvalidRequestError
from wtforms import Form, HiddenField

from kdc_core import changelog
from kdc_core.db import tracking
from kdc_core.db.listening import table_of
from kdc_core.db.versions import fingerprint
from kdc_core.timewords import clock_time

FIELD = "kdc_version"
_ROW = "_kdc_row"


def version_of(row: Any) -> str:
    """The version to put in an edit form built from ``row``."""
    return fingerprint(row)


def versioned(form_class: type[Form]) -> type[Form]:
    """``form_class`` with the hidden version field added (once)."""
    if hasattr(form_class, FIELD):
        return form_class

    def populate_obj(self: Any, obj: Any) -> None:
        """Every field but the version, which is not the row's to keep."""
        for name, field in self._fields.items():
            if name != FIELD:
                field.populate_obj(obj, name)

    attributes = {FIELD: HiddenField(), "populate_obj": populate_obj}
    return type(form_class.__name__, (form_class,), attributes)


def stamp(form: Form, row: Any, submitted: bool) -> None:
    """Tie ``form`` to ``row``; a form being rendered afresh carries the row's version."""
    setattr(form, _ROW, row)
    field = getattr(form, FIELD, None)
    if field is not None and not submitted:
        field.data = version_of(row)


def row_of(form: Form) -> Any:
    """The row an edit form was built from (``None`` for a create form)."""
    return getattr(form, _ROW, None)


def _tz() -> Any:
    return current_app.extensions["kdc"].settings.tz


def _last(session: Any, row: Any) -> changelog.LoggedChange | None:
    entity = tracking.ENTITIES.get(table_of(row) or "")
    identity = inspect(row).identity
    if entity is None or not identity or len(identity) != 1:
        return None
    return changelog.last_change(session, entity, identity[0])


def stale_message(session: Any, row: Any, sent_version: str | None) -> str | None:
    """Why a save of ``row`` from a form carrying ``sent_version`` must be refused, or
    ``None`` when the row is as the form saw it.

    Reads the row again first, locking it until the transaction ends where the database can
    (``SELECT … FOR UPDATE``), so a concurrent save waits and then sees this one.
    """
    try:
        session.refresh(row, with_for_update=session.get_bind().dialect.name != "sqlite")
    except InvalidRequestError:  # deleted since the form was opened
        return "This record was deleted after you opened it, so there is nothing to save."
    if sent_version and sent_version == version_of(row):
        return None
    if not sent_version:
        return (
            "This form did not say which version of the record it was made from. Reload the "
            "page and make your change again."
        )
    last = _last(session, row)
    if last is None:
        who = "someone else"
        when = "since you opened it"
    else:
        who = last.who
        when = f"at {clock_time(last.at, _tz())}"
    return (
        f"This record was changed by {who} {when} — reload to see the change and make yours again."
    )


def last_changed(session: Any, row: Any) -> str | None:
    """``Last changed by ann@example on Tuesday 3 March 2027, 6:00pm``, or ``None``."""
    if row is None:
        return None
    last = _last(session, row)
    if last is None:
        return None
    return f"Last changed by {last.who} on {clock_time(last.at, _tz())}."
