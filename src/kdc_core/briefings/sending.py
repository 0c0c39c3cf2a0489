"""Sending ward briefings: who gets one (protocol 9.1), the letter and the text message,
queued in the outbox once per person and channel, and the protocol's verdict on a send
(protocol 8.1). Posting and reading briefings is :mod:`kdc_core.briefings.service`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import select

from kdc_core.briefings.protocol import KIND, briefing_id_of, briefing_key
from kdc_core.briefings.service import Briefing, get_briefing
from kdc_core.db.newsletters import BriefingRow
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.db.people import PoliticalGroupRow, WardRow
from kdc_core.mail import outbox
from kdc_core.mail.letters import Letter, outgoing
from kdc_core.mail.outbox import Outgoing, QueueReport
from kdc_core.mail.topics import recipients_by_id, recipients_by_ward
from kdc_core.mail.values import Recipient
from kdc_core.protocol.service import enforce, override
from kdc_core.timewords import govuk_date
from kdc_core.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from kdc_core.app import Kdc


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
    public = govuk_date(briefing.public_on, briefing.timezone)
    paragraphs: list[str] = []
    if briefing.late:
        posted = govuk_date(briefing.posted_at, briefing.timezone)
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
