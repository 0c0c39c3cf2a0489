"""Writing many rows at once, at the speed of each database's own bulk path.

:func:`insert_rows` takes rows as tuples of values in their *stored* form (see
:func:`stored_form`: a timestamp converted once per distinct value, not once per row), and
writes them in the connection's transaction:

- on PostgreSQL with ``COPY … FROM STDIN`` (one stream instead of a statement per row; for
  a single row it costs one round trip more than an ``INSERT``, a fraction of a millisecond);
- on SQLite with the compiled ``INSERT`` handed straight to the driver's ``executemany``;
- elsewhere with SQLAlchemy's own ``executemany``, on the table as :func:`plain` gives it.

These writes bypass the ORM and its session events, so a caller that changes tracked rows
records what it did itself (:func:`kdc_core.db.tracking.record`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Column, MetaData, Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.types import NullType

from kdc_core.db.base import UTCDateTime

_PLAIN: dict[str, Table] = {}


def plain(table: Table) -> Table:
    """``table`` with no type processing on its timestamps: statements on it take values in
    the stored form (:func:`stored_form`), as the bulk writes hand them over."""
    if table.name not in _PLAIN:
        _PLAIN[table.name] = Table(
            table.name,
            MetaData(),
            *(
                Column(c.name, NullType() if isinstance(c.type, UTCDateTime) else c.type)
                for c in table.columns
            ),
        )
    return _PLAIN[table.name]


def stored_form(conn: Connection, column: Column[Any]) -> Callable[[Any], Any]:
    """A function giving a value of ``column`` as the database stores it (an aware
    timestamp as UTC text on SQLite, as UTC on PostgreSQL); each distinct value is
    converted once."""
    dialect = conn.dialect
    return once_per_value(column.type.dialect_impl(dialect).bind_processor(dialect))


def once_per_value(convert: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """``convert`` (``None``: leave values as they are) applied once per distinct value,
    ``None`` kept as ``None``. Rows from one source mostly share a few values (one time
    object for a whole file): asked again for the value it was last asked for, it answers
    without hashing it (hashing an aware datetime works out its offset each time)."""
    cache: dict[Any, Any] = {None: None}
    last: list[Any] = [None, None]  # the last value asked for and its converted form

    def converted(value: Any) -> Any:
        if value is last[0]:
            return last[1]
        if value not in cache:
            cache[value] = convert(value) if convert else value
        last[0], last[1] = value, cache[value]
        return last[1]

    return converted


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order, values in the stored form) into
    ``table`` in the connection's transaction; returns how many were written."""
    rows = list(rows)
    if not rows:
        return 0
    name = conn.dialect.name
    if name == "postgresql":
        _copy(conn, table, columns, rows)
    elif name == "sqlite":
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {_names(conn, table, columns)} VALUES ({marks})", rows)
    else:
        conn.execute(insert(plain(table)), [dict(zip(columns, row, strict=True)) for row in rows])
    return len(rows)


def _copy(
    conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    statement = f"COPY {_names(conn, table, columns)} FROM STDIN"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _names(conn: Connection, table: Table, columns: Sequence[str]) -> str:
    """``table (column, …)``, quoted as the database needs."""
    preparer = conn.dialect.identifier_preparer
    return f"{preparer.format_table(table)} ({', '.join(preparer.quote(c) for c in columns)})"
