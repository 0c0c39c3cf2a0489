"""Compare a directory's records with the officers kdc holds: the diff, before anything is written.

Everything is compared in the directory's own terms (person ids, service and ward names), so
the plan is the same on every database and a dry run can print it as it stands.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import operator
from collections.abc import Sequence
from typing import Any

import attrs
from sqlalchemy.orm import Session

from kdc_core.directory.checks import check_manager_loops, check_text, id_key, index_records
from kdc_core.directory.existing import (
    ARCHIVED,
    FIRST,
    ID,
    LAST,
    MANAGER,
    SERVICE,
    Existing,
    load_existing,
)
from kdc_core.directory.values import (
    SYNCED_FIELDS,
    DirectoryRecord,
    OfficerDiff,
    SourceError,
    SyncPlan,
)


@attrs.define
class Work:
    """The plan plus what applying it needs (kept inside the engine)."""

    plan: SyncPlan
    existing: Existing
    records: dict[str, DirectoryRecord]
    ward_sets: dict[str, frozenset[int]]
    managers: dict[str, str | None]  # person_id -> manager person_id (known ones only)
    ward_changed: list[str]  # person ids whose directory wards change (new people included)
    service_directorates: dict[str, str | None]  # service key -> the directorate the source gives


def match_stored_ids(
    by_key: dict[str, DirectoryRecord], ex: Existing
) -> tuple[dict[str, DirectoryRecord], dict[str, str], str | None]:
    """Give each record the person id kdc already stores for it, compared without case.

    A source that writes ``p000006`` for the officer stored as ``P000006`` updates that
    officer, and the stored spelling is kept (the id is a key, not something shown; changing
    it would be a change on every re-sync that flips the case). An exact match wins; among
    stored ids that differ only in case (possible in data from before ids were compared
    without case) an active officer wins over an archived one.

    :returns: the records by the id used from here on, that id by :func:`id_key`, and a
        warning counting the records matched to a differently written id (or ``None``).
    """
    pids = list(map(operator.attrgetter("person_id"), by_key.values()))
    if ex.officers.keys() >= set(pids):  # every id stored as written: nothing to respell
        by_pid = dict(zip(pids, by_key.values(), strict=True))
        return by_pid, dict(zip(by_key, pids, strict=True)), None
    stored: dict[str, str] = {}
    for pid, row in ex.officers.items():
        key = id_key(pid)
        if key not in stored or (row[ARCHIVED] is None and ex.officers[stored[key]][ARCHIVED]):
            stored[key] = pid
    by_pid = {}
    canonical: dict[str, str] = {}
    respelt: list[str] = []
    for key, record in by_key.items():
        pid = record.person_id
        if pid not in ex.officers and key in stored:
            respelt.append(f"{pid} as {stored[key]}")
            pid = stored[key]
            record = attrs.evolve(record, person_id=pid)
        by_pid[pid] = record
        canonical[key] = pid
    note = None
    if respelt:
        note = (
            f"{len(respelt)} person id(s) match a stored officer only when case is ignored "
            f"(first: {respelt[0]}); they were matched and the stored ids kept"
        )
    return by_pid, canonical, note


def check_emails(by_pid: dict[str, DirectoryRecord], ex: Existing) -> None:
    """Every email is one valid address (normalised in place); refuse the source naming each
    record that is not. An address already stored for that person was checked when it was
    stored, so only new and changed ones are read again (a sync of 50,000 unchanged people
    checks none)."""
    column = FIRST + SYNCED_FIELDS.index("email")
    officers = ex.officers
    to_check = [
        (pid, record, record.email)
        for pid, record in by_pid.items()
        if record.email is not None
        and ((row := officers.get(pid)) is None or row[column] != record.email)
    ]
    if not to_check:
        return
    # Imported when an address needs checking (the email validator is a large import).
    from kdc_core.mail.addresses import AddressError, normalise_address, normalise_many

    given_emails = [given for _, _, given in to_check]
    try:
        normal = normalise_many(given_emails)
    except AddressError:
        pass  # each record is read below, naming every one that is wrong
    else:
        if normal != given_emails:
            for (pid, record, given), email in zip(to_check, normal, strict=True):
                if email != given:
                    by_pid[pid] = attrs.evolve(record, email=email)
        return
    problems = []
    for pid, record, given in to_check:
        try:
            email = normalise_address(given)
        except AddressError as exc:
            problems.append(f"{record.origin or pid}: email: {exc}")
            continue
        if email != given:
            by_pid[pid] = attrs.evolve(record, email=email)
    if problems:
        raise SourceError(
            "the directory gives email addresses that are not one valid address:", problems
        )


# A record's parts and a stored officer's, taken in C for every record at once.
_WARDS = operator.attrgetter("wards")
_MANAGER_ID = operator.attrgetter("manager_id")
_UPDATED_AT = operator.attrgetter("updated_at")
_VALUES = operator.attrgetter(*SYNCED_FIELDS[:-1])  # the text fields, in stored order
_TEXTS = operator.itemgetter(slice(FIRST, LAST - 1))
_TIME = operator.itemgetter(LAST - 1)
#: Stands for the stored row of a new person: no part of it equals anything a record gives.
_NO_ROW = tuple(object() for _ in range(ARCHIVED + 1))


class _Organisation:
    """The services and directorates the records name, each worked out once: every record's
    service key, and the services and directorates kdc does not have yet."""

    def __init__(self, ex: Existing) -> None:
        self.ex = ex
        self.stored_keys = {i: name.lower() for i, name in ex.service_names.items()}
        self.new_services: dict[str, str] = {}
        self.new_directorates: dict[str, str] = {}
        #: service key -> the directorate the first record naming the service gives
        self.service_directorates: dict[str, str | None] = {}

    def keys(self, records: Sequence[DirectoryRecord]) -> list[str | None]:
        """Each record's service key (lower-case name, ``None`` for no service)."""
        services = list(map(operator.attrgetter("service"), records))
        directorates = list(map(operator.attrgetter("directorate"), records))
        # Each spelling of a service as first given, with the directorate of the record
        # that first gives it (the first record naming a service decides its directorate).
        count = len(services)
        first_at = dict(zip(reversed(services), range(count - 1, -1, -1), strict=True))
        for first, service in sorted((i, s) for s, i in first_at.items() if s):
            key = service.lower()
            if key not in self.ex.service_ids:
                self.new_services.setdefault(key, service)
            self.service_directorates.setdefault(key, directorates[first])
        for directorate in dict.fromkeys(directorates):
            if directorate and directorate.lower() not in self.ex.directorate_ids:
                self.new_directorates.setdefault(directorate.lower(), directorate)
        key_of = {s: s.lower() if s else None for s in set(services)}
        return list(map(key_of.__getitem__, services))


def _known_ward_sets(
    ward_lists: Sequence[tuple[str, ...]], ex: Existing
) -> dict[tuple[str, ...], frozenset[int]]:
    """Each distinct list of ward names whose wards kdc all knows, with their ids."""
    known: dict[tuple[str, ...], frozenset[int]] = {(): frozenset()}
    for names in dict.fromkeys(ward_lists):
        ids = [ex.ward_ids.get(name.strip().lower()) for name in names]
        if names and None not in ids:
            known[names] = frozenset(i for i in ids if i is not None)
    return known


def plan_sync(
    session: Session,
    source: str,
    records: Sequence[DirectoryRecord],
    *,
    existing: Existing | None = None,
) -> Work:
    """Work out what a sync of ``records`` would change. Reads only.

    :param records: as the source gave them (in
        :class:`~kdc_core.directory.values.CharactersChecked` if it checked their text).
    :param existing: what kdc holds, read already with :func:`load_existing` in this
        session's transaction (else it is read here).
    """
    check_text(records)
    by_key = index_records(records)
    ex = existing if existing is not None else load_existing(session)
    by_pid, canonical, respelt = match_stored_ids(by_key, ex)
    check_emails(by_pid, ex)
    problems: list[str] = []
    unknown_wards: dict[str, list[str]] = {}
    added, updated, reactivated = [], [], []
    ward_changed: list[str] = []
    empty: frozenset[int] = frozenset()
    officers, pid_by_id, directory_wards = ex.officers, ex.pid_by_id, ex.directory_wards
    pids, recs = list(by_pid), list(by_pid.values())

    # What each record names, resolved once per distinct value (services, ward lists and
    # managers repeat), then given to every record with C-level maps.
    organisation = _Organisation(ex)
    service_keys = organisation.keys(recs)
    ward_lists = list(map(_WARDS, recs))
    known_sets = _known_ward_sets(ward_lists, ex)  # a list naming an unknown ward: absent
    ward_ids = list(map(known_sets.get, ward_lists))
    given_managers = list(map(_MANAGER_ID, recs))
    resolved: dict[str | None, str | None] = {
        m: m if m in by_pid else canonical.get(id_key(m))
        for m in set(given_managers)
        if m is not None
    }
    resolved[None] = None
    manager_ids = list(map(resolved.__getitem__, given_managers))
    managers: dict[str, str | None] = dict(zip(pids, manager_ids, strict=True))
    # None (a list naming an unknown ward) is replaced record by record below.
    ward_sets: dict[str, Any] = dict(zip(pids, ward_ids, strict=True))

    # Which records are unchanged, compared column by column (most are, on a re-sync); the
    # rest are looked at one by one below, in the source's order.
    rows = list(map(officers.get, pids, itertools.repeat(_NO_ROW)))
    checks = [
        map(operator.eq, map(_TEXTS, rows), map(operator.attrgetter(*SYNCED_FIELDS[:-1]), recs)),
        map(operator.eq, map(_TIME, rows), map(ex.stored_time, map(_UPDATED_AT, recs))),
        map(
            operator.eq,
            map(organisation.stored_keys.get, map(operator.itemgetter(SERVICE), rows)),
            service_keys,
        ),
        map(operator.eq, map(pid_by_id.get, map(operator.itemgetter(MANAGER), rows)), manager_ids),
        map(
            operator.eq,
            map(directory_wards.get, map(operator.itemgetter(ID), rows), itertools.repeat(empty)),
            ward_ids,
        ),
        map(operator.is_, map(operator.itemgetter(ARCHIVED), rows), itertools.repeat(None)),
    ]
    unresolved = {m for m, known in resolved.items() if m is not None and known is None}
    if unresolved:  # reported record by record below
        checks.append(map(operator.not_, map(unresolved.__contains__, given_managers)))
    same = list(map(all, zip(*checks, strict=True)))
    unchanged = same.count(True)

    for i in itertools.compress(range(len(pids)), map(operator.not_, same)):
        pid, r = pids[i], recs[i]
        ids = ward_ids[i]
        if ids is None:
            found = set()
            for name in r.wards:
                ward_id = ex.ward_ids.get(name.strip().lower())
                if ward_id is None:
                    unknown_wards.setdefault(name, []).append(r.origin or pid)
                else:
                    found.add(ward_id)
            ids = ward_sets[pid] = frozenset(found)
        service_key = service_keys[i]
        manager = manager_ids[i]
        if r.manager_id is not None and manager is None:
            problems.append(
                f"{r.origin or pid}: manager {r.manager_id} is not in the directory; "
                "the manager link is left empty"
            )

        row = officers.get(pid)
        if row is None:
            added.append(OfficerDiff(pid, r.name))
            if ids:
                ward_changed.append(pid)
            continue
        wanted = (*_VALUES(r), ex.stored_time(r.updated_at))
        have = row[FIRST:LAST]
        fields = (
            []
            if have == wanted
            else [f for f, a, b in zip(SYNCED_FIELDS, have, wanted, strict=True) if a != b]
        )
        current_service = organisation.stored_keys.get(row[SERVICE]) if row[SERVICE] else None
        if current_service != service_key:
            fields.append("service")
        current_manager = pid_by_id.get(row[MANAGER]) if row[MANAGER] else None
        if current_manager != manager:
            fields.append("manager")
        if directory_wards.get(row[ID], empty) != ids:
            fields.append("wards")
            ward_changed.append(pid)
        if row[ARCHIVED] is not None:
            reactivated.append(OfficerDiff(pid, r.name, (*fields, "archived_at")))
        elif fields:
            shown = [f for f in fields if f in SYNCED_FIELDS]
            before = {f: _show_stored(f, row[FIRST + SYNCED_FIELDS.index(f)]) for f in shown}
            after = {f: _show(getattr(r, f)) for f in shown}
            updated.append(OfficerDiff(pid, r.name, tuple(fields), before, after))
        else:
            unchanged += 1

    check_manager_loops(managers, by_pid)
    if respelt:
        problems.append(respelt)
    # Officers the source no longer gives (found in C first: usually there are none).
    leaving = officers.keys() - by_pid.keys()
    archived = [
        OfficerDiff(pid, f"{row[FIRST]} {row[FIRST + 1]}", ("archived_at",))
        for pid, row in officers.items()
        if pid in leaving and row[ARCHIVED] is None
    ]
    for name, where in sorted(unknown_wards.items()):
        problems.append(
            f"unknown ward {name!r} given for {len(where)} officer(s), first at {where[0]}; "
            "that ward reference was not recorded"
        )
    plan = SyncPlan(
        source=source,
        records=len(by_pid),
        active_before=list(map(operator.itemgetter(ARCHIVED), officers.values())).count(None),
        added=tuple(added),
        updated=tuple(updated),
        archived=tuple(archived),
        reactivated=tuple(reactivated),
        unchanged=unchanged,
        new_services=tuple(sorted(organisation.new_services.values())),
        new_directorates=tuple(sorted(organisation.new_directorates.values())),
        problems=tuple(problems),
    )
    return Work(
        plan, ex, by_pid, ward_sets, managers, ward_changed, organisation.service_directorates
    )


def _show(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _show_stored(field: str, value: Any) -> Any:
    """A stored value as :func:`_show` gives the record's: a time, read as UTC text, in ISO
    8601 with its offset."""
    if field == "updated_at" and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC).isoformat()
    return _show(value)
