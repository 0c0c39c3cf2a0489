"""Bulk-write helpers for the directory sync: id reservation, chunks, the new officers' columns.

The writing itself is :mod:`kdc_core.db.bulk`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kdc_core.db.people import OfficerRow
from kdc_core.directory.values import SYNCED_FIELDS

CHUNK = 5000


def reserve_ids(session: Session, count: int) -> list[int]:
    """``count`` fresh officer ids: from the sequence on PostgreSQL (safe alongside other
    writers), past the highest id elsewhere. Should another writer take one of those ids on
    SQLite first, the insert fails on the primary key and the whole sync rolls back."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('officers', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return sorted(r[0] for r in rows)
    start = session.execute(select(func.coalesce(func.max(OfficerRow.id), 0))).scalar_one()
    return list(range(start + 1, start + 1 + count))


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


NEW_OFFICER_COLUMNS = (
    "id",
    "person_id",
    *SYNCED_FIELDS,
    "service_id",
    "manager_id",
    "created_at",
    "modified_at",
    "archived_at",
)
