"""Frozen values for people and places: what crosses every boundary (hooks, CLI, admin).

Rows never leave the repositories; these do.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator

import attrs

from kdc_core.slug import slugify as slugify  # given here too, as it always was

#: A key post that names its holder a group's leader, not its deputy.
LEADS_A_GROUP = re.compile(
    r"^(?!.*\bdeputy\b).*(\bgroup leader\b|\bleader of the\b.*\bgroup\b)", re.IGNORECASE
)


class RoleKind(enum.StrEnum):
    """What a councillor's role is; committee memberships name the committee."""

    CABINET_PORTFOLIO = "cabinet_portfolio"
    SCRUTINY = "scrutiny"
    GROUP_LEADER = "group_leader"
    GROUP_BUSINESS_MANAGER = "group_business_manager"
    COMMITTEE = "committee"
    OTHER = "other"


class WardSource(enum.StrEnum):
    """Where an officer's ward link came from: the staff directory or edited here."""

    DIRECTORY = "directory"
    LOCAL = "local"


@attrs.frozen
class Ward:
    id: int | None
    name: str
    slug: str
    ons_code: str | None = None


@attrs.frozen
class PoliticalGroup:
    id: int | None
    name: str
    short_name: str | None = None


@attrs.frozen
class TermOfOffice:
    start: dt.date
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@attrs.frozen
class Role:
    """A role a councillor holds or held; ``start``/``end`` are known for roles an import
    keeps (from the day it first saw the role to the day it stopped seeing it)."""

    kind: RoleKind
    title: str
    committee: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@attrs.frozen
class GroupMembership:
    """A councillor's membership of a political group; ``start`` is ``None`` for the
    membership held before the first change on record, ``end`` for the current one."""

    group: PoliticalGroup
    start: dt.date | None = None
    end: dt.date | None = None


@attrs.frozen
class Councillor:
    id: int | None
    name: str
    ward: Ward | None
    group: PoliticalGroup | None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    photo_url: str | None = None
    bio: str | None = None
    key_posts: tuple[str, ...] = ()
    terms: tuple[TermOfOffice, ...] = ()
    roles: tuple[Role, ...] = ()
    external_ids: tuple[tuple[str, str], ...] = ()
    archived_at: dt.datetime | None = None
    #: When and where residents can meet them (Markdown, rendered like ``bio``).
    surgery: str | None = None
    #: When the councillor's record last changed here (None for a value not read from the
    #: database).
    updated_at: dt.datetime | None = None
    #: Postal address for correspondence, one line per line.
    address: str | None = None
    #: Roles held once and given up (``roles`` holds the current ones), oldest first.
    past_roles: tuple[Role, ...] = ()
    #: Political groups over time, oldest first (empty until the group first changes).
    group_history: tuple[GroupMembership, ...] = ()

    @property
    def active(self) -> bool:
        return self.archived_at is None

    def external_id(self, scheme: str) -> str | None:
        return next((value for s, value in self.external_ids if s == scheme), None)


@attrs.frozen
class Directorate:
    id: int | None
    name: str
    slug: str


@attrs.frozen
class Service:
    id: int | None
    name: str
    slug: str
    directorate: Directorate | None
    ward_facing: bool = False


@attrs.frozen
class OfficerWard:
    ward: Ward
    source: WardSource


@attrs.frozen
class Officer:
    id: int | None
    person_id: str
    given_name: str
    family_name: str
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    service: Service | None = None
    manager_id: int | None = None
    team: str | None = None
    location: str | None = None
    wards: tuple[OfficerWard, ...] = ()
    updated_at: dt.datetime | None = None
    archived_at: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None
    #: A pen portrait (Markdown): kept in kdc, never overwritten by the staff directory.
    bio: str | None = None

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def checked_at(self) -> dt.datetime | None:
        """When the details were last known right: the later of the directory's last change
        (``updated_at``) and the officer's own confirmation (``confirmed_at``)."""
        moments = [m for m in (self.updated_at, self.confirmed_at) if m is not None]
        return max(moments) if moments else None

    @property
    def active(self) -> bool:
        return self.archived_at is None


@attrs.frozen
class WardContact:
    """The named officer for one service in one ward."""

    ward: Ward
    service: Service
    officer: Officer


@attrs.frozen
class WardSummary:
    """Everything a councillor wants on one page about a ward."""

    ward: Ward
    councillors: tuple[Councillor, ...]
    officers_by_service: tuple[tuple[Service, tuple[Officer, ...]], ...]
    contacts: tuple[WardContact, ...]
    link_officer: Officer | None


@attrs.frozen
class CouncillorRecord:
    """One councillor as an outside source (ModernGov, a spreadsheet …) describes them.

    ``external_id`` is the source's stable key under ``scheme``; the roster service
    upserts by it.
    """

    scheme: str
    external_id: str
    name: str
    ward_name: str
    group_name: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    photo_url: str | None = None
    key_posts: tuple[str, ...] = ()
    terms: tuple[TermOfOffice, ...] = ()
    where: str | None = None
    #: When and where to meet them (Markdown); ``None``: the source says nothing.
    surgery: str | None = None
    #: Postal address for correspondence, one line per line.
    address: str | None = None


class ContactReason(enum.StrEnum):
    """Why :func:`kdc_core.people.queries.contact_for` chose the officer it did."""

    WARD_CONTACT = "ward_contact"  # the named contact for the service in the ward
    WORKS_IN_WARD = "works_in_ward"  # no named contact; an officer of the service in the ward
    LINK_OFFICER = "link_officer"  # no one from the service; the ward link officer
    NONE = "none"  # no one at all


@attrs.frozen
class ContactAnswer:
    """Who to contact about a service in a ward, and why them."""

    ward: Ward
    service: Service
    officer: Officer | None
    reason: ContactReason
    explanation: str


@attrs.frozen
class TeamMember:
    """One person below the top of a :class:`TeamTree`: how far down, and their manager."""

    depth: int
    officer: Officer
    manager: Officer


@attrs.frozen
class TeamTree:
    """An officer and everyone who reports to them, directly or not.

    Held flat, depth first (a manager before their reports), so that no walk over it
    recurses: a directory with a chain thousands deep works like any other.

    :ivar members: everyone below ``officer``; depth 1 are the direct reports.
    """

    officer: Officer
    members: tuple[TeamMember, ...] = ()

    @property
    def size(self) -> int:
        """Everyone below this officer, at any depth."""
        return len(self.members)

    @property
    def reports(self) -> tuple[TeamTree, ...]:
        """The direct reports, each as the tree below them."""
        out: list[TeamTree] = []
        start = None
        for i, member in enumerate(self.members):
            if member.depth == 1:
                if start is not None:
                    out.append(self._subtree(start, i))
                start = i
        if start is not None:
            out.append(self._subtree(start, len(self.members)))
        return tuple(out)

    def _subtree(self, start: int, end: int) -> TeamTree:
        top = self.members[start]
        below = tuple(
            TeamMember(m.depth - 1, m.officer, m.manager) for m in self.members[start + 1 : end]
        )
        return TeamTree(top.officer, below)

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Officer]]:
        """``(depth, officer)`` depth first, this officer first at ``depth``."""
        yield depth, self.officer
        for member in self.members:
            yield depth + member.depth, member.officer


@attrs.frozen
class WardOverview:
    """One line of ``kdc wards``: a ward and how well it is covered."""

    ward: Ward
    councillors: int
    officers: int
    contacts: int
    link_officer: str | None
