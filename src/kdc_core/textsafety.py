"""Two checks on text crossing the system's edge: control characters coming in, formulas
going out to spreadsheets."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

#: C0 control characters other than tab, line feed and carriage return, and DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: What a spreadsheet may read as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a NUL or another control character no one types (tab, CR and
    LF are allowed). PostgreSQL refuses NUL in text, and none of them belong in a name,
    a search or a note."""
    return CONTROL.search(text) is not None


def control_characters_in(value: Any) -> bool:
    """Whether any string inside ``value`` (a string, or JSON-like lists and dicts, keys
    included) holds control characters. Walks without recursion, so depth does not matter."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_control_characters(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def neutralise_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: a value whose text starts with ``=``,
    ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` (a related record counts by its
    name, as the CSV writes it); numbers, dates, ``None`` and other text are returned as
    they are."""
    if value is None or isinstance(value, int | float | Decimal | dt.date | dt.time):
        return value
    text = f"{value}"
    if text.startswith(FORMULA_STARTS):
        return f"'{text}"
    return value
