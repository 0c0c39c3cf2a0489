"""Rows ⇄ values for wards, groups, councillors, the organisation and officers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kdc_core.db.people import (
    CouncillorRoleRow,
    CouncillorRow,
    DirectorateRow,
    GroupMembershipRow,
    OfficerRow,
    OfficerWardRow,
    PoliticalGroupRow,
    ServiceRow,
    WardContactRow,
    WardRow,
)
from kdc_core.errors import NotFound
from kdc_core.people.values import (
    LEADS_A_GROUP,
    Councillor,
    Directorate,
    GroupMembership,
    Officer,
    OfficerWard,
    PoliticalGroup,
    Role,
    RoleKind,
    Service,
    TermOfOffice,
    Ward,
    WardContact,
    WardOverview,
    WardSource,
)

# -- rows → values -----------------------------------------------------------------------------


def ward_value(row: WardRow) -> Ward:
    return Ward(id=row.id, name=row.name, slug=row.slug, ons_code=row.ons_code)


def group_value(row: PoliticalGroupRow) -> PoliticalGroup:
    return PoliticalGroup(id=row.id, name=row.name, short_name=row.short_name)


def split_lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def councillor_value(row: CouncillorRow) -> Councillor:
    return Councillor(
        id=row.id,
        name=row.name,
        ward=ward_value(row.ward) if row.ward else None,
        group=group_value(row.group) if row.group else None,
        email=row.email,
        phone=row.phone,
        mobile=row.mobile,
        photo_url=row.photo_url,
        bio=row.bio,
        key_posts=split_lines(row.key_posts),
        terms=tuple(TermOfOffice(start=t.start, end=t.end) for t in row.terms),
        roles=tuple(_role_value(r) for r in row.roles if r.end is None),
        external_ids=tuple(sorted((x.scheme, x.value) for x in row.external_ids)),
        archived_at=row.archived_at,
        surgery=row.surgery,
        updated_at=row.modified_at,
        address=row.address,
        past_roles=tuple(
            _role_value(r)
            for r in sorted(row.roles, key=lambda r: (r.end or dt.date.max, r.id))
            if r.end is not None
        ),
        group_history=tuple(
            GroupMembership(group_value(m.group), m.start, m.end) for m in row.group_history
        ),
    )


def _role_value(row: CouncillorRoleRow) -> Role:
    return Role(RoleKind(row.kind), row.title, row.committee, row.start, row.end)


def directorate_value(row: DirectorateRow) -> Directorate:
    return Directorate(id=row.id, name=row.name, slug=row.slug)


def service_value(row: ServiceRow) -> Service:
    return Service(
        id=row.id,
        name=row.name,
        slug=row.slug,
        directorate=directorate_value(row.directorate) if row.directorate else None,
        ward_facing=row.ward_facing,
    )


def officer_value(row: OfficerRow) -> Officer:
    return Officer(
        id=row.id,
        person_id=row.person_id,
        given_name=row.given_name,
        family_name=row.family_name,
        email=row.email,
        phone=row.phone,
        job_title=row.job_title,
        service=service_value(row.service) if row.service else None,
        manager_id=row.manager_id,
        team=row.team,
        location=row.location,
        wards=tuple(
            sorted(
                (OfficerWard(ward_value(w.ward), WardSource(w.source)) for w in row.wards),
                key=lambda ow: (ow.ward.name, ow.source.value),
            )
        ),
        updated_at=row.updated_at,
        archived_at=row.archived_at,
        confirmed_at=row.confirmed_at,
        bio=row.bio,
    )


_COUNCILLOR_LOAD = (
    selectinload(CouncillorRow.ward),
    selectinload(CouncillorRow.group),
    selectinload(CouncillorRow.terms),
    selectinload(CouncillorRow.roles),
    selectinload(CouncillorRow.external_ids),
    selectinload(CouncillorRow.group_history).selectinload(GroupMembershipRow.group),
)
_OFFICER_LOAD = (
    selectinload(OfficerRow.service).selectinload(ServiceRow.directorate),
    selectinload(OfficerRow.wards).selectinload(OfficerWardRow.ward),
)


class PeopleRepository:
    """Reads and writes people rows inside one session; hands out values."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- wards ---------------------------------------------------------------------------------

    def ward_row(self, name_or_slug: str) -> WardRow:
        """Find a ward by name (any case), slug or id.

        :raises NotFound: naming the closest wards (see :mod:`kdc_core.people.lookup`).
        """
        from kdc_core.people.lookup import resolve_ward

        return resolve_ward(self.session, name_or_slug)

    def ward(self, name_or_slug: str) -> Ward:
        return ward_value(self.ward_row(name_or_slug))

    def wards(self) -> list[Ward]:
        return [ward_value(r) for r in self.session.scalars(select(WardRow).order_by(WardRow.name))]

    def groups(self) -> list[PoliticalGroup]:
        rows = self.session.scalars(select(PoliticalGroupRow).order_by(PoliticalGroupRow.name))
        return [group_value(r) for r in rows]

    # -- councillors ---------------------------------------------------------------------------

    def councillors(
        self,
        *,
        ward_id: int | None = None,
        include_archived: bool = False,
        ids: Iterable[int] | None = None,
    ) -> list[Councillor]:
        stmt = select(CouncillorRow).options(*_COUNCILLOR_LOAD).order_by(CouncillorRow.name)
        if ids is not None:
            stmt = stmt.where(CouncillorRow.id.in_(list(ids)))
        if ward_id is not None:
            stmt = stmt.where(CouncillorRow.ward_id == ward_id)
        if not include_archived:
            stmt = stmt.where(CouncillorRow.archived_at.is_(None))
        return [councillor_value(r) for r in self.session.scalars(stmt)]

    def councillor(self, councillor_id: int) -> Councillor:
        row = self.session.get(CouncillorRow, councillor_id, options=_COUNCILLOR_LOAD)
        if row is None:
            raise NotFound(f"no councillor with id {councillor_id}")
        return councillor_value(row)

    def find_councillor(self, name: str) -> Councillor:
        """A councillor by name (with or without the ``Councillor``/``Cllr`` prefix) or id.

        :raises NotFound: with the closest names, or the ids sharing the name.
        """
        from kdc_core.people.lookup import resolve_councillor

        return councillor_value(resolve_councillor(self.session, name))

    def group_leaders(self) -> dict[int, list[int]]:
        """Ids of each political group's active leaders, by group id (groups with none left out).

        A leader is a member of the group with a ``group_leader`` role or, where a group has
        no such role on record (a ModernGov import brings key posts, not roles), with a key
        post that names them its leader ("Group Leader", "Leader of the Green Group" …; a
        deputy's post does not count).
        """
        rows = self.session.scalars(
            select(CouncillorRow)
            .options(selectinload(CouncillorRow.roles))
            .where(CouncillorRow.group_id.is_not(None), CouncillorRow.archived_at.is_(None))
            .order_by(CouncillorRow.name, CouncillorRow.id)
        )
        by_role: dict[int, list[int]] = {}
        by_post: dict[int, list[int]] = {}
        for row in rows:
            assert row.group_id is not None  # selected so
            if any(r.kind == RoleKind.GROUP_LEADER for r in row.roles):
                by_role.setdefault(row.group_id, []).append(row.id)
            if any(LEADS_A_GROUP.search(post) for post in split_lines(row.key_posts)):
                by_post.setdefault(row.group_id, []).append(row.id)
        return {**by_post, **by_role}

    # -- organisation --------------------------------------------------------------------------

    def directorates(self) -> list[Directorate]:
        rows = self.session.scalars(select(DirectorateRow).order_by(DirectorateRow.name))
        return [directorate_value(r) for r in rows]

    def services(self) -> list[Service]:
        rows = self.session.scalars(
            select(ServiceRow)
            .options(selectinload(ServiceRow.directorate))
            .order_by(ServiceRow.name)
        )
        return [service_value(r) for r in rows]

    def service_row(self, name_or_slug: str) -> ServiceRow:
        """A service by name (any case), slug or id.

        :raises NotFound: naming the closest services.
        """
        from kdc_core.people.lookup import resolve_service

        return resolve_service(self.session, name_or_slug)

    # -- officers ------------------------------------------------------------------------------

    def officers(
        self,
        *,
        ids: Iterable[int] | None = None,
        service_id: int | None = None,
        include_archived: bool = False,
    ) -> list[Officer]:
        stmt = (
            select(OfficerRow)
            .options(*_OFFICER_LOAD)
            .order_by(OfficerRow.family_name, OfficerRow.given_name, OfficerRow.id)
        )
        if ids is not None:
            stmt = stmt.where(OfficerRow.id.in_(list(ids)))
        if service_id is not None:
            stmt = stmt.where(OfficerRow.service_id == service_id)
        if not include_archived:
            stmt = stmt.where(OfficerRow.archived_at.is_(None))
        return [officer_value(r) for r in self.session.scalars(stmt)]

    def officer(self, officer_id: int) -> Officer:
        row = self.session.get(OfficerRow, officer_id, options=_OFFICER_LOAD)
        if row is None:
            raise NotFound(f"no officer with id {officer_id}")
        return officer_value(row)

    def officer_by_person_id(self, person_id: str) -> Officer:
        row = self.session.scalar(
            select(OfficerRow).options(*_OFFICER_LOAD).where(OfficerRow.person_id == person_id)
        )
        if row is None:
            raise NotFound(f"no officer with directory id {person_id!r}")
        return officer_value(row)

    def officers_in_ward(self, ward_id: int) -> list[Officer]:
        """Active officers who work in the ward (from any source), ordered by service then name."""
        ids = select(OfficerWardRow.officer_id).where(OfficerWardRow.ward_id == ward_id)
        officers = self.officers(ids=self.session.scalars(ids).all())
        return sorted(officers, key=lambda o: (o.service.name if o.service else "", o.family_name))

    def manager_ids(self) -> dict[int, int | None]:
        """``{officer id: manager id}`` for every officer, for walking chains and trees."""
        rows = self.session.execute(select(OfficerRow.id, OfficerRow.manager_id))
        return {oid: mid for oid, mid in rows}

    # -- ward contacts -------------------------------------------------------------------------

    def ward_contacts(self, ward_id: int | None = None) -> list[WardContact]:
        stmt = select(WardContactRow).options(
            selectinload(WardContactRow.ward),
            selectinload(WardContactRow.service).selectinload(ServiceRow.directorate),
            selectinload(WardContactRow.officer).options(*_OFFICER_LOAD),
        )
        if ward_id is not None:
            stmt = stmt.where(WardContactRow.ward_id == ward_id)
        rows: Sequence[WardContactRow] = self.session.scalars(stmt).all()
        contacts = [
            WardContact(ward_value(r.ward), service_value(r.service), officer_value(r.officer))
            for r in rows
        ]
        return sorted(contacts, key=lambda c: (c.ward.name, c.service.name))

    def link_officer(self, ward_id: int) -> Officer | None:
        row = self.session.get(WardRow, ward_id)
        if row is None or row.link_officer_id is None:
            return None
        return self.officer(row.link_officer_id)

    # -- summaries -----------------------------------------------------------------------------

    def service(self, name_or_slug: str) -> Service:
        """A service by name (any case) or slug.

        :raises NotFound: when there is none.
        """
        return service_value(self.service_row(name_or_slug))

    def ward_overviews(self) -> list[WardOverview]:
        """Every ward with its active councillors, active officers, named contacts and link
        officer, in four queries whatever the number of wards."""
        councillors = dict(
            self.session.execute(
                select(CouncillorRow.ward_id, func.count())
                .where(CouncillorRow.archived_at.is_(None))
                .group_by(CouncillorRow.ward_id)
            ).all()
        )
        officers = dict(
            self.session.execute(
                select(OfficerWardRow.ward_id, func.count(func.distinct(OfficerWardRow.officer_id)))
                .join(OfficerRow, OfficerRow.id == OfficerWardRow.officer_id)
                .where(OfficerRow.archived_at.is_(None))
                .group_by(OfficerWardRow.ward_id)
            ).all()
        )
        contacts = dict(
            self.session.execute(
                select(WardContactRow.ward_id, func.count()).group_by(WardContactRow.ward_id)
            ).all()
        )
        rows = self.session.scalars(
            select(WardRow).options(selectinload(WardRow.link_officer)).order_by(WardRow.name)
        )
        return [
            WardOverview(
                ward=ward_value(row),
                councillors=councillors.get(row.id, 0),
                officers=officers.get(row.id, 0),
                contacts=contacts.get(row.id, 0),
                link_officer=row.link_officer.name if row.link_officer else None,
            )
            for row in rows
        ]
