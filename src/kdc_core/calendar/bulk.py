"""Writing many events at once: what an import or an applied rota does with a whole feed or
plan, at the cost of a few statements rather than a few per event (see
:func:`upsert_external_many`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

import attrs
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from kdc_core.calendar.events import (
    CHECK_BATCH,
    EDITABLE,
    WRITE_BATCH,
    _stamp_cancellation,
    make_uid,
)
from kdc_core.calendar.values import EventKind, EventStatus, NewEvent, check_times
from kdc_core.changes import Action, Change
from kdc_core.db import tracking
from kdc_core.db.events import EventRow, event_councillors, event_label, event_officers, event_wards
from kdc_core.db.people import CouncillorRow, OfficerRow, WardRow
from kdc_core.db.repositories.events import _LOAD, EventRepository
from kdc_core.errors import NotFound
from kdc_core.protocol.service import enforce
from kdc_core.unit_of_work import UnitOfWork


def upsert_external_many(uow: UnitOfWork, news: Sequence[NewEvent]) -> list[tuple[int, bool]]:
    """:func:`upsert_external` for many events at once, with the same result as upserting
    them one by one, at the cost of a few statements rather than a few per event:

    - the stored events of each source are read in one query as plain column values (no
      ORM objects) with their links, and compared by (source, external id);
    - new events are inserted :data:`WRITE_BATCH` rows to a statement, their links likewise,
      and their additions noted for the change log (:func:`kdc_core.db.tracking.record`);
    - only the events that changed are loaded as rows and updated through the ORM, so
      SEQUENCE goes up and the changed fields are recorded as for a single update;
    - the protocol's event rules run once per :data:`CHECK_BATCH` changed events (a feed's
      3,700 instances took 40 s checked one at a time).

    :returns: each event's id (in the order given) and whether anything changed.
    :raises ValueError: an event without a source and external id.
    :raises EventTimesError: an event would not end after it starts.
    :raises NotFound: a ward, councillor or officer id that does not exist.
    :raises ProtocolBlocked: an error-level finding on any of them.
    """
    if any(not (n.source and n.external_id) for n in news):
        raise ValueError("upsert_external_many needs source and external_id")
    results: list[tuple[int, bool]] = []
    # The same event twice: the later one is an update of the earlier, as one by one.
    begin, keys = 0, set[tuple[str | None, str | None]]()
    for at, new in enumerate(news):
        key = (new.source, new.external_id)
        if key in keys:
            results += _upsert_batch(uow, news[begin:at])
            begin, keys = at, set()
        keys.add(key)
    results += _upsert_batch(uow, news[begin:])
    uow.session.flush()
    changed_ids = sorted({event_id for event_id, changed in results if changed})
    for at in range(0, len(changed_ids), CHECK_BATCH):
        enforce(uow, "event", changed_ids[at : at + CHECK_BATCH])
    return results


def _upsert_batch(uow: UnitOfWork, news: Sequence[NewEvent]) -> list[tuple[int, bool]]:
    """Events with distinct (source, external id): insert the new, update the changed."""
    session = uow.session
    session.flush()  # the reads are Core queries: they must see the changes pending
    stored = _stored(session, {n.source for n in news if n.source})
    found: list[int | None] = []
    inserts: list[NewEvent] = []
    updates: dict[int, NewEvent] = {}
    for new in news:
        row = stored.get((new.source, new.external_id))
        if row is None:
            found.append(None)
            inserts.append(new)
            continue
        found.append(row.id)
        values = {name: _plain(getattr(new, name)) for name in _UPSERTED}
        if any(row.values[name] != value for name, value in values.items()) or any(
            sorted(getattr(new, name)) != sorted(row.links.get(name, ())) for name in _LINKS
        ):
            updates[row.id] = new
    new_ids = iter(_insert(uow, inserts))
    out = []
    for event_id in found:
        if event_id is None:
            out.append((next(new_ids), True))
        else:
            out.append((event_id, event_id in updates))
    _update(uow, updates)
    return out


@attrs.frozen
class _Stored:
    """A stored event as the bulk upsert compares it: its id, fields and link ids."""

    id: int
    values: dict[str, Any]
    links: dict[str, tuple[int, ...]]


def _stored(session: Session, sources: set[str]) -> dict[tuple[str | None, str | None], _Stored]:
    table = _TABLE
    out: dict[tuple[str | None, str | None], _Stored] = {}
    for source in sorted(sources):
        rows = session.execute(
            select(table.c.id, table.c.external_id, *(table.c[n] for n in _UPSERTED)).where(
                table.c.source == source
            )
        )
        links: dict[int, dict[str, list[int]]] = {}
        for name, (link, column) in _LINK_TABLES.items():
            pairs = session.execute(
                select(link.c.event_id, link.c[column])
                .join(table, table.c.id == link.c.event_id)
                .where(table.c.source == source)
            )
            for event_id, other_id in pairs:
                links.setdefault(event_id, {}).setdefault(name, []).append(other_id)
        for row in rows:
            mapping = row._mapping
            out[(source, row.external_id)] = _Stored(
                row.id,
                {name: mapping[name] for name in _UPSERTED},
                {k: tuple(v) for k, v in links.get(row.id, {}).items()},
            )
    return out


def _insert(uow: UnitOfWork, news: Sequence[NewEvent]) -> list[int]:
    """Insert new events and their links in batches; note their additions. Their ids, in
    order."""
    if not news:
        return []
    session = uow.session
    _check_links(session, news)  # (a NewEvent has checked its own times)
    table = _TABLE
    now = dt.datetime.now(dt.UTC)
    params = [
        {
            "uid": make_uid(uow, new),
            **{name: _plain(getattr(new, name)) for name in _UPSERTED},
            "sequence": 0,
            "source": new.source,
            "external_id": new.external_id,
            "cancelled_at": now if new.status == EventStatus.CANCELLED else None,
            "created_at": now,
            "modified_at": now,
        }
        for new in news
    ]
    for at in range(0, len(params), WRITE_BATCH):
        session.execute(insert(table), params[at : at + WRITE_BATCH])
    # Read the ids back by key: on SQLite, RETURNING in the given order costs a statement
    # a row, where a plain executemany is one.
    id_of: dict[tuple[str | None, str | None], int] = {}
    for source in sorted({n.source for n in news if n.source}):
        id_of.update(
            ((source, external_id), event_id)
            for event_id, external_id in session.execute(
                select(table.c.id, table.c.external_id).where(table.c.source == source)
            )
        )
    ids = [id_of[(n.source, n.external_id)] for n in news]
    for name, (link, column) in _LINK_TABLES.items():
        pairs = [
            {"event_id": event_id, column: other}
            for event_id, new in zip(ids, news, strict=True)
            for other in sorted(set(getattr(new, name)))
        ]
        for at in range(0, len(pairs), WRITE_BATCH):
            session.execute(insert(link), pairs[at : at + WRITE_BATCH])
    tracking.record(
        session,
        [
            Change(
                "event",
                Action.ADDED,
                event_id,
                event_label(n.title, n.start, uow.settings.tz, n.timezone),
                (),
                uow.source,
            )
            for event_id, n in zip(ids, news, strict=True)
        ],
    )
    return ids


def _check_links(session: Session, news: Sequence[NewEvent]) -> None:
    """Every ward, councillor and officer the new events link to exists."""
    for name, cls in (
        ("ward_ids", WardRow),
        ("councillor_ids", CouncillorRow),
        ("officer_ids", OfficerRow),
    ):
        wanted = sorted({i for n in news for i in getattr(n, name)})
        if not wanted:
            continue
        have: set[int] = set()
        for at in range(0, len(wanted), WRITE_BATCH):
            chunk = wanted[at : at + WRITE_BATCH]
            have.update(session.scalars(select(cls.id).where(cls.id.in_(chunk))))
        missing = set(wanted) - have
        if missing:
            raise NotFound(f"no {cls.__tablename__} with id {sorted(missing)}")


def _update(uow: UnitOfWork, updates: dict[int, NewEvent]) -> None:
    """Apply the changed events through their rows, as :func:`update_event` would."""
    repo = EventRepository(uow.session)
    ids = sorted(updates)
    for at in range(0, len(ids), WRITE_BATCH):
        rows = uow.session.scalars(
            select(EventRow).options(*_LOAD).where(EventRow.id.in_(ids[at : at + WRITE_BATCH]))
        )
        for row in rows:
            new = updates[row.id]
            for name in _UPSERTED:
                value = _plain(getattr(new, name))
                if getattr(row, name) != value:
                    setattr(row, name, value)
            links = {
                name: ids_
                for name, attr in _LINKS.items()
                if sorted(ids_ := getattr(new, name)) != sorted(x.id for x in getattr(row, attr))
            }
            if links:
                repo.set_links(row, **links)
            check_times(row.title, row.start, row.end, uow.settings.tz)
            _stamp_cancellation(row)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, EventKind | EventStatus) else value


#: The fields of :class:`NewEvent` an upsert compares and writes, and its links.
_UPSERTED = tuple(f.name for f in attrs.fields(NewEvent) if f.name in EDITABLE)
_TABLE = cast(Table, EventRow.__table__)
_LINKS = {"ward_ids": "wards", "councillor_ids": "councillors", "officer_ids": "officers"}
_LINK_TABLES = {
    "ward_ids": (event_wards, "ward_id"),
    "councillor_ids": (event_councillors, "councillor_id"),
    "officer_ids": (event_officers, "officer_id"),
}
