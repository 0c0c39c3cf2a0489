"""Questions about people and wards that the CLI, the admin and plugins all ask.

Every function takes a :class:`~kdc_core.unit_of_work.UnitOfWork` and returns frozen values.
Wards may be given as a :class:`~kdc_core.people.values.Ward` or by name or slug; services
as a :class:`~kdc_core.people.values.Service` or by name or slug; officers by database id
(``int``) or directory person id (``str``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kdc_core.errors import NotFound
from kdc_core.people.values import (
    ContactAnswer,
    ContactReason,
    Councillor,
    Officer,
    Service,
    TeamMember,
    TeamTree,
    Ward,
    WardOverview,
    WardSource,
    WardSummary,
)

if TYPE_CHECKING:
    from kdc_core.unit_of_work import UnitOfWork

WardRef = Ward | str
ServiceRef = Service | str
OfficerRef = int | str

#: Where officers with no service are listed in a ward summary.
NO_SERVICE = Service(id=None, name="No service", slug="no-service", directorate=None)


def _id(value: Ward | Service | Officer) -> int:
    if value.id is None:
        raise NotFound(f"{type(value).__name__.lower()} {value.name!r} is not saved yet")
    return value.id


def _ward(uow: UnitOfWork, ward: WardRef) -> Ward:
    if isinstance(ward, Ward) and ward.id is not None:
        return ward
    return uow.people.ward(ward.name if isinstance(ward, Ward) else ward)


def _service(uow: UnitOfWork, service: ServiceRef) -> Service:
    if isinstance(service, Service) and service.id is not None:
        return service
    return uow.people.service(service.name if isinstance(service, Service) else service)


def _officer(uow: UnitOfWork, officer: OfficerRef) -> Officer:
    if isinstance(officer, str):
        return uow.people.officer_by_person_id(officer)
    return uow.people.officer(officer)


def ward_summary(uow: UnitOfWork, ward_name_or_slug: WardRef) -> WardSummary:
    """The ward's councillors, its officers by service, named contacts and link officer.

    :raises NotFound: no such ward (the message lists the wards there are).
    """
    ward = _ward(uow, ward_name_or_slug)
    by_service: dict[str, tuple[Service, list[Officer]]] = {}
    for officer in uow.people.officers_in_ward(_id(ward)):
        service = officer.service or NO_SERVICE
        by_service.setdefault(service.name, (service, []))[1].append(officer)
    return WardSummary(
        ward=ward,
        councillors=councillors_of_ward(uow, ward),
        officers_by_service=tuple(
            (service, tuple(officers))
            for _, (service, officers) in sorted(
                by_service.items(), key=lambda item: (item[0] == NO_SERVICE.name, item[0])
            )
        ),
        contacts=tuple(uow.people.ward_contacts(_id(ward))),
        link_officer=uow.people.link_officer(_id(ward)),
    )


def ward_overviews(uow: UnitOfWork) -> tuple[WardOverview, ...]:
    """Every ward with counts of councillors, officers and contacts, and its link officer."""
    return tuple(uow.people.ward_overviews())


def councillors_of_ward(uow: UnitOfWork, ward: WardRef) -> tuple[Councillor, ...]:
    """The ward's serving (not archived) councillors, by name."""
    return tuple(uow.people.councillors(ward_id=_ward(uow, ward).id))


def wards_of_officer(uow: UnitOfWork, officer_id: OfficerRef) -> tuple[Ward, ...]:
    """The wards an officer works in, from any source, each once, by name."""
    officer = _officer(uow, officer_id)
    wards = {link.ward.name: link.ward for link in officer.wards}
    return tuple(wards[name] for name in sorted(wards))


def officers_in_ward(
    uow: UnitOfWork, ward: WardRef, service: ServiceRef | None = None
) -> tuple[Officer, ...]:
    """Active officers who work in the ward, by service then name; only ``service``'s if given."""
    officers = uow.people.officers_in_ward(_id(_ward(uow, ward)))
    if service is None:
        return tuple(officers)
    wanted = _service(uow, service)
    return tuple(o for o in officers if o.service is not None and o.service.id == wanted.id)


def manager_chain(uow: UnitOfWork, officer_id: OfficerRef) -> list[Officer]:
    """The officer's manager, their manager and so on up, nearest first.

    Stops at the top, at a manager who no longer exists, or where the chain would loop back
    on itself (bad data), so it always ends.
    """
    officer = _officer(uow, officer_id)
    managers = uow.people.manager_ids()
    chain: list[int] = []
    seen = {officer.id}
    current = officer.manager_id
    while current is not None and current in managers and current not in seen:
        chain.append(current)
        seen.add(current)
        current = managers[current]
    found = {o.id: o for o in uow.people.officers(ids=chain, include_archived=True)}
    return [found[i] for i in chain if i in found]


def team_tree(uow: UnitOfWork, officer_id: OfficerRef) -> TeamTree:
    """The officer and everyone who reports to them, directly or not, as a tree.

    Archived officers are left out below the top. Each officer appears once, however the
    manager links loop, so a cycle in the data cannot make the tree endless.
    """
    root = _officer(uow, officer_id)
    root_id = _id(root)
    reports: dict[int, list[int]] = {}
    for oid, manager in uow.people.manager_ids().items():
        if manager is not None:
            reports.setdefault(manager, []).append(oid)
    order: list[int] = []
    seen = {root_id}
    frontier = [root_id]
    while frontier:
        nxt = []
        for oid in frontier:
            for child in reports.get(oid, ()):
                if child not in seen:
                    seen.add(child)
                    order.append(child)
                    nxt.append(child)
        frontier = nxt
    officers = {o.id: o for o in uow.people.officers(ids=order)}
    officers[root_id] = root

    def ordered(ids: list[int]) -> list[Officer]:
        found = [officers[i] for i in ids if i in officers]
        return sorted(found, key=lambda o: (o.family_name, o.given_name, o.id or 0))

    # Depth first without recursion: a stack of (depth, officer, their manager), reports pushed
    # in reverse so they come off in name order.
    members: list[TeamMember] = []
    placed = {root_id}
    stack = [(1, o, root) for o in reversed(ordered(reports.get(root_id, [])))]
    while stack:
        depth, officer, boss = stack.pop()
        if _id(officer) in placed:
            continue
        placed.add(_id(officer))
        members.append(TeamMember(depth, officer, boss))
        below = [o for o in ordered(reports.get(_id(officer), [])) if _id(o) not in placed]
        stack.extend((depth + 1, o, officer) for o in reversed(below))
    return TeamTree(root, tuple(members))


def manager_loop(uow: UnitOfWork, officer_id: OfficerRef) -> list[Officer]:
    """The loop the officer's line of managers runs into, if any (else empty): the people
    in it, in the order the links run. :func:`manager_chain` stops where this starts."""
    officer = _officer(uow, officer_id)
    managers = uow.people.manager_ids()
    seen: list[int] = []
    current: int | None = _id(officer)
    while current is not None and current in managers and current not in seen:
        seen.append(current)
        current = managers[current]
    if current is None or current not in seen:
        return []
    loop = seen[seen.index(current) :]
    found = {o.id: o for o in uow.people.officers(ids=loop, include_archived=True)}
    return [found[i] for i in loop if i in found]


def contact_for(uow: UnitOfWork, ward: WardRef, service: ServiceRef) -> ContactAnswer:
    """Who a councillor should contact about ``service`` in ``ward``.

    In order: the named ward contact for the service; else an officer of the service who
    works in the ward (directory links first, then by name); else the ward link officer;
    else nobody, with the reason. Archived officers are never offered.
    """
    the_ward, the_service = _ward(uow, ward), _service(uow, service)
    where = f"{the_service.name} in {the_ward.name}"
    for contact in uow.people.ward_contacts(_id(the_ward)):
        if contact.service.id == the_service.id and contact.officer.active:
            return ContactAnswer(
                the_ward,
                the_service,
                contact.officer,
                ContactReason.WARD_CONTACT,
                f"{contact.officer.name} is the named contact for {where}.",
            )
    workers = officers_in_ward(uow, the_ward, the_service)
    if workers:
        officer = min(workers, key=_directory_first(the_ward))
        return ContactAnswer(
            the_ward,
            the_service,
            officer,
            ContactReason.WORKS_IN_WARD,
            f"No named contact for {where}; {officer.name} works in the ward for "
            f"{the_service.name}.",
        )
    link = uow.people.link_officer(_id(the_ward))
    if link is not None and link.active:
        return ContactAnswer(
            the_ward,
            the_service,
            link,
            ContactReason.LINK_OFFICER,
            f"No one from {the_service.name} works in {the_ward.name}; {link.name} is the "
            "ward link officer.",
        )
    return ContactAnswer(
        the_ward,
        the_service,
        None,
        ContactReason.NONE,
        f"No named contact, no {the_service.name} officer and no link officer for {the_ward.name}.",
    )


def _directory_first(ward: Ward) -> Callable[[Officer], tuple[bool, str, str, int]]:
    """Sort key: officers linked to the ward by the directory before local links, then name."""

    def key(officer: Officer) -> tuple[bool, str, str, int]:
        sources = {link.source for link in officer.wards if link.ward.id == ward.id}
        local_only = WardSource.DIRECTORY not in sources
        return local_only, officer.family_name, officer.given_name, officer.id or 0

    return key
