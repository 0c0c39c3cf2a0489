"""Marking an event as a political meeting, and adopting protocol versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kdc_core.db.events import EventRow
from kdc_core.db.people import PoliticalGroupRow
from kdc_core.db.protocol import EventPoliticalMeetingRow, ProtocolVersionRow
from kdc_core.errors import KdcError, NotFound
from kdc_core.protocol.document import Protocol
from kdc_core.protocol.service import Recorded, enforce
from kdc_core.unit_of_work import UnitOfWork

SCOPES = ("group", "ward", "constituency")


def find_group(uow: UnitOfWork, name: str) -> PoliticalGroupRow:
    text = name.strip().lower()
    for row in uow.session.scalars(select(PoliticalGroupRow)):
        if text in (row.name.lower(), (row.short_name or "").lower(), str(row.id)):
            return row
    raise NotFound(f"no political group called {name!r}")


def mark_political(
    uow: UnitOfWork,
    event_id: int,
    scope: str,
    group: str | None = None,
    matter: str | None = None,
) -> list[Recorded]:
    """Say an event is a party group meeting (``group``) or a ward/constituency party
    political meeting, then run the event rules (an error blocks unless overridden)."""
    if scope not in SCOPES:
        raise KdcError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if uow.session.get(EventRow, event_id) is None:
        raise NotFound(f"no event with id {event_id}")
    row = uow.session.get(EventPoliticalMeetingRow, event_id)
    if row is None:
        row = EventPoliticalMeetingRow(event_id=event_id)
        uow.session.add(row)
    row.scope, row.matter = scope, matter
    row.group_id = find_group(uow, group).id if group else None
    uow.session.flush()
    return enforce(uow, "event", [event_id])


def adopt(uow: UnitOfWork, protocol: Protocol, document: dict[str, Any]) -> None:
    """Store a new version as the one in force; findings from now on cite it."""
    if uow.session.scalar(
        select(ProtocolVersionRow).where(ProtocolVersionRow.version == protocol.version)
    ):
        raise KdcError(f"protocol version {protocol.version!r} has already been adopted")
    uow.session.add(
        ProtocolVersionRow(
            version=protocol.version,
            title=protocol.title,
            digest=protocol.digest,
            document=document,
        )
    )
    uow.session.flush()


def adopted_versions(uow: UnitOfWork) -> list[tuple[str, str]]:
    rows = uow.session.scalars(select(ProtocolVersionRow).order_by(ProtocolVersionRow.id))
    return [(r.version, f"{r.adopted_at:%Y-%m-%d}") for r in rows]
