"""Post ward briefings and send them to the wards' councillors, once each.

Protocol 8.1: councillors hear of proposals affecting their ward before they are announced
publicly, so a briefing posted on or after its public date is *late* and is reported as such.
Protocol 9.1: officers keep members of every political group informed of significant
developments. A briefing goes to all the ward's active councillors, never one group's; a
significant one also goes to the leader of each group that has no councillor in its wards
(see :meth:`~kdc_core.db.repositories.people.PeopleRepository.group_leaders`).

Sending queues the messages in the outbox (keys ``briefing:<id>:<councillor>:<channel>``),
so each person gets each briefing once over each channel however often it is sent; the
outbox's record of what it sent is what rules 8.1 and 9.1 read. A late briefing is still
sent, and says it is late.

Posting and sending run the protocol's briefing rules before the work commits (see
:mod:`kdc_core.briefings.protocol`); an error-level finding blocks unless overridden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kdc_core.briefings.protocol import KIND, briefing_id_of, briefing_key, delivered
from kdc_core.db.base import utcnow
from kdc_core.db.newsletters import BriefingRow
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.db.people import PoliticalGroupRow, WardRow
from kdc_core.errors import KdcError, NotFound
from kdc_core.mail import outbox
from kdc_core.mail.letters import Letter, local_date, outgoing
from kdc_core.mail.outbox import Outgoing, QueueReport
from kdc_core.mail.topics import recipients_by_id, recipients_by_ward
from kdc_core.mail.values import Recipient, check_topic
from kdc_core.people.lookup import resolve_service, resolve_ward
from kdc_core.protocol.service import enforce, override
from kdc_core.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from kdc_core.app import Kdc


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
    timezone: dt.tzinfo = dt.UTC

    @property
    def late(self) -> bool:
        """Posted on or after the day it became public (in the council's time zone):
        councillors could not hear of it first."""
        return self.posted_at.astimezone(self.timezone).date() >= self.public_on

    @classmethod
    def from_row(
        cls,
        row: BriefingRow,
        sent: Iterable[tuple[int, str, dt.datetime]] = (),
        timezone: dt.tzinfo = dt.UTC,
    ) -> Briefing:
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
            sent=tuple(sent),
            timezone=timezone,
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
    """Record a briefing. It is late (protocol 8.1) when posted on or after ``public_on``.

    Rules 8.1 and 9.1 run before the unit of work commits, and record what they find (see
    :func:`~kdc_core.protocol.service.open_findings`); an error-level finding blocks unless
    overridden (:func:`~kdc_core.protocol.service.override`).
    """
    row = BriefingRow(posted_at=posted_at or utcnow())
    _fill(uow, row, wards, title, body, public_on, service, significant, topic)
    uow.session.add(row)
    uow.session.flush()
    enforce(uow, "briefing", [row.id])
    return Briefing.from_row(row, timezone=uow.settings.tz)


def edit_briefing(
    uow: UnitOfWork,
    briefing_id: int,
    *,
    wards: Iterable[str],
    title: str,
    body: str,
    public_on: dt.date,
    service: str | None = None,
    significant: bool = False,
    topic: str = "briefings",
) -> Briefing:
    """Change a posted briefing, with the same checks as :func:`post_briefing`, and run rules
    8.1 and 9.1 over it again: moving its public date to the day it was posted (or before)
    makes it late, and marking it significant asks that every group hear of it. It keeps
    when it was posted; councillors it was already sent to are not sent the change.

    :raises NotFound: no such briefing (or ward, or service).
    """
    row = uow.session.get(BriefingRow, briefing_id)
    if row is None:
        raise NotFound(f"no briefing with id {briefing_id}")
    _fill(uow, row, wards, title, body, public_on, service, significant, topic)
    uow.session.flush()
    enforce(uow, "briefing", [row.id])
    return get_briefing(uow, row.id)


def _fill(
    uow: UnitOfWork,
    row: BriefingRow,
    wards: Iterable[str],
    title: str,
    body: str,
    public_on: dt.date,
    service: str | None,
    significant: bool,
    topic: str,
) -> None:
    """Check a briefing's fields and set them on ``row``."""
    names = [w.strip() for w in wards if w.strip()]
    if not names:
        raise KdcError("a briefing needs at least one ward")
    if not title.strip() or not body.strip():
        raise KdcError("a briefing needs a title and a body")
    check_topic(topic)
    row.title = title.strip()
    row.body = body.strip()
    row.public_on = public_on
    row.significant = significant
    row.topic = topic
    row.service = resolve_service(uow.session, service) if service is not None else None
    row.wards = list({w.id: w for w in (resolve_ward(uow.session, n) for n in names)}.values())


def get_briefing(uow: UnitOfWork, briefing_id: int) -> Briefing:
    """The briefing, with whom the outbox has sent it to (councillor, channel, when)."""
    row = uow.session.get(BriefingRow, briefing_id, options=[selectinload(BriefingRow.wards)])
    if row is None:
        raise NotFound(f"no briefing with id {briefing_id}")
    sent = [
        (cid, channel, at)
        for _, cid, channel, at in delivered(uow, frozenset({briefing_id}))
        if at is not None
    ]
    return Briefing.from_row(row, sent, timezone=uow.settings.tz)


def briefings_for_ward(uow: UnitOfWork, ward_id: int, limit: int = 100) -> list[Briefing]:
    """The briefings about the ward (alone or with others), newest posted first: what the
    ward's councillors were told, or are about to be."""
    rows = uow.session.scalars(
        select(BriefingRow)
        .options(selectinload(BriefingRow.wards), selectinload(BriefingRow.service))
        .where(BriefingRow.wards.any(WardRow.id == ward_id))
        .order_by(BriefingRow.posted_at.desc(), BriefingRow.id.desc())
        .limit(limit)
    )
    return [Briefing.from_row(r, timezone=uow.settings.tz) for r in rows]


def unsent_briefings(uow: UnitOfWork) -> list[int]:
    """Ids of briefings nothing has been queued for yet — late ones too — oldest first
    (what ``kdc briefing send`` sends when given no ids)."""
    queued = {
        briefing_id_of(key)
        for key in uow.session.scalars(
            select(OutboxMessageRow.key).where(OutboxMessageRow.kind == KIND)
        )
    }
    return [
        i
        for i in uow.session.scalars(select(BriefingRow.id).order_by(BriefingRow.id))
        if i not in queued
    ]


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


@attrs.frozen
class BriefingQueued:
    """What :func:`send_briefing` queued: ``"channel Name"`` lines, and those already queued."""

    briefing: Briefing
    queued: tuple[str, ...]
    already: tuple[str, ...]
    no_address: tuple[str, ...] = ()


def briefing_letter(
    briefing: Briefing, person: Recipient, *, leader: bool, today: dt.date
) -> Letter:
    """The email for one recipient: marked late when it is, "not public until" only when the
    public date is still to come."""
    flag = "Significant briefing" if briefing.significant else "Ward briefing"
    wards = ", ".join(briefing.wards)
    public = local_date(briefing.public_on, briefing.timezone)
    paragraphs: list[str] = []
    if briefing.late:
        posted = local_date(briefing.posted_at, briefing.timezone)
        paragraphs.append(
            f"This briefing is late: it was posted on {posted}, when the proposal was already "
            f"public (from {public}). Ward councillors should hear of proposals affecting "
            "their ward before they are announced (member–officer protocol 8.1)."
        )
    elif briefing.public_on > today:
        paragraphs.append(f"This is not public until {public}.")
    else:
        paragraphs.append(f"This has been public since {public}.")
    if leader:
        paragraphs.append(
            f"You receive this as leader of the {person.group} group: every political group "
            "hears of significant developments (member–officer protocol 9.1)."
        )
    paragraphs.append(briefing.body)
    facts = [("Wards", wards), ("Public from", public)]
    if briefing.service:
        facts.append(("From", briefing.service))
    return Letter(
        subject=f"{'Late: ' if briefing.late else ''}{flag}: {briefing.title}",
        heading=briefing.title,
        greeting=f"Dear Councillor {person.name},",
        paragraphs=tuple(paragraphs),
        facts=tuple(facts),
        why=(
            f"You receive this as leader of the {person.group} group."
            if leader
            else f"You receive this as a councillor for {wards}."
        ),
    )


def briefing_sms(briefing: Briefing, today: dt.date) -> str:
    """The text message: the title, and whether it is late or when it becomes public."""
    flag = "Significant briefing" if briefing.significant else "Ward briefing"
    public = f"{briefing.public_on.day} {briefing.public_on:%b %Y}"
    if briefing.late:
        note = f" (late: public from {public})"
    elif briefing.public_on > today:
        note = f" (not public until {public})"
    else:
        note = ""
    return f"{flag}: {briefing.title}{note}. Details by email."


def briefing_messages(
    uow: UnitOfWork, briefing: Briefing, today: dt.date
) -> tuple[list[Outgoing], list[str], dict[str, str]]:
    """The messages for every recipient and channel, who has no address, and key → line."""
    ward_people, leaders = _audience(uow, briefing)
    in_wards = {r.councillor_id for r in ward_people}
    council = uow.settings.council_name
    messages: list[Outgoing] = []
    missing: list[str] = []
    lines: dict[str, str] = {}
    for person in ward_people + leaders:
        if not person.email:
            missing.append(person.name)
        else:
            letter = briefing_letter(
                briefing,
                person,
                leader=person.councillor_id not in in_wards,
                today=today,
            )
            key = briefing_key(briefing.id, person.councillor_id, "email")
            messages.append(
                outgoing(
                    letter,
                    council=council,
                    key=key,
                    kind=KIND,
                    to_address=person.email,
                    to_name=person.name,
                    councillor_id=person.councillor_id,
                )
            )
            lines[key] = f"email {person.name}"
        if person.mobile and briefing.topic in person.sms_topics:
            key = briefing_key(briefing.id, person.councillor_id, "sms")
            messages.append(
                Outgoing(
                    key=key,
                    kind=KIND,
                    channel="sms",
                    to_address=person.mobile,
                    to_name=person.name,
                    subject=briefing.title,
                    text=briefing_sms(briefing, today),
                    councillor_id=person.councillor_id,
                )
            )
            lines[key] = f"sms {person.name}"
    return messages, missing, lines


def send_briefing(
    kdc: Kdc,
    briefing_id: int,
    *,
    mailer: str | None = None,
    override_reason: str | None = None,
    today: dt.date | None = None,
    dry_run: bool = False,
) -> BriefingQueued:
    """Queue the briefing for every recipient: an email each, and a text to those who chose
    SMS for its topic; each key once, so sending again queues only what is missing.

    The protocol rules run first (an error-level finding stops it unless ``override_reason``
    is given); the messages are queued in the same transaction. Run :func:`record_outcome`
    once the outbox has dispatched them to record what 8.1 and 9.1 then find.

    :param dry_run: say what would be queued; write nothing (no mailer needed).
    :raises NoMailer: no mailer is configured (nothing is queued).
    """
    today = today or dt.datetime.now(kdc.settings.tz).date()
    with kdc.unit_of_work(source="briefing", dry_run=dry_run) as uow:
        briefing = get_briefing(uow, briefing_id)
        override(uow, override_reason)
        enforce(uow, "briefing", [briefing_id])
        messages, missing, lines = briefing_messages(uow, briefing, today)
        if dry_run:
            from kdc_core.newsletter.build import queued_keys

            already = queued_keys(uow, [m.key for m in messages])
            report = QueueReport(
                tuple(m.key for m in messages if m.key not in already), tuple(already)
            )
        else:
            report = outbox.queue(uow, messages, mailer=mailer)
    return BriefingQueued(
        briefing,
        tuple(lines[k] for k in report.queued),
        tuple(lines[k] for k in report.already),
        tuple(missing),
    )


def record_outcome(kdc: Kdc, briefing_id: int, override_reason: str | None = None) -> Briefing:
    """Run 8.1 and 9.1 again over the briefing as the outbox has delivered it."""
    with kdc.unit_of_work(source="briefing") as uow:
        override(uow, override_reason)
        enforce(uow, "briefing", [briefing_id])
        return get_briefing(uow, briefing_id)
