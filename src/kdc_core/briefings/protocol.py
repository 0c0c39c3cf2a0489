"""Stored briefings as the protocol's :class:`~kdc_core.protocol.briefings.Briefing` values.

Rules 8.1 and 9.1 judge these: a briefing becomes public at the start of its public date
(midnight, in the council's time zone), and it reached a councillor when the outbox sent
its message to them (a ``sent`` message under ``briefing:<id>:<councillor>:<channel>``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from kdc_core.protocol.briefings import Briefing, briefing_rules
from kdc_core.protocol.rules import Rule
from kdc_core.unit_of_work import UnitOfWork

KIND = "briefing"


def briefing_key(briefing_id: int, councillor_id: int, channel: str) -> str:
    """``briefing:<id>:<councillor id>:<channel>``: one briefing to one person, queued once."""
    return f"{KIND}:{briefing_id}:{councillor_id}:{channel}"


def briefing_id_of(key: str) -> int:
    """The briefing a ``briefing:…`` key belongs to."""
    return int(key.split(":")[1])


def delivered(
    uow: UnitOfWork, ids: frozenset[int] | None = None, status: str | None = "sent"
) -> list[tuple[int, int, str, dt.datetime | None]]:
    """``(briefing id, councillor id, channel, sent at)`` of the briefing messages in the
    outbox — those sent (the outbox's ``SENT``), or with ``status=None`` every one queued —
    oldest first."""
    # The tables are imported here: the rules that read them are registered at every start-up.
    from kdc_core.db.outbox import OutboxMessageRow

    query = select(
        OutboxMessageRow.key,
        OutboxMessageRow.councillor_id,
        OutboxMessageRow.channel,
        OutboxMessageRow.sent_at,
    ).where(OutboxMessageRow.kind == KIND)
    if status is not None:
        query = query.where(OutboxMessageRow.status == status)
    if ids is not None:
        if not ids:
            return []
        query = query.where(or_(*(OutboxMessageRow.key.like(f"{KIND}:{i}:%") for i in sorted(ids))))
    return [
        (briefing_id_of(key), councillor_id, channel, sent_at)
        for key, councillor_id, channel, sent_at in uow.session.execute(
            query.order_by(OutboxMessageRow.id)
        )
        if councillor_id is not None
    ]


def protocol_briefings(uow: UnitOfWork, ids: frozenset[int] | None = None) -> list[Briefing]:
    """The briefings ``ids`` (all when ``None``), oldest first, in three queries."""
    from kdc_core.db.newsletters import BriefingRow, briefing_wards

    rows = select(BriefingRow.id, BriefingRow.title, BriefingRow.public_on, BriefingRow.significant)
    wards = select(briefing_wards.c.briefing_id, briefing_wards.c.ward_id)
    if ids is not None:
        rows = rows.where(BriefingRow.id.in_(ids))
        wards = wards.where(briefing_wards.c.briefing_id.in_(ids))
    ward_ids: defaultdict[int, list[int]] = defaultdict(list)
    for briefing_id, ward_id in uow.session.execute(wards.order_by(briefing_wards.c.ward_id)):
        ward_ids[briefing_id].append(ward_id)
    sent: defaultdict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    for briefing_id, councillor_id, _channel, sent_at in delivered(uow, ids):
        if sent_at is not None:
            sent[briefing_id].append((councillor_id, sent_at))
    zone = ZoneInfo(uow.settings.timezone)
    return [
        Briefing(
            id=briefing_id,
            title=title,
            ward_ids=tuple(ward_ids[briefing_id]),
            sent=tuple(sent[briefing_id]),
            public_at=dt.datetime.combine(public_on, dt.time(), tzinfo=zone),
            significant=significant,
        )
        for briefing_id, title, public_on, significant in uow.session.execute(
            rows.order_by(BriefingRow.id)
        )
    ]


def stored_briefing_rules() -> tuple[Rule, ...]:
    """Rules 8.1 and 9.1 over the stored briefings (and over values handed to them)."""
    return briefing_rules(protocol_briefings)
