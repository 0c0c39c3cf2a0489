"""Change tracking at the session level, so every path (admin, CLI, import, code) records alike.

:func:`track` installs flush listeners on a sessionmaker. Each flush notes which tracked rows
were added, updated (with the changed field names), archived, reactivated or deleted; the
notes live in ``session.info`` until the transaction ends. :func:`collected` merges them into
a :class:`~kdc_core.changes.ChangeSet`; a rollback discards them.

A change carries a label and the *names* of the changed fields, never their values. Rows that
hold personal data (an enquiry's constituent, a complaint's summary) are labelled through
:data:`LABELS` by something that is not personal: a reference or an id.

Logs and records of what was done are not tracked (enquiry audit entries, briefing sends,
built newsletter issues, protocol findings, topic choices and reviews), nor are counters and
settings (enquiry reference counters, enquiry categories, service contacts).

When a tracked session commits, the changes it noted are written to the change log
(:mod:`kdc_core.changelog`) just before the commit, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session, sessionmaker

from kdc_core import changelog
from kdc_core.changes import Action, Change, ChangeSet
from kdc_core.db import calendar_version, enquiry_listeners
from kdc_core.db.listening import listen_once, table_of

_KEY = "kdc_changes"
_SOURCE = "kdc_source"
_TRACKED = "_kdc_tracked"
_LOGGED = "kdc_logged"  # how many of the session's notes are in the change log already

# The tables below are named rather than their row classes imported, so that tracking costs
# no table module a command does not use (see :mod:`kdc_core.db`).

#: Table → entity name in change notifications.
ENTITIES: dict[str, str] = {
    "wards": "ward",
    "political_groups": "political_group",
    "councillors": "councillor",
    "directorates": "directorate",
    "services": "service",
    "officers": "officer",
    "ward_contacts": "ward_contact",
    "events": "event",
    "enquiries": "enquiry",
    "briefings": "briefing",
    "success_stories": "success_story",
    "protocol_complaints": "complaint",
    "protocol_versions": "protocol_version",
    "committees": "committee",
}

#: Child tables whose rows' changes count as a change to their parent's field.
CHILDREN: dict[str, tuple[str, str, str]] = {
    "terms_of_office": ("councillor", "councillor", "terms"),
    "councillor_roles": ("councillor", "councillor", "roles"),
    "councillor_group_memberships": ("councillor", "councillor", "group_history"),
    "councillor_external_ids": ("councillor", "councillor", "external_ids"),
    "officer_wards": ("officer", "officer", "wards"),
    "enquiry_people": ("enquiry", "enquiry", "people"),
    "enquiry_notes": ("enquiry", "enquiry", "notes"),
    "protocol_complaint_stages": ("complaint", "complaint", "stages"),
    "event_political_meetings": ("event", "event", "political_meeting"),
    "committee_memberships": ("committee", "committee", "members"),
}

#: Table → the label of a change to one of its rows, where ``str(row)`` will not do. An
#: enquiry is named by its reference and a complaint by its id, so that a constituent's or a
#: councillor's details never reach a plugin through a label.
LABELS: dict[str, Callable[[Any], str]] = {
    "enquiries": lambda row: row.reference,
    "protocol_complaints": lambda row: f"complaint {row.id}",
    "protocol_versions": lambda row: f"protocol {row.version}",
    # str() would load the ward and the service, which must not happen while a flush runs
    "ward_contacts": lambda row: f"service {row.service_id} contact for ward {row.ward_id}",
}


_IGNORED_FIELDS = {"modified_at", "created_at"}


def set_source(session: Session, source: str) -> None:
    """Say who is making this session's changes (``"cli"``, ``"admin:ann@example"`` …)."""
    session.info[_SOURCE] = source


def collected(session: Session) -> ChangeSet:
    """The changes flushed in this session's current transaction, merged per entity."""
    return ChangeSet(_merged(session.info.get(_KEY, [])))


def _merged(notes: Iterable[Change]) -> tuple[Change, ...]:
    merged: dict[tuple[str, int | None], Change] = {}
    order: list[tuple[str, int | None]] = []
    for change in notes:
        key = (change.entity, change.key)
        if key not in merged:
            merged[key] = change
            order.append(key)
            continue
        merged[key] = _merge(merged[key], change)
    return tuple(merged[k] for k in order if merged[k] is not None)


def record(session: Session, changes: Iterable[Change]) -> None:
    """Note changes the flush listeners cannot see (bulk Core inserts and updates), so that
    :func:`collected` and ``kdc_changes_committed`` report them like any other."""
    changes = list(changes)
    session.info.setdefault(_KEY, []).extend(changes)
    calendar_version.note_recorded(session, changes)


def discard(session: Session) -> None:
    session.info.pop(_KEY, None)
    session.info.pop(_LOGGED, None)


def _before_commit(session: Session) -> None:
    """Write the changes noted since the last commit to the change log, in this transaction.

    A savepoint's commit waits for the outer one, so a rolled-back savepoint cannot leave
    the log short of changes it has already counted as written.
    """
    if session.in_nested_transaction():
        return
    session.flush()
    notes = session.info.get(_KEY, [])
    done = session.info.get(_LOGGED, 0)
    if len(notes) <= done:
        return
    changelog.write(session, _merged(notes[done:]))
    session.info[_LOGGED] = len(notes)


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


def label(obj: Any) -> str:
    """The label a change to ``obj`` carries (see :data:`LABELS`)."""
    return LABELS.get(table_of(obj) or "", str)(obj)


def _changed_fields(obj: Any) -> list[str]:
    """Columns whose value changed, and many-to-many links (a briefing's or an event's wards)
    that were added or removed."""
    state = inspect(obj)
    fields = []
    for attr in state.mapper.column_attrs:
        if attr.key in _IGNORED_FIELDS:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes() and list(hist.deleted) != list(hist.added):
            fields.append(attr.key)
    for rel in state.mapper.relationships:
        if rel.secondary is None or rel.viewonly:
            continue
        hist = state.attrs[rel.key].history
        if hist.has_changes() and set(map(id, hist.added)) != set(map(id, hist.deleted)):
            fields.append(rel.key)
    return fields


def _after_flush(session: Session, _flush_context: Any) -> None:
    source = session.info.get(_SOURCE, "code")
    notes: list[Change] = session.info.setdefault(_KEY, [])

    def note(
        entity: str, action: Action, obj: Any, fields: list[str] | tuple[str, ...] = ()
    ) -> None:
        notes.append(Change(entity, action, obj.id, label(obj), tuple(sorted(fields)), source))

    for obj in session.new:
        entity = ENTITIES.get(table_of(obj) or "")
        if entity:
            note(entity, Action.ADDED, obj)
    for obj in session.dirty:
        entity = ENTITIES.get(table_of(obj) or "")
        if not entity:
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
        entity = ENTITIES.get(table_of(obj) or "")
        if entity:
            note(entity, Action.DELETED, obj)
    added = {(type(o), o.id) for o in session.new if table_of(o) in ENTITIES}
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        child = CHILDREN.get(table_of(obj) or "")
        if child is None:
            continue
        if obj in session.dirty and not _changed_fields(obj):
            continue
        entity, parent_attr, field = child
        parent = _parent(session, obj, parent_attr, added)
        if parent is None or parent in session.new or parent.id is None:
            continue
        note(entity, Action.UPDATED, parent, [field])


def _parent(session: Session, obj: Any, attr: str, added: set[tuple[type, Any]]) -> Any:
    """The row ``obj.<attr>`` refers to. A child added by its foreign key alone (a note with
    just ``enquiry_id``) has the relationship unset during the flush, so the parent is found
    by that key instead: from the identity map, else loaded; ``None`` when the parent is
    itself new in this flush (in ``added``)."""
    parent = getattr(obj, attr, None)
    if parent is not None:
        return parent
    rel = inspect(type(obj)).relationships[attr]
    (local, _remote), *_ = rel.local_remote_pairs
    value = getattr(obj, inspect(type(obj)).get_property_by_column(local).key)
    if value is None:
        return None
    cls = rel.mapper.class_
    if (cls, value) in added:
        return None
    found = session.identity_map.get(rel.mapper.identity_key_from_primary_key([value]))
    return found if found is not None else session.get(cls, value)


def _after_rollback(session: Session) -> None:
    discard(session)


def track(factory: sessionmaker[Any] | type[Session]) -> None:
    """Record changes for every session the factory (or Session class) makes, and keep the
    enquiry summary (:mod:`kdc_core.db.enquiry_counts`) and the calendar version
    (:mod:`kdc_core.db.calendar_version`) in step with them.

    Calling it again for the same factory does nothing (see
    :func:`~kdc_core.db.listening.listen_once`).
    """
    target = factory.class_ if isinstance(factory, sessionmaker) else factory
    listen_once(
        target,
        _TRACKED,
        {
            "after_flush": _after_flush,
            "after_soft_rollback": _after_soft_rollback,
            "before_commit": _before_commit,
        },
    )
    # The SLA dashboard's summary rides on the same sessions (see enquiry_counts).
    enquiry_listeners.listen(target)
    # So does the calendar version feeds answer conditional requests from.
    calendar_version.listen(target)


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        discard(session)
