"""The menu of opportunities: which topics each councillor receives, and when they last said so.

A councillor with no recorded choice for a topic receives it (the menu starts all on); opting
out stores ``opted_in = false``. Confirming the menu records the date; the admin highlights
councillors who have not confirmed theirs for twelve months.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import attrs
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


@attrs.frozen
class Menu:
    """One councillor's menu of opportunities as it stands.

    :ivar email: the topics they receive (by email).
    :ivar sms: the topics they also want as a text message.
    :ivar confirmed_on: when they last said the menu is right (``None``: never).
    """

    email: frozenset[str]
    sms: frozenset[str]
    confirmed_on: dt.date | None = None

    def review_due(self, today: dt.date) -> bool:
        """Not confirmed in the last twelve months (or never)."""
        return self.confirmed_on is None or today - self.confirmed_on > REVIEW_AFTER


def menu_of(uow: UnitOfWork, councillor_id: int) -> Menu:
    """The councillor's current choices (every topic on unless they turned it off)."""
    off: set[str] = set()
    sms: set[str] = set()
    for topic, opted_in, by_sms in uow.session.execute(
        select(TopicChoiceRow.topic, TopicChoiceRow.opted_in, TopicChoiceRow.sms).where(
            TopicChoiceRow.councillor_id == councillor_id
        )
    ):
        if not opted_in:
            off.add(topic)
        if by_sms:
            sms.add(topic)
    review = uow.session.get(TopicReviewRow, councillor_id)
    return Menu(
        frozenset(TOPICS) - off,
        frozenset(sms) & frozenset(TOPICS),
        review.confirmed_on if review is not None else None,
    )


def save_menu(
    uow: UnitOfWork,
    councillor_id: int,
    email: Iterable[str],
    sms: Iterable[str] | None = None,
) -> Menu:
    """Record the whole menu at once: the topics in ``email`` on, every other topic off.

    :param sms: the topics also wanted by text; ``None`` leaves the text choices as they
        are (when text messages are not offered).
    :raises KdcError: an unknown topic.
    """
    wanted = {check_topic(t) for t in email}
    texts = None if sms is None else {check_topic(t) for t in sms}
    before = menu_of(uow, councillor_id)
    for topic in TOPICS:
        on = topic in wanted
        by_sms = None if texts is None else topic in texts
        if on == (topic in before.email) and (by_sms is None or by_sms == (topic in before.sms)):
            continue
        set_topic(uow, councillor_id, topic, on, by_sms)
    return menu_of(uow, councillor_id)


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
