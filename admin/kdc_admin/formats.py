"""How the admin's model views write values for people: words, not stored codes.

Every :class:`~kdc_admin.security.SecuredModelView` uses :data:`LIST_FORMATTERS` and
:data:`DETAIL_FORMATTERS` for its list and details pages, so a view gets them without
naming its columns:

- a moment (a ``datetime``) is the council's local time to the minute, GOV.UK style
  (``Friday 4 December 2026, 4:54pm``); a stored naive time is read as UTC;
- a date is a UK date (``Friday 4 December 2026``);
- ``True``/``False`` are ``Yes``/``No``;
- a code from one of the core's enumerations is its label (:func:`code_label`);
- a councillor is "Cllr" and their name, and a list is its items written the same way,
  joined by commas.

:func:`column_label` is the default heading of a column no view labelled: ``councillor_id``
is "Councillor", ``posted_at`` "Posted", ``ons_code`` "ONS code" — never "Councillor Id".
CSV exports keep their own formatters: they are for spreadsheets, not for reading.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any

from flask import current_app, has_app_context
from flask_admin.model import typefmt

from kdc_core.db.people import CouncillorRow
from kdc_core.timewords import clock_time, govuk_date

#: Words a heading keeps in capitals.
ACRONYMS = {"ons": "ONS", "url": "URL", "uid": "UID", "sms": "SMS", "sla": "SLA", "csv": "CSV"}


def council_tz() -> dt.tzinfo:
    """The council's time zone (UTC outside an app, as in a unit test of a formatter)."""
    if has_app_context():
        kdc = current_app.extensions.get("kdc")
        if kdc is not None:
            tz: dt.tzinfo = kdc.settings.tz
            return tz
    return dt.UTC


def moment(value: dt.datetime) -> str:
    """``Friday 4 December 2026, 4:54pm`` in the council's time zone (naive means UTC)."""
    return clock_time(value, council_tz())


def day(value: dt.date) -> str:
    """``Friday 4 December 2026``."""
    return govuk_date(value, council_tz())


def code_label(code: Any) -> str:
    """A stored code in words: an enumeration's own ``label`` when it has one, else the code
    with its underscores as spaces and a capital first letter (``ward_contact`` →
    ``Ward contact``)."""
    label = getattr(code, "label", None)
    if isinstance(label, str):
        return label
    text = str(code.value if isinstance(code, enum.Enum) else code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def code_choices(codes: Iterable[Any]) -> list[tuple[str, str]]:
    """``(code, label)`` pairs for a form's choices or a view's ``column_choices``."""
    return [(str(c.value if isinstance(c, enum.Enum) else c), code_label(c)) for c in codes]


def column_label(field: str) -> str:
    """A column's heading made from its name: ``link_officer`` → "Link officer",
    ``councillor_id`` → "Councillor", ``built_at`` → "Built", ``ons_code`` → "ONS code"."""
    name = field.rpartition(".")[2]
    for suffix in ("_id", "_at", "_on"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name.removesuffix(suffix)
            break
    words = [ACRONYMS.get(w, w) for w in name.split("_") if w]
    if not words:
        return field
    first = words[0]
    return " ".join([first[:1].upper() + first[1:], *words[1:]])


def _moment_cell(_view: Any, value: dt.datetime, _name: str) -> str:
    return moment(value)


def _day_cell(_view: Any, value: dt.date, _name: str) -> str:
    return day(value)


def _yes_no(_view: Any, value: bool, _name: str) -> str:
    return "Yes" if value else "No"


def _enum_cell(_view: Any, value: enum.Enum, _name: str) -> str:
    return code_label(value)


def _councillor_cell(_view: Any, value: CouncillorRow, _name: str) -> str:
    return f"Cllr {value.name}"


def _formatters(base: dict[Any, Any]) -> dict[Any, Any]:
    # Order matters: the first matching type wins, and a datetime is also a date.
    formatters: dict[Any, Any] = {
        type(None): typefmt.empty_formatter,
        bool: _yes_no,
        dt.datetime: _moment_cell,
        dt.date: _day_cell,
        enum.Enum: _enum_cell,
        CouncillorRow: _councillor_cell,
    }

    def each(view: Any, values: Iterable[Any], name: str) -> str:
        cells = []
        for value in values:
            kind = next((k for k in formatters if isinstance(value, k)), None)
            cells.append(str(formatters[kind](view, value, name) if kind else value))
        return ", ".join(cells)

    skip = (type(None), bool, enum.Enum, list)
    return {**formatters, list: each, **{k: v for k, v in base.items() if k not in skip}}


#: Type formatters for list pages and for details pages.
LIST_FORMATTERS: dict[Any, Any] = _formatters(typefmt.BASE_FORMATTERS)
DETAIL_FORMATTERS: dict[Any, Any] = _formatters(typefmt.DETAIL_FORMATTERS)
