"""The change log: who changed which record, which fields, and when.

Every commit of a change-tracked session (admin, CLI, imports, code) writes what
:mod:`kdc_core.db.tracking` noted into ``change_log`` in the same transaction (see
:func:`write`), so the log and the change stand or fall together. Entries carry the change's
label and the *names* of the fields, never their values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import cast

import attrs
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from kdc_core.changes import Change
from kdc_core.db.base import utcnow
from kdc_core.db.bulk import insert_rows, stored_form
from kdc_core.db.changelog import ChangeLogRow

ADMIN_PREFIX = "admin:"


@attrs.frozen
class LoggedChange:
    """One entry of the change log.

    :ivar source: who made it, as tracking reports it (``"admin:ann@example"``, ``"cli"`` …).
    :ivar fields: names of the changed fields (empty for additions and deletions).
    """

    id: int
    at: dt.datetime
    source: str
    entity: str
    key: int | None
    action: str
    label: str
    fields: tuple[str, ...]

    @property
    def who(self) -> str:
        """The person or process, in words: an admin user's email, else the source."""
        if self.source.startswith(ADMIN_PREFIX):
            return self.source[len(ADMIN_PREFIX) :] or "the admin"
        return {"cli": "the command line", "code": "the system"}.get(self.source, self.source)

    @classmethod
    def from_row(cls, row: ChangeLogRow) -> LoggedChange:
        return cls(
            id=row.id,
            at=row.at,
            source=row.source,
            entity=row.entity,
            key=row.key,
            action=row.action,
            label=row.label,
            fields=tuple(f for f in row.fields.split(",") if f),
        )


#: The columns :func:`write` fills, in the order of its rows.
COLUMNS = ("at", "source", "entity", "key", "action", "label", "fields")


def write(session: Session, changes: Iterable[Change], at: dt.datetime | None = None) -> int:
    """Add ``changes`` to the log in the session's transaction; returns how many rows.

    The rows go in with the database's bulk path (:func:`kdc_core.db.bulk.insert_rows`): a
    sync of 50,000 officers logs 50,000 changes."""
    table = cast(Table, ChangeLogRow.__table__)
    conn = session.connection()
    when = stored_form(conn, table.c.at)(at or utcnow())
    rows = (
        (
            when,
            c.source[:255],
            c.entity,
            c.key,
            c.action.value,
            c.label[:300],
            ",".join(c.fields),
        )
        for c in changes
    )
    return insert_rows(conn, table, COLUMNS, rows)


def last_change(session: Session, entity: str, key: int) -> LoggedChange | None:
    """The latest logged change to one record, or ``None`` if none is logged."""
    row = session.scalars(
        select(ChangeLogRow)
        .where(ChangeLogRow.entity == entity, ChangeLogRow.key == key)
        .order_by(ChangeLogRow.id.desc())
        .limit(1)
    ).first()
    return LoggedChange.from_row(row) if row is not None else None


def entries(
    session: Session,
    *,
    who: str | None = None,
    entity: str | None = None,
    key: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 200,
) -> list[LoggedChange]:
    """Log entries, newest first, filtered by source (``who``: an admin's email or a source
    such as ``"cli"``), entity, record key and a time range (``since`` ≤ at < ``until``)."""
    query = select(ChangeLogRow)
    if who:
        query = query.where(ChangeLogRow.source.in_((who, ADMIN_PREFIX + who)))
    if entity:
        query = query.where(ChangeLogRow.entity == entity)
    if key is not None:
        query = query.where(ChangeLogRow.key == key)
    if since is not None:
        query = query.where(ChangeLogRow.at >= since)
    if until is not None:
        query = query.where(ChangeLogRow.at < until)
    rows = session.scalars(query.order_by(ChangeLogRow.id.desc()).limit(limit))
    return [LoggedChange.from_row(r) for r in rows]


def sources(session: Session) -> Sequence[str]:
    """Every distinct source in the log, sorted (for a "who" filter)."""
    return list(session.scalars(select(ChangeLogRow.source).distinct().order_by("source")))


def entities(session: Session) -> Sequence[str]:
    """Every distinct entity in the log, sorted (for an "entity" filter)."""
    return list(session.scalars(select(ChangeLogRow.entity).distinct().order_by("entity")))
