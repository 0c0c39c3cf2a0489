"""What kdc holds for a directory sync to compare with: the officers, services, wards and
directory ward links, read as plain tuples and dicts keyed for the diff (:mod:`.plan`)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

import attrs
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from kdc_core.db.bulk import once_per_value
from kdc_core.db.people import DirectorateRow, OfficerRow, OfficerWardRow, ServiceRow, WardRow
from kdc_core.directory.values import SYNCED_FIELDS

DIRECTORY = "directory"


# Positions in an existing officer tuple.
ID, PID, FIRST, LAST, SERVICE, MANAGER, ARCHIVED = 0, 1, 2, 2 + len(SYNCED_FIELDS), 10, 11, 12


@attrs.define
class Existing:
    """What kdc holds now, in plain tuples and dicts keyed for the diff.

    Officer columns are fetched without result processing (``updated_at`` as text: see
    :func:`_time_compared`); record values are turned into the same form, so the comparison
    is exact and costs no per-row conversion.
    """

    officers: dict[
        str, Any
    ]  # person_id -> (id, person_id, synced fields…, service, manager, archived)
    pid_by_id: dict[int, str]
    service_names: dict[int, str]  # service id -> name
    service_ids: dict[str, int]  # lower-case name -> id
    service_directorate: dict[int, int | None]
    directorate_ids: dict[str, int]  # lower-case name -> id
    ward_ids: dict[str, int]  # lower-case name and slug -> id
    ward_names: dict[int, str]
    directory_wards: dict[int, frozenset[int]]  # officer id -> ward ids the directory gave
    stored_time: Callable[[Any], Any]


def _raw(session: Session, stmt: Any) -> list[tuple[Any, ...]]:
    """Run a constant SELECT on the driver's own cursor: plain tuples, no row objects."""
    conn = session.connection()
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


#: How PostgreSQL hands over a stored time for the comparison: UTC text to the microsecond.
PG_TIME = "YYYY-MM-DD HH24:MI:SS.US"
PY_TIME = "%Y-%m-%d %H:%M:%S.%f"


def _utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime(PY_TIME)


def _time_compared(session: Session, column: Any) -> tuple[Any, Callable[[Any], Any] | None]:
    """``updated_at`` as the database hands it over for the comparison, and the function
    giving a record's time in that same form (``None``: as it is).

    PostgreSQL gives UTC text (one string per row rather than an aware datetime, which costs
    more to make and, compared, works out its offset each time); SQLite gives the stored
    text as it is, and a record's time goes through the column's own bind processing.
    """
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), PG_TIME), _utc_text
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return type_coerce(column, String), process


def load_existing(session: Session) -> Existing:
    o = OfficerRow.__table__.c
    stored, process = _time_compared(session, o.updated_at)
    raw = [stored if f == "updated_at" else o[f] for f in SYNCED_FIELDS]
    rows = _raw(
        session,
        select(
            o.id,
            o.person_id,
            *raw,
            o.service_id,
            o.manager_id,
            type_coerce(o.archived_at, String),
        ),
    )
    officers = dict(zip(map(operator.itemgetter(PID), rows), rows, strict=True))
    # Core selects on the tables throughout: a sync that changes nothing configures no ORM
    # mappers.
    sc, wc = ServiceRow.__table__.c, WardRow.__table__.c
    services = session.execute(select(sc.id, sc.name, sc.directorate_id)).all()
    wards = session.execute(select(wc.id, wc.name, wc.slug)).all()
    ward_ids: dict[str, int] = {}
    for w in wards:
        ward_ids[w.name.lower()] = w.id
        ward_ids[w.slug.lower()] = w.id
    links: dict[int, set[int]] = {}
    ow = OfficerWardRow.__table__.c
    for officer_id, ward_id in _raw(
        session, select(ow.officer_id, ow.ward_id).where(ow.source == DIRECTORY)
    ):
        links.setdefault(officer_id, set()).add(ward_id)
    return Existing(
        officers=officers,
        pid_by_id=dict(map(operator.itemgetter(ID, PID), rows)),
        service_names={s.id: s.name for s in services},
        service_ids={s.name.lower(): s.id for s in services},
        service_directorate={s.id: s.directorate_id for s in services},
        directorate_ids={
            d.name.lower(): d.id
            for d in session.execute(
                select(DirectorateRow.__table__.c.id, DirectorateRow.__table__.c.name)
            )
        },
        ward_ids=ward_ids,
        ward_names={w.id: w.name for w in wards},
        directory_wards={k: frozenset(v) for k, v in links.items()},
        stored_time=once_per_value(process),
    )
