"""Change tracking at the session level, so every path (admin, CLI, import, code) records alike.

:func:`track` installs flush listeners on a sessionmaker. Each flush notes which tracked rows
were added, updated (with the changed field names), archived, reactivated or deleted; the
notes live in ``session.info`` until the transaction ends. :func:`collected` merges them into
a :class:`~kdc_core.changes.ChangeSet`; a rollback discards them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from kdc_core.changes import Action, Change, ChangeSet
from kdc_core.db.events import EventRow
from kdc_core.db.people import (
    CouncillorExternalIdRow,
    CouncillorRoleRow,
    CouncillorRow,
    DirectorateRow,
    OfficerRow,
    OfficerWardRow,
    PoliticalGroupRow,
    ServiceRow,
    TermOfOfficeRow,
    WardContactRow,
    WardRow,
)

_KEY = "kdc_changes"
_SOURCE = "kdc_source"

#: Row class → entity name in change notifications.
ENTITIES: dict[type, str] = {
    WardRow: "ward",
    PoliticalGroupRow: "political_group",
    CouncillorRow: "councillor",
    DirectorateRow: "directorate",
    ServiceRow: "service",
    OfficerRow: "officer",
    WardContactRow: "ward_contact",
    EventRow: "event",
}

#: Child rows whose changes count as a change to their parent's field.
CHILDREN: dict[type, tuple[str, str, str]] = {
    TermOfOfficeRow: ("councillor", "councillor", "terms"),
    CouncillorRoleRow: ("councillor", "councillor", "roles"),
    CouncillorExternalIdRow: ("councillor", "councillor", "external_ids"),
    OfficerWardRow: ("officer", "officer", "wards"),
}

_IGNORED_FIELDS = {"modified_at", "created_at"}


def set_source(session: Session, source: str) -> None:
    """Say who is making this session's changes (``"cli"``, ``"admin:ann@example"`` …)."""
    session.info[_SOURCE] = source


def collected(session: Session) -> ChangeSet:
    """The changes flushed in this session's current transaction, merged per entity."""
    merged: dict[tuple[str, int | None], Change] = {}
    order: list[tuple[str, int | None]] = []
    for change in session.info.get(_KEY, []):
        key = (change.entity, change.key)
        if key not in merged:
            merged[key] = change
            order.append(key)
            continue
        merged[key] = _merge(merged[key], change)
    return ChangeSet(tuple(merged[k] for k in order if merged[k] is not None))


def record(session: Session, changes: Iterable[Change]) -> None:
    """Note changes the flush listeners cannot see (bulk Core inserts and updates), so that
    :func:`collected` and ``kdc_changes_committed`` report them like any other."""
    session.info.setdefault(_KEY, []).extend(changes)


def discard(session: Session) -> None:
    session.info.pop(_KEY, None)


def _merge(first: Change, later: Change) -> Change:
    if first.action == Action.ADDED and later.action != Action.DELETED:
        return first
    if later.action in (Action.ARCHIVED, Action.REACTIVATED, Action.DELETED):
        return Change(
            later.entity,
            later.action,
            later.key,
            later.label,
            tuple(sorted(set(first.fields) | set(later.fields))),
            later.source,
        )
    return Change(
        first.entity,
        first.action,
        first.key,
        later.label,
        tuple(sorted(set(first.fields) | set(later.fields))),
        first.source,
    )


def _changed_fields(obj: Any) -> list[str]:
    state = inspect(obj)
    fields = []
    for attr in state.mapper.column_attrs:
        if attr.key in _IGNORED_FIELDS:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes() and list(hist.deleted) != list(hist.added):
            fields.append(attr.key)
    return fields


def _after_flush(session: Session, _flush_context: Any) -> None:
    source = session.info.get(_SOURCE, "code")
    notes: list[Change] = session.info.setdefault(_KEY, [])

    def note(
        entity: str, action: Action, obj: Any, fields: list[str] | tuple[str, ...] = ()
    ) -> None:
        notes.append(Change(entity, action, obj.id, str(obj), tuple(sorted(fields)), source))

    for obj in session.new:
        entity = ENTITIES.get(type(obj))
        if entity:
            note(entity, Action.ADDED, obj)
    for obj in session.dirty:
        entity = ENTITIES.get(type(obj))
        if not entity or not session.is_modified(obj, include_collections=False):
            continue
        fields = _changed_fields(obj)
        if not fields:
            continue
        if "archived_at" in fields:
            action = Action.ARCHIVED if obj.archived_at is not None else Action.REACTIVATED
            note(entity, action, obj, fields)
        else:
            note(entity, Action.UPDATED, obj, fields)
    for obj in session.deleted:
        entity = ENTITIES.get(type(obj))
        if entity:
            note(entity, Action.DELETED, obj)
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        child = CHILDREN.get(type(obj))
        if child is None:
            continue
        if obj in session.dirty and not _changed_fields(obj):
            continue
        entity, parent_attr, field = child
        parent = getattr(obj, parent_attr, None)
        if parent is None or parent in session.new or parent.id is None:
            continue
        note(entity, Action.UPDATED, parent, [field])


def _after_rollback(session: Session) -> None:
    discard(session)


def track(factory: sessionmaker[Any] | type[Session]) -> None:
    """Record changes for every session the factory (or Session class) makes."""
    if not event.contains(factory, "after_flush", _after_flush):
        event.listen(factory, "after_flush", _after_flush)
        event.listen(factory, "after_soft_rollback", _after_soft_rollback)


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        discard(session)
