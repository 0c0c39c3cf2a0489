"""Compare a directory's records with the officers kdc holds: the diff, before anything is written.

Everything is compared in the directory's own terms (person ids, service and ward names), so
the plan is the same on every database and a dry run can print it as it stands.
"""

from __future__ import annotations

import contextlib
import datetime as dt
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
    new_services: dict[str, str] = {}
    new_directorates: dict[str, str] = {}
    ward_sets: dict[str, frozenset[int]] = {}
    managers: dict[str, str | None] = {}
    ward_changed: list[str] = []
    service_directorates: dict[str, str | None] = {}
    added, updated, reactivated = [], [], []
    unchanged = 0

    values = operator.attrgetter(*SYNCED_FIELDS[:-1])
    empty: frozenset[int] = frozenset()
    officers, stored_time = ex.officers, ex.stored_time
    pid_by_id, directory_wards = ex.pid_by_id, ex.directory_wards
    stored_service_keys = {i: name.lower() for i, name in ex.service_names.items()}
    seen_organisation: dict[tuple[str | None, str | None], str | None] = {}
    known_sets: dict[tuple[str, ...], frozenset[int]] = {}  # ward names -> ids, all known
    for pid, r in by_pid.items():
        ids = empty
        if r.wards:
            known_set = known_sets.get(r.wards)
            if known_set is not None:
                ids = known_set
            else:
                found = set()
                for name in r.wards:
                    ward_id = ex.ward_ids.get(name.strip().lower())
                    if ward_id is None:
                        unknown_wards.setdefault(name, []).append(r.origin or pid)
                    else:
                        found.add(ward_id)
                ids = frozenset(found)
                if len(found) == len(r.wards):
                    known_sets[r.wards] = ids
        ward_sets[pid] = ids
        organisation = (r.service, r.directorate)
        if organisation in seen_organisation:  # most records repeat a pair already seen
            service_key = seen_organisation[organisation]
        else:
            service_key = None
            if r.service:
                service_key = r.service.lower()
                if service_key not in ex.service_ids:
                    new_services.setdefault(service_key, r.service)
                if service_key not in service_directorates:
                    service_directorates[service_key] = r.directorate
            if r.directorate:
                directorate_key = r.directorate.lower()
                if directorate_key not in ex.directorate_ids:
                    new_directorates.setdefault(directorate_key, r.directorate)
            seen_organisation[organisation] = service_key
        manager = r.manager_id
        if manager is not None:
            # An id given as the source's own record has it is that record (the usual case).
            known = manager if manager in by_pid else canonical.get(id_key(manager))
            if known is None:
                problems.append(
                    f"{r.origin or pid}: manager {manager} is not in the directory; "
                    "the manager link is left empty"
                )
                manager = None
            else:
                manager = known
        managers[pid] = manager

        row = officers.get(pid)
        if row is None:
            added.append(OfficerDiff(pid, r.name))
            if ids:
                ward_changed.append(pid)
            continue
        wanted = (*values(r), stored_time(r.updated_at))
        have = row[FIRST:LAST]
        fields = (
            []
            if have == wanted
            else [f for f, a, b in zip(SYNCED_FIELDS, have, wanted, strict=True) if a != b]
        )
        current_service = stored_service_keys.get(row[SERVICE]) if row[SERVICE] else None
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
        new_services=tuple(sorted(new_services.values())),
        new_directorates=tuple(sorted(new_directorates.values())),
        problems=tuple(problems),
    )
    return Work(plan, ex, by_pid, ward_sets, managers, ward_changed, service_directorates)


def _show(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _show_stored(field: str, value: Any) -> Any:
    """A stored value as :func:`_show` gives the record's: a time, read as UTC text, in ISO
    8601 with its offset."""
    if field == "updated_at" and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC).isoformat()
    return _show(value)
