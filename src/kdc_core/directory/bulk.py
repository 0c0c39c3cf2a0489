"""Bulk-write helpers for the directory sync: id reservation, plain tables, driver inserts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Column, MetaData, Table, bindparam, func, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from kdc_core.db.base import UTCDateTime
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


_PLAIN: dict[str, Table] = {}


def plain_officers() -> Table:
    """The officers table with no type processing on its timestamps.

    Bulk writes hand it values already in the stored form (converted once per distinct
    value), instead of SQLAlchemy converting every timestamp of every row.
    """
    if "officers" not in _PLAIN:
        table = cast(Table, OfficerRow.__table__)
        _PLAIN["officers"] = Table(
            table.name,
            MetaData(),
            *(
                Column(c.name, NullType() if isinstance(c.type, UTCDateTime) else c.type)
                for c in table.columns
            ),
        )
    return _PLAIN["officers"]


def stored_form(session: Session) -> Callable[[Any], Any]:
    dialect = session.get_bind().dialect
    process = OfficerRow.__table__.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
    cache: dict[Any, Any] = {None: None}

    def stored(value: Any) -> Any:
        if value not in cache:
            cache[value] = process(value) if process else value
        return cache[value]

    return stored


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


def bulk_insert(
    session: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """``insert(table)`` for many rows given as tuples in ``columns`` order.

    On SQLite the compiled statement goes straight to the driver's ``executemany``, skipping
    SQLAlchemy's per-row parameter handling; elsewhere SQLAlchemy's batched multi-row
    inserts (lists of dicts) are the fast path.
    """
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    stmt = insert(table).values({c: bindparam(c) for c in columns})
    compiled = stmt.compile(dialect=conn.dialect)
    if list(compiled.positiontup or ()) != list(columns):
        position = {c: i for i, c in enumerate(columns)}
        order = [position[c] for c in compiled.positiontup or ()]
        rows = [tuple(row[i] for i in order) for row in rows]
    conn.exec_driver_sql(str(compiled), rows)
