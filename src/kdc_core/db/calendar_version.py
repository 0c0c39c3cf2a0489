"""The calendar version: one number that moves, in the same transaction, with anything a feed
shows — and a short log of what moved it.

A feed server keeps finished feeds and answers a request by reading one number
(:func:`current`): unchanged, the cached feed is still right, with no ORM and no table scan.
When it has moved, :func:`changes_since` says what changed — ``(kind, id)`` pairs such as
``("event", 12)`` or ``("officer", 7)`` (id ``None``: any of that kind) — so a feed that
none of the changes touch is kept as it is.

Every writer is covered by session listeners (installed with the change tracking,
:func:`kdc_core.db.tracking.track`): a flush notes the feed-relevant rows it added, changed or
deleted; an ORM-enabled ``insert``/``update``/``delete`` run through a session on one of
their tables notes "any row of that kind"; changes recorded by hand for bulk Core writes
(:func:`kdc_core.db.tracking.record`) are noted too. Just before the transaction commits the
version row is incremented — its row lock queues concurrent writers for that instant only —
and the notes are written to the log under the new number. A rollback discards both.

Kinds: ``event`` (an event, its wards or invitees), ``councillor`` (a councillor, their
roles or committee seats; id ``None`` for a change to a committee), ``officer``, ``ward``,
``service``, ``enquiry`` (response dates in councillors' feeds), ``token`` (a feed address
issued or revoked) and ``all``.

The log keeps the last :data:`KEEP` versions; a reader further behind is told ``None`` and
treats everything as changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from kdc_core.changes import Change
from kdc_core.db.base import Base
from kdc_core.db.listening import listen_once, table_of

#: How many versions the change log covers.
KEEP = 5000
#: More ids of one kind than this in one transaction are logged as "any of that kind": a
#: sync that adds 50,000 officers writes one row, not 50,000, and a reader rebuilds what
#: shows that kind, as it would for each of them.
MANY = 1000
_NOTES = "kdc_calendar_changes"
_LISTENING = "_kdc_calendar_version"

Note = tuple[str, int | None]


class CalendarVersionRow(Base):
    """The one row holding the calendar version."""

    __tablename__ = "calendar_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class CalendarChangeRow(Base):
    """What moved the calendar version to ``version``."""

    __tablename__ = "calendar_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int | None] = mapped_column(Integer)


_VERSION_T: Any = CalendarVersionRow.__table__
_CHANGES_T: Any = CalendarChangeRow.__table__

#: Table of a flushed row → (kind, how to get the id it concerns). Tables are named, not
#: their row classes imported, so this module costs no table module of its own.
_ROWS: dict[str, tuple[str, Any]] = {
    "events": ("event", lambda r: r.id),
    "councillors": ("councillor", lambda r: r.id),
    "councillor_roles": ("councillor", lambda r: r.councillor_id),
    "committee_memberships": ("councillor", lambda r: r.councillor_id),
    "committees": ("councillor", lambda _r: None),
    "officers": ("officer", lambda r: r.id),
    "wards": ("ward", lambda r: r.id),
    "services": ("service", lambda r: r.id),
    "enquiries": ("enquiry", lambda _r: None),
    "enquiry_people": ("enquiry", lambda _r: None),
    "feed_tokens": ("token", lambda _r: None),
}

#: Table name → kind, for statements that bypass the flush.
_TABLES: dict[str, str] = {
    "events": "event",
    "event_wards": "event",
    "event_councillors": "event",
    "event_officers": "event",
    "councillors": "councillor",
    "councillor_roles": "councillor",
    "committees": "councillor",
    "committee_memberships": "councillor",
    "officers": "officer",
    "wards": "ward",
    "services": "service",
    "enquiries": "enquiry",
    "enquiry_people": "enquiry",
    "feed_tokens": "token",
}

#: Change-notification entity → kind, for changes recorded by hand.
_ENTITIES = {"event", "councillor", "officer", "ward", "service", "enquiry"}

_CURRENT = select(_VERSION_T.c.version).where(_VERSION_T.c.id == 1)
_SINCE = select(_CHANGES_T.c.version, _CHANGES_T.c.kind, _CHANGES_T.c.ref_id).where(
    _CHANGES_T.c.version > bindparam("since"), _CHANGES_T.c.version <= bindparam("now")
)


def current(conn: Connection | Session) -> int:
    """The calendar version now (0 before anything was ever changed). One small query."""
    value = conn.execute(_CURRENT).scalar()
    return int(value or 0)


def changes_since(
    conn: Connection | Session, version: int, now: int | None = None
) -> tuple[int, list[Note]] | None:
    """``(version now, [(kind, id), …])``: what changed after ``version`` (up to ``now``, if
    just read); ``None`` when the log no longer reaches back that far."""
    if now is None:
        now = current(conn)
    if now <= version:
        return now, []
    rows = conn.execute(_SINCE, {"since": version, "now": now}).all()
    if len({r.version for r in rows}) < now - version:
        return None
    return now, sorted({(r.kind, r.ref_id) for r in rows}, key=lambda n: (n[0], n[1] or 0))


def note(session: Session, notes: Iterable[Note]) -> None:
    """Note changes a feed may show; they move the version when the transaction commits."""
    session.info.setdefault(_NOTES, set()).update(notes)


def note_recorded(session: Session, changes: Iterable[Change]) -> None:
    """Note changes recorded by hand for bulk writes (see :func:`kdc_core.db.tracking.record`)."""
    note(session, ((c.entity, c.key) for c in changes if c.entity in _ENTITIES))


def condensed(notes: Iterable[Note]) -> list[Note]:
    """``notes`` as they are logged: ``(kind, None)`` stands for every id of its kind (given,
    or for more than :data:`MANY` ids); sorted, so that the log reads the same every time."""
    ids: dict[str, set[int | None]] = {}
    for kind, ref in notes:
        ids.setdefault(kind, set()).add(ref)
    out: list[Note] = []
    for kind in sorted(ids):
        refs = ids[kind]
        if None in refs or len(refs) > MANY:
            out.append((kind, None))
        else:
            out += [(kind, ref) for ref in sorted(r for r in refs if r is not None)]
    return out


def bump(session: Session, notes: Iterable[Note]) -> int:
    """Move the version on by one in the session's transaction, logging ``notes`` under it
    (:func:`condensed`)."""
    conn = session.connection()
    step = update(_VERSION_T).where(_VERSION_T.c.id == 1).values(version=_VERSION_T.c.version + 1)
    if conn.dialect.update_returning:  # PostgreSQL, SQLite 3.35 and later: one statement
        version = conn.execute(step.returning(_VERSION_T.c.version)).scalar()
    else:
        version = current(conn) + 1 if conn.execute(step).rowcount else None
    if version is None:  # no row yet (a schema made without the migration)
        conn.execute(insert(_VERSION_T).values(id=1, version=1))
        version = 1
    conn.execute(
        insert(_CHANGES_T),
        [{"version": version, "kind": kind, "ref_id": ref} for kind, ref in condensed(notes)],
    )
    if version % 100 == 0:
        conn.execute(_CHANGES_T.delete().where(_CHANGES_T.c.version <= version - KEEP))
    return version


def _after_flush(session: Session, _context: Any) -> None:
    found: set[Note] = set()
    for group, modified_only in (
        (session.new, False),
        (session.dirty, True),
        (session.deleted, False),
    ):
        for obj in group:
            known = _ROWS.get(table_of(obj) or "")
            if known is None or (modified_only and not session.is_modified(obj)):
                continue
            kind, ref = known
            found.add((kind, ref(obj)))
    if found:
        note(session, found)


def _orm_execute(state: Any) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    kind = _TABLES.get(getattr(getattr(state.statement, "table", None), "name", ""))
    if kind is not None:
        note(state.session, [(kind, None)])


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()
    notes = session.info.pop(_NOTES, None)
    if notes:
        bump(session, notes)


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_NOTES, None)


def listen(target: Any) -> None:
    """Keep the calendar version for every session of ``target`` (a Session class); once."""
    listen_once(
        target,
        _LISTENING,
        {
            "after_flush": _after_flush,
            "do_orm_execute": _orm_execute,
            "before_commit": _before_commit,
            "after_soft_rollback": _after_soft_rollback,
        },
    )


def log_size(session: Session) -> int:
    """How many change notes the log holds (for tests and checks)."""
    return int(session.scalar(select(func.count()).select_from(_CHANGES_T)) or 0)
