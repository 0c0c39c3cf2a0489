"""The SLA dashboard's summary of enquiries, kept in the same transaction as every change.

Two tables count, per ward, per service and per officer: the open enquiries, the ones
answered in time and the ones answered late (:class:`~kdc_core.db.enquiries.EnquiryTotalRow`),
and the open ones by respond-by date (:class:`~kdc_core.db.enquiries.EnquiryOpenCountRow`).
The dashboard reads the totals and the dates from today on — a few thousand summary rows —
instead of a million enquiries; overdue is open minus those due from today on.

Every ORM change to an enquiry keeps them right: the listeners of
:mod:`kdc_core.db.enquiry_listeners` (installed with the change tracking,
:func:`kdc_core.db.tracking.track`) compares each flushed enquiry's old and new
status, respond-by date, ward, service, officer and in-time flag, and adds the differences
with ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` — atomic under concurrent
writers on PostgreSQL, serialised by ``BEGIN IMMEDIATE`` on SQLite — in the same
transaction, so a rollback (or a rolled-back savepoint) undoes both. The summary rows are
written in key order within a flush, so concurrent writers queue rather than deadlock.
Deleting a ward, service or officer (the database sets the enquiries' reference to none)
moves its counts to "none" in the same flush. An ORM bulk ``insert``/``update``/``delete`` of
enquiries through a session has the whole summary rebuilt before that transaction commits.

Rows written by SQL outside the ORM (a bulk load, a hand-made fix) bypass all of this: run
``kdc enquiries dashboard --rebuild`` afterwards (:func:`rebuild`, one transaction), and
``kdc enquiries dashboard --check`` to compare the summary with a recount.
"""

from __future__ import annotations

import collections
from typing import Any

from sqlalchemy import (
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    inspect,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kdc_core.db.enquiries import EnquiryOpenCountRow, EnquiryRow, EnquiryTotalRow
from kdc_core.db.enquiry_listeners import DELETED, STALE
from kdc_core.db.people import OfficerRow, ServiceRow, WardRow
from kdc_core.enquiries.values import OPEN_STATUSES

#: Dashboard dimension → the enquiry column it groups by.
DIMENSIONS = {"ward": "ward_id", "service": "service_id", "officer": "officer_id"}
OPEN = tuple(sorted(s.value for s in OPEN_STATUSES))
NONE = 0  # key_id of "no ward / no service / nobody named"

_FIELDS = ("status", "respond_by", "ward_id", "service_id", "officer_id", "resolved_in_time")
_OPEN_T: Table = EnquiryOpenCountRow.__table__  # type: ignore[assignment]
_TOTALS_T: Table = EnquiryTotalRow.__table__  # type: ignore[assignment]
_TABLES = {"open": (_OPEN_T, "respond_by"), "totals": (_TOTALS_T, "state")}
_TABLES_ONLY = (_OPEN_T, _TOTALS_T)
_OWNERS = {WardRow: "ward", ServiceRow: "service", OfficerRow: "officer"}

#: ("open", dimension, key id, respond-by date) or ("totals", dimension, key id, state) → count
Counts = dict[tuple[str, str, int, Any], int]


def _contributions(values: tuple[Any, ...]) -> list[tuple[str, str, int, Any]]:
    status, respond_by, ward_id, service_id, officer_id, in_time = values
    keys = {"ward": ward_id, "service": service_id, "officer": officer_id}
    out = []
    if status in OPEN:
        out += [("open", d, k or NONE, respond_by) for d, k in keys.items()]
        out += [("totals", d, k or NONE, "open") for d, k in keys.items()]
    if in_time is not None:
        state = "in_time" if in_time else "late"
        out += [("totals", d, k or NONE, state) for d, k in keys.items()]
    return out


def _old_values(obj: EnquiryRow) -> tuple[Any, ...]:
    """The values the database holds for ``obj`` before this flush writes it."""
    state = inspect(obj)
    out = []
    for key in _FIELDS:
        history = state.attrs[key].history
        if history.deleted:
            out.append(history.deleted[0])
        elif history.unchanged:
            out.append(history.unchanged[0])
        elif history.added:  # set over None (the columns load their old value when set)
            out.append(None)
        else:  # not loaded and not changed
            out.append(getattr(obj, key))
    return tuple(out)


def _new_values(obj: EnquiryRow) -> tuple[Any, ...]:
    return tuple(getattr(obj, key) for key in _FIELDS)


def before_flush(session: Session) -> None:
    """Note the values of the enquiries this flush deletes, while their rows can be loaded."""
    session.info[DELETED] = [
        _old_values(obj) for obj in session.deleted if isinstance(obj, EnquiryRow)
    ]


def after_flush(session: Session) -> None:
    """Add the flush's differences to the summary (see :mod:`kdc_core.db.enquiry_listeners`,
    which calls this only for a flush that touched an enquiry or deleted an owner)."""
    deltas: collections.Counter[tuple[str, str, int, Any]] = collections.Counter()
    for values in session.info.pop(DELETED, []):
        deltas.subtract(_contributions(values))
    for obj in session.new:
        if isinstance(obj, EnquiryRow):
            deltas.update(_contributions(_new_values(obj)))
    for obj in session.dirty:
        if isinstance(obj, EnquiryRow):
            old, new = _old_values(obj), _new_values(obj)
            if old != new:
                deltas.subtract(_contributions(old))
                deltas.update(_contributions(new))
    apply(session, deltas)
    for obj in session.deleted:
        dimension = _OWNERS.get(type(obj))
        if dimension is not None and obj.id is not None:
            _to_none(session, dimension, obj.id)


def _to_none(session: Session, dimension: str, key_id: int) -> None:
    """The database set the enquiries of a deleted ward, service or officer to none: move
    its counts likewise."""
    conn = session.connection()
    moved: collections.Counter[tuple[str, str, int, Any]] = collections.Counter()
    for name, (table, bucket) in _TABLES.items():
        rows = conn.execute(
            select(table.c[bucket], table.c.n).where(
                table.c.dimension == dimension, table.c.key_id == key_id
            )
        )
        for value, n in rows:
            moved[(name, dimension, key_id, value)] -= n
            moved[(name, dimension, NONE, value)] += n
    apply(session, moved)


def apply(session: Session, deltas: collections.Counter[tuple[str, str, int, Any]]) -> None:
    """Add ``deltas`` to the summary in the session's transaction, in key order; rows that
    come to zero are removed."""
    conn = session.connection()
    dialect = conn.dialect.name
    make_insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for name, (table, bucket) in _TABLES.items():
        changes = sorted((key[1:], n) for key, n in deltas.items() if key[0] == name and n)
        if not changes:
            continue
        columns = ("dimension", "key_id", bucket)
        stmt = make_insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(columns), set_={"n": table.c.n + stmt.excluded.n}
        )
        conn.execute(stmt, [{**dict(zip(columns, key, strict=True)), "n": n} for key, n in changes])
        emptied = [dict(zip(columns, key, strict=True)) for key, n in changes if n < 0]
        if emptied:
            conn.execute(
                delete(table).where(
                    and_(*(table.c[c] == bindparam(c) for c in columns)), table.c.n == 0
                ),
                emptied,
            )


def _recount_selects() -> list[tuple[Table, Select[Any]]]:
    """For each summary table and dimension, the grouped query that counts it afresh."""
    out: list[tuple[Table, Select[Any]]] = []
    for dimension, column in DIMENSIONS.items():
        key = func.coalesce(getattr(EnquiryRow, column), NONE)
        out.append(
            (
                _OPEN_T,
                select(literal(dimension), key, EnquiryRow.respond_by, func.count())
                .where(EnquiryRow.status.in_(OPEN))
                .group_by(key, EnquiryRow.respond_by),
            )
        )
        out.append(
            (
                _TOTALS_T,
                select(literal(dimension), key, literal("open"), func.count())
                .where(EnquiryRow.status.in_(OPEN))
                .group_by(key),
            )
        )
        state = case((EnquiryRow.resolved_in_time.is_(True), "in_time"), else_="late")
        out.append(
            (
                _TOTALS_T,
                select(literal(dimension), key, state, func.count())
                .where(EnquiryRow.resolved_in_time.is_not(None))
                .group_by(key, EnquiryRow.resolved_in_time),
            )
        )
    return out


def _name(table: Table) -> str:
    return "open" if table is _OPEN_T else "totals"


def recount(session: Session) -> Counts:
    """The summary as it should be, counted from the enquiries themselves."""
    out: Counts = {}
    for table, stmt in _recount_selects():
        for dimension, key_id, value, n in session.execute(stmt):
            key = (_name(table), dimension, int(key_id), value)
            out[key] = out.get(key, 0) + int(n)
    return out


def stored(session: Session) -> Counts:
    """The summary as the tables hold it."""
    out: Counts = {}
    for name, (table, bucket) in _TABLES.items():
        rows = session.execute(
            select(table.c.dimension, table.c.key_id, table.c[bucket], table.c.n)
        )
        for dimension, key_id, value, n in rows:
            out[(name, dimension, int(key_id), value)] = int(n)
    return out


def rebuild(session: Session) -> int:
    """Recount the whole summary from the enquiries, in the session's transaction; returns
    how many summary rows it holds now. On PostgreSQL it waits for, then holds off, writers
    to enquiries until the transaction ends; on SQLite the transaction holds the write lock."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE enquiries IN SHARE MODE")
        conn.exec_driver_sql("LOCK TABLE enquiry_open_counts, enquiry_totals IN EXCLUSIVE MODE")
    conn.execute(delete(_OPEN_T))
    conn.execute(delete(_TOTALS_T))
    for table, stmt in _recount_selects():
        bucket = _TABLES[_name(table)][1]
        conn.execute(table.insert().from_select(["dimension", "key_id", bucket, "n"], stmt))
    session.info.pop(STALE, None)
    return sum(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in _TABLES_ONLY)
