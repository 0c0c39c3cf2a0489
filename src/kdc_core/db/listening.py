"""What the session listeners (change tracking, the calendar version, the enquiry summary)
share: which table a flushed row is in, and installing a set of listeners once per class."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import event


def table_of(row: Any) -> str | None:
    """The name of the table ``row`` (a mapped row) is stored in. Listeners compare names
    rather than row classes, so that watching a table imports no table module."""
    return getattr(type(row), "__tablename__", None)


def listen_once(target: Any, marker: str, listeners: Mapping[str, Callable[..., Any]]) -> None:
    """Listen to ``target``'s events (``{"after_flush": fn, …}``), unless the listeners
    marked ``marker`` are there already.

    The mark is kept on the target (a Session class) rather than asked of
    :func:`sqlalchemy.event.contains`, whose registry is keyed by ``id()``: a new class made
    where a freed one used to be would look as if it were listened to already.
    """
    if getattr(target, marker, False):
        return
    for name, listener in listeners.items():
        event.listen(target, name, listener)
    setattr(target, marker, True)
