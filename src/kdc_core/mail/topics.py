"""The menu of opportunities: which topics each councillor receives, and when they last said so.

A councillor with no recorded choice for a topic receives it (the menu starts all on); opting
out stores ``opted_in = false``. Confirming the menu records the date; the admin highlights
councillors who have not confirmed theirs for twelve months.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import ColumnElement, select

from kdc_core.db.base import utcnow
from kdc_core.db.newsletters import TopicChoiceRow, TopicReviewRow
from kdc_core.db.people import CouncillorRow, PoliticalGroupRow
from kdc_core.mail.values import TOPICS, Recipient, check_topic
from kdc_core.unit_of_work import UnitOfWork

REVIEW_AFTER = dt.timedelta(days=365)


def set_topic(
    uow: UnitOfWork, councillor_id: int, topic: str, opted_in: bool, sms: bool | None = None
) -> None:
    """Record a councillor's choice for one topic."""
    check_topic(topic)
    row = uow.session.get(TopicChoiceRow, (councillor_id, topic))
    if row is None:
        row = TopicChoiceRow(councillor_id=councillor_id, topic=topic, sms=bool(sms))
        uow.session.add(row)
    row.opted_in = opted_in
    if sms is not None:
        row.sms = sms
    row.changed_at = utcnow()
    uow.session.flush()


def confirm_topics(uow: UnitOfWork, councillor_id: int, on: dt.date) -> None:
    """Record that the councillor reviewed their menu on ``on``."""
    row = uow.session.get(TopicReviewRow, councillor_id)
    if row is None:
        uow.session.add(TopicReviewRow(councillor_id=councillor_id, confirmed_on=on))
    else:
        row.confirmed_on = on
    uow.session.flush()


def overdue_reviews(uow: UnitOfWork, today: dt.date) -> list[tuple[int, str, dt.date | None]]:
    """Active councillors whose menu was last confirmed over a year ago (or never)."""
    rows = uow.session.execute(
        select(CouncillorRow.id, CouncillorRow.name, TopicReviewRow.confirmed_on)
        .outerjoin(TopicReviewRow, TopicReviewRow.councillor_id == CouncillorRow.id)
        .where(CouncillorRow.archived_at.is_(None))
        .order_by(CouncillorRow.name)
    )
    return [(cid, name, on) for cid, name, on in rows if on is None or today - on > REVIEW_AFTER]


def recipients_by_ward(uow: UnitOfWork, ward_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """The active councillors of these wards with their topics, in two queries."""
    ids = list(ward_ids)
    out: dict[int, list[Recipient]] = {i: [] for i in ids}
    for ward_id, person in _recipients(uow, CouncillorRow.ward_id.in_(ids)):
        assert ward_id is not None  # selected by ward
        out[ward_id].append(person)
    return out


def recipients_by_id(uow: UnitOfWork, councillor_ids: Iterable[int]) -> list[Recipient]:
    """These councillors, if active, with their topics, by name."""
    ids = list(councillor_ids)
    return [person for _, person in _recipients(uow, CouncillorRow.id.in_(ids))]


def _recipients(uow: UnitOfWork, which: ColumnElement[bool]) -> list[tuple[int | None, Recipient]]:
    """Active councillors matching ``which`` (ward id, recipient), by name, in two queries."""
    people = uow.session.execute(
        select(
            CouncillorRow.id,
            CouncillorRow.ward_id,
            CouncillorRow.name,
            CouncillorRow.email,
            CouncillorRow.mobile,
            PoliticalGroupRow.name,
        )
        .outerjoin(PoliticalGroupRow, PoliticalGroupRow.id == CouncillorRow.group_id)
        .where(which, CouncillorRow.archived_at.is_(None))
        .order_by(CouncillorRow.name, CouncillorRow.id)
    ).all()
    off: dict[int, set[str]] = defaultdict(set)
    sms: dict[int, set[str]] = defaultdict(set)
    choices = uow.session.execute(
        select(
            TopicChoiceRow.councillor_id,
            TopicChoiceRow.topic,
            TopicChoiceRow.opted_in,
            TopicChoiceRow.sms,
        )
        .join(CouncillorRow, CouncillorRow.id == TopicChoiceRow.councillor_id)
        .where(which)
    )
    for cid, topic, opted_in, by_sms in choices:
        if not opted_in:
            off[cid].add(topic)
        if by_sms:
            sms[cid].add(topic)
    every = frozenset(TOPICS)
    return [
        (ward_id, Recipient(cid, name, email, mobile, group, every - off[cid], frozenset(sms[cid])))
        for cid, ward_id, name, email, mobile, group in people
    ]
