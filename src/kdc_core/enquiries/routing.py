"""Who handles a new enquiry: the ward's named contact for the service, else the service's
default contact, else nobody yet — the liaison team's queue, flagged unassigned."""

from __future__ import annotations

import attrs
from sqlalchemy import select
from sqlalchemy.orm import Session

from kdc_core.db.enquiries import ServiceContactRow
from kdc_core.db.people import OfficerRow, WardContactRow
from kdc_core.errors import KdcError

WARD_CONTACT = "ward_contact"
SERVICE_DEFAULT = "service_default"
UNASSIGNED = "unassigned"


@attrs.frozen
class Route:
    officer_id: int | None
    routed_by: str


def route(session: Session, ward_id: int, service_id: int) -> Route:
    """Pick the officer for (ward, service); archived officers are passed over."""
    named = session.scalar(
        select(WardContactRow.officer_id)
        .join(OfficerRow, OfficerRow.id == WardContactRow.officer_id)
        .where(
            WardContactRow.ward_id == ward_id,
            WardContactRow.service_id == service_id,
            OfficerRow.archived_at.is_(None),
        )
        .order_by(WardContactRow.id)
        .limit(1)
    )
    if named is not None:
        return Route(named, WARD_CONTACT)
    default = session.scalar(
        select(ServiceContactRow.officer_id)
        .join(OfficerRow, OfficerRow.id == ServiceContactRow.officer_id)
        .where(ServiceContactRow.service_id == service_id, OfficerRow.archived_at.is_(None))
    )
    if default is not None:
        return Route(default, SERVICE_DEFAULT)
    return Route(None, UNASSIGNED)


def set_service_contact(
    session: Session, service_id: int, officer_id: int | None, *, replace: bool = True
) -> None:
    """Make ``officer_id`` the service's default contact (None removes it).

    A service has one default contact: with ``replace=False`` a service that already has one
    is refused (:class:`KdcError`, naming who it is) rather than changed.
    """
    row = session.get(ServiceContactRow, service_id)
    if officer_id is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(ServiceContactRow(service_id=service_id, officer_id=officer_id))
    elif not replace and row.officer_id != officer_id:
        raise KdcError(
            f"{row.service.name} already has a default contact, {row.officer.name}: "
            "change that one instead"
        )
    else:
        row.officer_id = officer_id
    session.flush()
