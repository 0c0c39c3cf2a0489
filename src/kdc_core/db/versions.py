"""A row's version for optimistic locking: a fingerprint of what is stored for it.

An edit form carries the fingerprint of the row it was built from; on save the row's
fingerprint is taken again and, if it differs, someone else changed the row in between and
the save must be refused. A fingerprint works for every table without a version column: it
covers the row's persisted column values, its many-to-many links (a briefing's wards) and
the rows it owns (a councillor's terms and roles, an officer's ward links), which the same
forms edit.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import inspect


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, sort_keys=True, default=str)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return repr(value)


def _columns(row: Any) -> str:
    attrs = sorted(inspect(row).mapper.column_attrs, key=lambda a: a.key)
    return json.dumps([(a.key, _plain(getattr(row, a.key))) for a in attrs])


def fingerprint(row: Any) -> str:
    """A short digest of ``row``'s stored column values, links and owned rows.

    Read it from a row as loaded from the database (not one with unsaved changes): two
    loads of an unchanged row give the same fingerprint, and any committed change to a
    column or a link gives another.
    """
    mapper = inspect(row).mapper
    parts: list[Any] = [("columns", _columns(row))]
    for rel in sorted(mapper.relationships, key=lambda r: r.key):
        if rel.viewonly:
            continue
        if rel.secondary is not None:
            linked = getattr(row, rel.key) or ()
            parts.append((rel.key, sorted(repr(inspect(other).identity) for other in linked)))
        elif rel.uselist and rel.cascade.delete_orphan:  # owned children: terms, roles …
            children = getattr(row, rel.key) or ()
            parts.append((rel.key, sorted(_columns(child) for child in children)))
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    return digest[:32]
