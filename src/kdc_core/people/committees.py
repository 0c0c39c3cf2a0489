"""Committees and who sits on them, kept in step with a source (ModernGov, for one).

A source knows each committee by an id (``external_id``) and each councillor by an id under
an external-id scheme (``moderngov``). :func:`sync_committees` makes the stored committees
and seats match what the source says, and :class:`CommitteeIndex` finds the committee a
meeting belongs to. Who a committee's meetings concern follows from the seats (see
:mod:`kdc_core.calendar.concerns`), so changing the seats changes who every meeting of the
committee concerns, past imports included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import attrs
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kdc_core.calendar.concerns import FULL_COUNCIL, Membership, committee_key, load_membership
from kdc_core.changes import ChangeSet
from kdc_core.db.base import utcnow
from kdc_core.db.committees import CommitteeMembershipRow, CommitteeRow
from kdc_core.db.people import CouncillorExternalIdRow, CouncillorRow
from kdc_core.unit_of_work import UnitOfWork

DEFAULT_ROLE = "Member"


@attrs.frozen
class CommitteeRecord:
    """A committee as the source gives it."""

    external_id: str
    title: str
    category: str | None = None
    purpose: str | None = None
    deleted: bool = False
    expired: bool = False


@attrs.frozen
class SeatRecord:
    """A councillor's seat on a committee, both named by the source's ids.

    :ivar name: the councillor's name as the source gives it, for warnings only.
    :ivar where: how messages name the entry (file and line).
    """

    committee_id: str
    councillor_id: str
    role: str = DEFAULT_ROLE
    name: str | None = None
    where: str = ""


@attrs.frozen
class SeatScope:
    """Which seats an answer speaks for in full: every seat on these committees (a committee's
    member list) and every seat of these councillors (a councillor's committees). A stored
    seat inside the scope that the answer does not list is removed; seats outside it are
    left alone."""

    committees: frozenset[str] = frozenset()
    councillors: frozenset[str] = frozenset()

    def covers(self, committee_id: str, councillor_id: str | None) -> bool:
        return committee_id in self.committees or (
            councillor_id is not None and councillor_id in self.councillors
        )


def sync_committees(
    uow: UnitOfWork,
    committees: Sequence[CommitteeRecord],
    seats: Sequence[SeatRecord],
    *,
    source: str,
    scheme: str,
    scope: SeatScope,
) -> ChangeSet:
    """Make the stored committees of ``source`` and their seats match the answer.

    Committees are upserted by external id; one missing from ``committees`` is archived, and
    one that comes back is reactivated. Seats are added, their roles updated, and those
    inside ``scope`` that the answer no longer lists removed. A seat whose councillor is not
    known under ``scheme`` (not imported yet) is skipped with a warning naming them; so is a
    seat on a committee the answer does not list.

    :returns: the changes, with those warnings in ``warnings``. A second run of the same
        answer changes nothing.
    """
    warnings: list[str] = []
    stored = {
        row.external_id: row
        for row in uow.session.scalars(
            select(CommitteeRow)
            .options(selectinload(CommitteeRow.members))
            .where(CommitteeRow.source == source)
        )
    }
    wanted = {c.external_id for c in committees}
    for record in committees:
        row = stored.get(record.external_id)
        if row is None:
            row = CommitteeRow(source=source, external_id=record.external_id, title=record.title)
            uow.session.add(row)
            stored[record.external_id] = row
        _set(row, "title", record.title)
        _set(row, "category", record.category)
        _set(row, "purpose", record.purpose)
        _set(row, "deleted", record.deleted)
        _set(row, "expired", record.expired)
        _set(row, "archived_at", None)
    now = utcnow()
    for external_id, row in stored.items():
        if external_id not in wanted and row.archived_at is None:
            row.archived_at = now
    uow.session.flush()

    councillors = _councillors_by_external_id(uow, scheme)
    desired: dict[tuple[int, int], SeatRecord] = {}
    unknown: dict[str, list[SeatRecord]] = defaultdict(list)
    for seat in seats:
        if seat.committee_id not in wanted:
            warnings.append(
                f"{seat.where}: seat of councillor {seat.councillor_id} on committee "
                f"{seat.committee_id}, which the committee list does not have; skipped"
            )
            continue
        committee = stored[seat.committee_id]
        councillor_id = councillors.get(seat.councillor_id)
        if councillor_id is None:
            unknown[seat.councillor_id].append(seat)
            continue
        key = (committee.id, councillor_id)
        first = desired.get(key)
        if first is not None and first.role != seat.role:
            warnings.append(
                f"{seat.where}: councillor {seat.councillor_id} is {seat.role!r} on "
                f"{committee.title} here but {first.role!r} at {first.where}; kept "
                f"{first.role!r}"
            )
        desired.setdefault(key, seat)
    for external_id, listed in unknown.items():
        name = next((s.name for s in listed if s.name), None)
        who = f"councillor {external_id}" + (f" '{name}'" if name else "")
        titles = ", ".join(sorted({stored[s.committee_id].title for s in listed}))
        warnings.append(
            f"{who} is not known here (import moderngov-councillors first); "
            f"their seat(s) on {titles} skipped"
        )

    external_of = {v: k for k, v in councillors.items()}
    for committee in stored.values():
        for member in list(committee.members):
            key = (committee.id, member.councillor_id)
            kept = desired.pop(key, None)
            if kept is not None:
                _set(member, "role", kept.role)
            elif scope.covers(committee.external_id, external_of.get(member.councillor_id)):
                committee.members.remove(member)
    for (committee_id, councillor_id), new in desired.items():
        uow.session.add(
            CommitteeMembershipRow(
                committee_id=committee_id, councillor_id=councillor_id, role=new.role
            )
        )
    return attrs.evolve(uow.collect(), warnings=tuple(warnings))


def _set(row: object, name: str, value: object) -> None:
    if getattr(row, name) != value:
        setattr(row, name, value)


def _councillors_by_external_id(uow: UnitOfWork, scheme: str) -> dict[str, int]:
    rows = uow.session.execute(
        select(CouncillorExternalIdRow.value, CouncillorExternalIdRow.councillor_id)
        .join(CouncillorRow, CouncillorRow.id == CouncillorExternalIdRow.councillor_id)
        .where(CouncillorExternalIdRow.scheme == scheme)
    )
    return {value: councillor_id for value, councillor_id in rows}


@attrs.frozen
class CommitteeIndex:
    """The stored committees of one source and the committees roles name, read once, for
    matching many meetings (:meth:`match`)."""

    by_id: dict[str, str]
    by_key: dict[str, str]
    membership: Membership

    @classmethod
    def load(cls, uow: UnitOfWork, source: str) -> CommitteeIndex:
        rows = uow.session.execute(
            select(CommitteeRow.external_id, CommitteeRow.title)
            .where(CommitteeRow.source == source)
            .order_by(CommitteeRow.archived_at.is_not(None), CommitteeRow.id)
        ).all()
        by_key: dict[str, str] = {}
        for _, title in rows:
            by_key.setdefault(committee_key(title), title)
        return cls(
            by_id={external_id: title for external_id, title in rows},
            by_key=by_key,
            membership=load_membership(uow),
        )

    def match(self, title: str, external_id: str | None = None) -> str | None:
        """The committee title a meeting should carry: the stored committee with this id,
        else the one with this title (ignoring case and spacing), else ``title`` itself when
        roles name it or it is full Council; ``None`` when nothing here knows the committee."""
        if external_id is not None and external_id in self.by_id:
            return self.by_id[external_id]
        key = committee_key(title)
        if key in self.by_key:
            return self.by_key[key]
        if key in FULL_COUNCIL or key in self.membership.committees:
            return title
        return None
