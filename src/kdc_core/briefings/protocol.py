"""Stored briefings as the protocol's :class:`~kdc_core.protocol.briefings.Briefing` values.

Rules 8.1 and 9.1 judge these: a briefing becomes public at the start of its public date
(midnight, in the council's time zone), and each send record says when it reached whom.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kdc_core.db.newsletters import BriefingRow, BriefingSendRow, briefing_wards
from kdc_core.protocol.briefings import Briefing, briefing_rules
from kdc_core.protocol.rules import Rule
from kdc_core.unit_of_work import UnitOfWork


def protocol_briefings(uow: UnitOfWork, ids: frozenset[int] | None = None) -> list[Briefing]:
    """The briefings ``ids`` (all when ``None``), oldest first, in three queries."""
    rows = select(BriefingRow.id, BriefingRow.title, BriefingRow.public_on, BriefingRow.significant)
    wards = select(briefing_wards.c.briefing_id, briefing_wards.c.ward_id)
    sends = select(
        BriefingSendRow.briefing_id, BriefingSendRow.councillor_id, BriefingSendRow.sent_at
    )
    if ids is not None:
        rows = rows.where(BriefingRow.id.in_(ids))
        wards = wards.where(briefing_wards.c.briefing_id.in_(ids))
        sends = sends.where(BriefingSendRow.briefing_id.in_(ids))
    ward_ids: defaultdict[int, list[int]] = defaultdict(list)
    for briefing_id, ward_id in uow.session.execute(wards.order_by(briefing_wards.c.ward_id)):
        ward_ids[briefing_id].append(ward_id)
    sent: defaultdict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    for briefing_id, councillor_id, sent_at in uow.session.execute(
        sends.order_by(BriefingSendRow.id)
    ):
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
