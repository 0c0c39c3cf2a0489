"""Post ward briefings and send them to the wards' councillors, once each.

Protocol 8.1: councillors hear of proposals affecting their ward before they are announced
publicly, so a briefing posted on or after its public date is *late* and is reported as such.
Protocol 9.1: officers keep members of every political group informed of significant
developments. A briefing goes to all the ward's active councillors, never one group's; a
significant one also goes to the leader of each group that has no councillor in its wards
(see :meth:`~kdc_core.db.repositories.people.PeopleRepository.group_leaders`).

Posting and sending run the protocol's briefing rules before the work commits (see
:mod:`kdc_core.briefings.protocol`); an error-level finding blocks unless overridden.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from kdc_core.db.base import utcnow
from kdc_core.db.newsletters import BriefingRow, BriefingSendRow
from kdc_core.db.people import PoliticalGroupRow, ServiceRow, WardRow
from kdc_core.errors import KdcError, NotFound
from kdc_core.mail.message import make_message
from kdc_core.mail.topics import recipients_by_id, recipients_by_ward
from kdc_core.mail.values import Recipient, check_topic
from kdc_core.protocol.service import enforce, override
from kdc_core.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.mail.delivery import Mailer


@attrs.frozen
class Briefing:
    """A posted briefing and, per recipient and channel, when it was sent."""

    id: int
    title: str
    body: str
    wards: tuple[str, ...]
    public_on: dt.date
    significant: bool
    topic: str
    service: str | None
    posted_at: dt.datetime
    sent: tuple[tuple[int, str, dt.datetime], ...] = ()

    @property
    def late(self) -> bool:
        """Posted on or after the day it became public: councillors could not hear first."""
        return self.posted_at.date() >= self.public_on

    @classmethod
    def from_row(cls, row: BriefingRow, sent: Iterable[BriefingSendRow] = ()) -> Briefing:
        return cls(
            id=row.id,
            title=row.title,
            body=row.body,
            wards=tuple(w.name for w in row.wards),
            public_on=row.public_on,
            significant=row.significant,
            topic=row.topic,
            service=row.service.name if row.service else None,
            posted_at=row.posted_at,
            sent=tuple((s.councillor_id, s.channel, s.sent_at) for s in sent),
        )


def post_briefing(
    uow: UnitOfWork,
    *,
    wards: Iterable[str],
    title: str,
    body: str,
    public_on: dt.date,
    service: str | None = None,
    significant: bool = False,
    topic: str = "briefings",
    posted_at: dt.datetime | None = None,
) -> Briefing:
    """Record a briefing. It is late (protocol 8.1) when posted on or after ``public_on``."""
    names = [w.strip() for w in wards if w.strip()]
    if not names:
        raise KdcError("a briefing needs at least one ward")
    if not title.strip() or not body.strip():
        raise KdcError("a briefing needs a title and a body")
    check_topic(topic)
    rows = list(
        uow.session.scalars(
            select(WardRow).where(WardRow.name.in_(names) | WardRow.slug.in_(names))
        )
    )
    missing = sorted(set(names) - {w.name for w in rows} - {w.slug for w in rows})
    if missing:
        raise NotFound(f"no ward called {missing[0]!r}")
    service_row = None
    if service is not None:
        service_row = uow.session.scalar(
            select(ServiceRow).where((ServiceRow.name == service) | (ServiceRow.slug == service))
        )
        if service_row is None:
            raise NotFound(f"no service called {service!r}")
    row = BriefingRow(
        title=title.strip(),
        body=body.strip(),
        public_on=public_on,
        significant=significant,
        topic=topic,
        service=service_row,
        posted_at=posted_at or utcnow(),
        wards=rows,
    )
    uow.session.add(row)
    uow.session.flush()
    enforce(uow, "briefing", [row.id])
    return Briefing.from_row(row)


def get_briefing(uow: UnitOfWork, briefing_id: int) -> Briefing:
    row = uow.session.get(BriefingRow, briefing_id, options=[selectinload(BriefingRow.wards)])
    if row is None:
        raise NotFound(f"no briefing with id {briefing_id}")
    sends = uow.session.scalars(
        select(BriefingSendRow).where(BriefingSendRow.briefing_id == briefing_id)
    )
    return Briefing.from_row(row, sends)


def unsent_briefings(uow: UnitOfWork, today: dt.date) -> list[int]:
    """Ids of briefings public today or later, oldest first (what ``kdc briefing send`` sends)."""
    return list(
        uow.session.scalars(
            select(BriefingRow.id).where(BriefingRow.public_on >= today).order_by(BriefingRow.id)
        )
    )


def briefing_recipients(uow: UnitOfWork, briefing: Briefing) -> list[Recipient]:
    """Who a briefing goes to: the active councillors of its wards and, when it is significant,
    the leaders of every political group none of those councillors belongs to (protocol 9.1),
    ward councillors first."""
    ward_people, leaders = _audience(uow, briefing)
    return ward_people + leaders


def _audience(uow: UnitOfWork, briefing: Briefing) -> tuple[list[Recipient], list[Recipient]]:
    """The briefing's ward councillors, and the group leaders it also goes to."""
    ward_ids = list(uow.session.scalars(select(WardRow.id).where(WardRow.name.in_(briefing.wards))))
    people = recipients_by_ward(uow, ward_ids)
    ward_people = [r for ward_id in ward_ids for r in people[ward_id]]
    leaders = group_leaders_not_in(uow, ward_people) if briefing.significant else []
    return ward_people, leaders


def group_leaders_not_in(uow: UnitOfWork, people: Iterable[Recipient]) -> list[Recipient]:
    """The leaders of the political groups none of ``people`` belongs to, by name."""
    present = {r.group for r in people}
    names = dict(uow.session.execute(select(PoliticalGroupRow.id, PoliticalGroupRow.name)).all())
    leaders = uow.people.group_leaders()
    wanted = [cid for gid, ids in leaders.items() if names.get(gid) not in present for cid in ids]
    return recipients_by_id(uow, wanted)


def send_briefing(
    kdc: Kdc, briefing_id: int, mailer: Mailer, override_reason: str | None = None
) -> tuple[Briefing, list[str]]:
    """Email every ward councillor (and text those who asked for this topic by SMS) once.

    The protocol rules run before anything is sent (an error-level finding stops the send
    unless ``override_reason`` is given) and again once it has gone, to record the outcome.
    """
    with kdc.unit_of_work(source="briefing") as uow:
        briefing = get_briefing(uow, briefing_id)
        override(uow, override_reason)
        enforce(uow, "briefing", [briefing_id])
        ward_people, leaders = _audience(uow, briefing)
        sender = email.utils.formataddr(
            (kdc.settings.council_name, "ward-briefings@kirklees.gov.uk")
        )
    in_wards = {r.councillor_id for r in ward_people}
    done = {(cid, channel) for cid, channel, _ in briefing.sent}
    lines: list[str] = []
    flag = "Significant briefing" if briefing.significant else "Ward briefing"
    heading = (
        f"{flag} for {', '.join(briefing.wards)}: not public until "
        f"{briefing.public_on:%-d %B %Y}.\n\n"
    )
    story = f"{briefing.title}\n\n{briefing.body}\n"
    with mailer.open(kdc.settings) as transport:
        for person in ward_people + leaders:
            jobs: list[tuple[str, str]] = []
            if person.email:
                jobs.append(("email", person.email))
            if person.mobile and briefing.topic in person.sms_topics:
                jobs.append(("sms", person.mobile))
            for channel, address in jobs:
                if (person.councillor_id, channel) in done:
                    continue
                if channel == "email":
                    text = heading + story
                    if person.councillor_id not in in_wards:
                        text = (
                            heading
                            + (
                                f"You receive this as leader of the {person.group} group: every "
                                "political group hears of significant developments (member-officer "
                                "protocol 9.1).\n\n"
                            )
                            + story
                        )
                    msg = make_message(
                        sender=sender,
                        to=email.utils.formataddr((person.name, address)),
                        subject=f"{flag}: {briefing.title}",
                        html=None,
                        text=text,
                        message_id=f"<briefing.{briefing.id}.{person.councillor_id}@kdc.invalid>",
                    )
                    reference = transport.send_email(msg)
                else:
                    reference = transport.send_sms(address, f"{flag}: {briefing.title}")
                with kdc.unit_of_work(source="briefing") as uow:
                    uow.session.execute(
                        insert(BriefingSendRow),
                        [
                            {
                                "briefing_id": briefing.id,
                                "councillor_id": person.councillor_id,
                                "channel": channel,
                                "sent_at": utcnow(),
                                "reference": reference[:200],
                            }
                        ],
                    )
                lines.append(f"{channel} {person.name} <{address}>")
    with kdc.unit_of_work(source="briefing") as uow:
        override(uow, override_reason)
        enforce(uow, "briefing", [briefing_id])
        return get_briefing(uow, briefing_id), lines
