"""Rows ⇄ values for enquiries, reference numbers, category settings and the audit trail.

Only this module and :mod:`kdc_core.enquiries.service` touch enquiry rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kdc_core.db.enquiries import (
    EnquiryAuditRow,
    EnquiryCategoryRow,
    EnquiryCounterRow,
    EnquiryNoteRow,
    EnquiryPersonRow,
    EnquiryRow,
)
from kdc_core.db.people import CouncillorRow, OfficerRow, ServiceRow, WardRow
from kdc_core.enquiries.values import (
    AuditEntry,
    CategorySettings,
    Constituent,
    Enquiry,
    Note,
    Status,
)
from kdc_core.errors import NotFound

PREFIX = "KE"


def format_reference(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


def next_number(session: Session, year: int) -> int:
    """Take the next number for ``year`` from its counter row.

    The ``UPDATE … RETURNING`` locks the counter row until the calling transaction ends, so
    concurrent creators queue behind each other on PostgreSQL, and a rolled-back enquiry gives
    its number back: references stay unique and gap-free. SQLite serialises writers anyway.
    """
    table = cast(Table, EnquiryCounterRow.__table__)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(table).values(year=year, last=0).on_conflict_do_nothing(index_elements=["year"])
    )
    taken = session.execute(
        update(table)
        .where(table.c.year == year)
        .values(last=table.c.last + 1)
        .returning(table.c.last)
    ).scalar_one()
    return int(taken)


def category_row(session: Session, name: str) -> EnquiryCategoryRow | None:
    """The category called ``name`` (any case), if there is one."""
    return session.scalar(
        select(EnquiryCategoryRow).where(func.lower(EnquiryCategoryRow.name) == name.lower())
    )


def category_value(row: EnquiryCategoryRow) -> CategorySettings:
    return CategorySettings(
        row.name,
        row.acknowledge_days,
        row.respond_days,
        row.retention_days,
        row.follow_up_days,
        row.service.name if row.service is not None else None,
        row.active,
    )


def category_settings(session: Session, name: str) -> CategorySettings:
    """The settings of an existing enquiry's category; the defaults when the category has no
    row (an enquiry older than categories as data). New enquiries are checked with
    :func:`kdc_core.enquiries.categories.for_new_enquiry` instead."""
    row = category_row(session, name)
    return CategorySettings(name=name) if row is None else category_value(row)


def save_category(session: Session, settings: CategorySettings) -> EnquiryCategoryRow:
    """Write ``settings`` to the category's row (made if missing); the default service is
    looked up by name, so it must exist."""
    row = category_row(session, settings.name)
    if row is None:
        row = EnquiryCategoryRow(name=settings.name)
        session.add(row)
    row.acknowledge_days = settings.acknowledge_days
    row.respond_days = settings.respond_days
    row.retention_days = settings.retention_days
    row.follow_up_days = settings.follow_up_days
    row.active = settings.active
    service = None
    if settings.service is not None:
        from kdc_core.people.lookup import resolve_service

        service = resolve_service(session, settings.service)
    row.service = service
    row.service_id = service.id if service is not None else None
    return row


def enquiry_row(session: Session, reference: str) -> EnquiryRow:
    row = session.scalar(select(EnquiryRow).where(EnquiryRow.reference == reference.strip()))
    if row is None:
        raise NotFound(f"no enquiry with reference {reference!r}")
    return row


def officer_name(row: OfficerRow | None) -> str | None:
    return None if row is None else f"{row.given_name} {row.family_name}"


def audit(
    session: Session,
    row: EnquiryRow,
    actor: str,
    action: str,
    field: str | None = None,
    old: object = None,
    new: object = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one entry to the enquiry's audit trail."""
    session.add(
        EnquiryAuditRow(
            enquiry_id=row.id,
            at=at or dt.datetime.now(dt.UTC),
            actor=actor,
            action=action,
            field=field,
            old=None if old is None else str(old),
            new=None if new is None else str(new),
        )
    )


def _names(session: Session, model: type, ids: Iterable[int]) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    if model is OfficerRow:
        return {
            r.id: f"{r.given_name} {r.family_name}"
            for r in session.scalars(select(OfficerRow).where(OfficerRow.id.in_(ids)))
        }
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())  # type: ignore[attr-defined]


def to_values(session: Session, rows: list[EnquiryRow], detail: bool = False) -> list[Enquiry]:
    """Values for ``rows``, with names looked up in a handful of queries."""
    people: dict[int, list[EnquiryPersonRow]] = {r.id: [] for r in rows}
    if rows:
        for p in session.scalars(
            select(EnquiryPersonRow)
            .where(EnquiryPersonRow.enquiry_id.in_(people))
            .order_by(EnquiryPersonRow.id)
        ):
            people[p.enquiry_id].append(p)
    councillors = _names(
        session,
        CouncillorRow,
        (p.person_id for ps in people.values() for p in ps if p.kind != "joint_officer"),
    )
    officers = _names(
        session,
        OfficerRow,
        [p.person_id for ps in people.values() for p in ps if p.kind == "joint_officer"]
        + [r.officer_id for r in rows if r.officer_id is not None],
    )
    wards = _names(session, WardRow, (r.ward_id for r in rows if r.ward_id is not None))
    services = _names(session, ServiceRow, (r.service_id for r in rows if r.service_id))
    out = []
    for r in rows:
        ps = people[r.id]
        notes: tuple[Note, ...] = ()
        trail: tuple[AuditEntry, ...] = ()
        if detail:
            notes = tuple(
                Note(n.author, n.body, n.created_at)
                for n in session.scalars(
                    select(EnquiryNoteRow)
                    .where(EnquiryNoteRow.enquiry_id == r.id)
                    .order_by(EnquiryNoteRow.id)
                )
            )
            trail = tuple(
                AuditEntry(a.at, a.actor, a.action, a.field, a.old, a.new)
                for a in session.scalars(
                    select(EnquiryAuditRow)
                    .where(EnquiryAuditRow.enquiry_id == r.id)
                    .order_by(EnquiryAuditRow.id)
                )
            )
        out.append(
            Enquiry(
                reference=r.reference,
                status=Status(r.status),
                councillors=tuple(councillors[p.person_id] for p in ps if p.kind == "councillor")
                + tuple(councillors[p.person_id] for p in ps if p.kind == "joint_councillor"),
                ward=wards.get(r.ward_id) if r.ward_id is not None else None,
                category=r.category,
                service=services.get(r.service_id) if r.service_id is not None else None,
                description=r.description,
                received_at=r.received_at,
                acknowledge_by=r.acknowledge_by,
                respond_by=r.respond_by,
                officer=officers.get(r.officer_id) if r.officer_id is not None else None,
                routed_by=r.routed_by,
                constituent=Constituent(
                    r.constituent_name,
                    r.constituent_email,
                    r.constituent_phone,
                    r.constituent_address,
                ),
                advocacy=r.advocacy,
                joint_officers=tuple(
                    officers[p.person_id] for p in ps if p.kind == "joint_officer"
                ),
                extension_stage=r.extension_stage,
                extension_reason=r.extension_reason,
                legacy_reference=r.legacy_reference,
                info_public=r.info_public,
                info_not_barred=r.info_not_barred,
                info_not_confidential=r.info_not_confidential,
                resolved_at=r.resolved_at,
                closed_at=r.closed_at,
                anonymised=r.anonymised_at is not None,
                notes=notes,
                audit=trail,
            )
        )
    return out
