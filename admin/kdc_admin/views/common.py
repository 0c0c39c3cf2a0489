"""Pieces the views share: archived rows hidden by default, pick-lists, bio cells, and the
one email-address check every form uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar, TypeVar

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, FilterEqual
from markupsafe import Markup
from sqlalchemy import select
from wtforms import Field
from wtforms.validators import InputRequired, ValidationError

from kdc_admin.formats import council_tz
from kdc_admin.security import SecuredModelView
from kdc_core.db.base import utcnow
from kdc_core.errors import KdcError
from kdc_core.mail.addresses import normalise_address
from kdc_core.people.markup import bio_text, render_bio
from kdc_core.protocol.service import ProtocolBlocked, Recorded, open_findings
from kdc_core.unit_of_work import UnitOfWork

ACTIVE, ARCHIVED, EVERYONE = "active", "archived", "all"
_T = TypeVar("_T")


class ArchivedFilter(BaseSQLAFilter):
    """Status: active (the default when no status filter is set), archived, or all."""

    def __init__(self, column: Any, name: str = "Status") -> None:
        super().__init__(
            column,
            name,
            options=((ACTIVE, "active only"), (ARCHIVED, "archived only"), (EVERYONE, "all")),
        )

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        if value == ACTIVE:
            return query.filter(self.column.is_(None))
        if value == ARCHIVED:
            return query.filter(self.column.is_not(None))
        return query

    def operation(self) -> str:
        return "shows"


class ArchivableView(SecuredModelView):
    """Lists hide archived rows unless the Status filter asks for them; archive by action.

    Rows are archived (``archived_at`` set) rather than deleted, so history and links stay.
    """

    allow_delete = False
    list_notice: ClassVar[str] = "Archived records are hidden: add the Status filter to see them."

    def get_list(
        self,
        page: int | None,
        sort_column: Any,
        sort_desc: bool,
        search: str | None,
        filters: Sequence[Any] | None,
        execute: bool = True,
        page_size: int | None = None,
    ) -> Any:
        chosen = list(filters or ())
        flts = self._filters or []
        if not any(isinstance(flts[i], ArchivedFilter) for i, _name, _value in chosen):
            for i, flt in enumerate(flts):
                if isinstance(flt, ArchivedFilter):
                    chosen.append((i, flt.name, ACTIVE))
                    break
        return super().get_list(
            page, sort_column, sort_desc, search, chosen, execute=execute, page_size=page_size
        )

    def status_filter_chosen(self) -> bool:
        """Whether the request picks a Status filter (else archived rows are hidden)."""
        flts = self._filters or []
        return any(isinstance(flts[i], ArchivedFilter) for i, *_ in self._get_list_filter_args())

    def _set_archived(self, ids: Sequence[str], archived: bool) -> int:
        session = self.session.session
        rows = session.scalars(select(self.model).where(self.model.id.in_([int(i) for i in ids])))
        count = 0
        for row in rows:
            if (row.archived_at is not None) != archived:
                row.archived_at = utcnow() if archived else None
                count += 1
        session.commit()
        return count

    @action("archive", "Archive", "Archive the selected records? They leave the lists.")
    def action_archive(self, ids: Sequence[str]) -> None:
        flash(f"Archived {self._set_archived(ids, True)} record(s).", "success")

    @action("reactivate", "Reactivate", "Make the selected records active again?")
    def action_reactivate(self, ids: Sequence[str]) -> None:
        flash(f"Reactivated {self._set_archived(ids, False)} record(s).", "success")


class LiveOptions:
    """A filter's drop-down options, read afresh each time a list page shows them.

    Flask-Admin asks a filter for its options once, as the view is made, and keeps what it
    got: given a plain function, the web app would list the wards (or services, officers …)
    there were when the worker started, and would query the database every time an app is
    made. Given this object instead — always true, read when iterated — it keeps the object
    and iterates it for each page, so a ward added an hour ago is in the list.
    """

    def __init__(self, read: Callable[[], Iterable[tuple[str, str]]]) -> None:
        self._read = read

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(list(self._read()))


def name_options(db: Any, column: Any) -> LiveOptions:
    """Pick-list options for a filter: every distinct value of ``column``, sorted."""

    def options() -> list[tuple[str, str]]:
        values = db.session.scalars(select(column).distinct().order_by(column))
        return [(v, v) for v in values if v]

    return LiveOptions(options)


def pick_filter(db: Any, path: str, column: Any, label: str) -> FilterEqual:
    """An "equals" filter on a related name with a drop-down of the names there are."""
    return FilterEqual(path, label, options=name_options(db, column))


def clean_text(value: str | None) -> str | None:
    """Form filter for multi-line text: browsers send CRLF; store LF, trimmed, or None."""
    if value is None:
        return None
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def bio_cell(_view: Any, _context: Any, model: Any, _name: str) -> str:
    return bio_text(model.bio, 80)


def bio_html(_view: Any, _context: Any, model: Any, name: str) -> Markup:
    """A Markdown column (a pen portrait, surgery details) as safe HTML."""
    return Markup(render_bio(getattr(model, name, None)))  # render_bio escapes and sanitises


class OneAddress:
    """Form validator for an email field: exactly one valid address, stored in normal form.

    The check is the core's (:func:`kdc_core.mail.addresses.normalise_address`, or a
    service's own such as ``users.normalise_email``), so a form refuses what the command line
    and the imports refuse: a display name, angle brackets, two addresses. The error names the
    field; an empty field is left empty (``None``) for the field's other validators to judge.
    """

    def __init__(self, normalise: Callable[[str], str] = normalise_address) -> None:
        self.normalise = normalise

    def __call__(self, _form: Any, field: Field) -> None:
        value = field.data
        if value is None or not str(value).strip():
            field.data = None
            return
        try:
            field.data = self.normalise(str(value))
        except KdcError as exc:
            raise ValidationError(f"{field.label.text}: {exc}") from None


def email_args(description: str = "One address, like name@kirklees.gov.uk.") -> dict[str, Any]:
    """``form_args`` for a model view's email column."""
    return {"validators": [OneAddress()], "description": description}


class LocalTimes:
    """Mixin for a model view whose form edits stored (UTC) moments as the council's local
    time: the form shows local wall-clock times and hands back aware ones.

    List the form's moment fields in ``local_fields``; read a submitted value with
    :meth:`aware`.
    """

    local_fields: ClassVar[tuple[str, ...]] = ()

    @staticmethod
    def _tz() -> Any:
        return council_tz()

    def on_form_prefill(self, form: Any, id: Any) -> None:
        for name in self.local_fields:
            field = getattr(form, name)
            if field.data is not None and field.data.tzinfo is not None:
                field.data = field.data.astimezone(self._tz()).replace(tzinfo=None)

    def aware(self, value: dt.datetime | None) -> dt.datetime | None:
        """A form's naive time is the council's local time."""
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=self._tz())

    def local_args(self) -> dict[str, Any]:
        """``form_args`` for the moment fields: required, and said to be local time."""
        zone = getattr(self._tz(), "key", "UTC")
        return {
            name: {"description": f"Local time ({zone}).", "validators": [InputRequired()]}
            for name in self.local_fields
        }


def through_service(db: Any, save: Callable[[UnitOfWork], _T]) -> _T | None:
    """Run ``save`` (a call of a core service) in a unit of work on the admin's database and
    commit; a refusal (:class:`KdcError`) is rolled back and flashed on the form, and gives
    ``None``. A form with a *protocol override* field is told to use it when an error-level
    protocol finding blocked the save. Anything else is rolled back and raised."""
    uow = db.unit_of_work()
    try:
        result = save(uow)
        uow.session.commit()
    except ProtocolBlocked as exc:
        uow.session.rollback()
        flash(f"{exc} Fill in the protocol override reason to save anyway.", "error")
        return None
    except KdcError as exc:
        uow.session.rollback()
        flash(str(exc), "error")
        return None
    except Exception:
        uow.session.rollback()
        raise
    return result


def finding_words(r: Recorded) -> str:
    """One open protocol finding for a person: clause, severity, what is wrong, the fix."""
    f = r.finding
    note = f" Overridden: {r.override_reason}." if r.override_reason else ""
    return f"Protocol {f.clause} ({f.severity.value}): {f.problem} Fix: {f.fix}{note}"


def flash_findings(db: Any, kind: str, subject_id: int) -> None:
    """Flash the open protocol findings on one subject (an event, a briefing …)."""
    for r in open_findings(db.unit_of_work(), kind, subject_id):
        flash(finding_words(r), "info" if r.finding.severity.value == "info" else "warning")
