"""Email councillors their private calendar-feed address, through the outbox.

kdc keeps only a hash of each feed token, so an address can be sent only when its token is
issued: sending a link issues a new token (the old address then answers 404) and queues the
email in the same transaction — either both happen or neither. The idempotency key carries
the token's digest, so the same link is never queued twice; ``send-links`` skips a councillor
whose current link was already queued unless told to send a new one.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from sqlalchemy import select

from kdc_core.app import Kdc
from kdc_core.calendar import feed_tokens
from kdc_core.calendar.feed_tokens import FeedOwner, IssuedToken, OwnerKind
from kdc_core.db.feed_tokens import FeedTokenRow
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.db.people import CouncillorRow
from kdc_core.mail import outbox
from kdc_core.mail.letters import Letter, outgoing
from kdc_core.unit_of_work import UnitOfWork
from kdc_ical.feed_cli import feed_urls

KIND = "feed-link"


@attrs.frozen
class LinkReport:
    """Who was queued a new link, who already had theirs, and who has no email address."""

    queued: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    no_email: tuple[str, ...] = ()


def _key(owner: FeedOwner, token: str) -> str:
    return f"{KIND}:{owner.kind.value}:{owner.id}:{feed_tokens.hash_token(token)[:16]}"


def link_letter(kdc: Kdc, owner: FeedOwner, token: str, replaced: bool) -> Letter:
    web, webcal = feed_urls(kdc.settings.base_url, owner, token)
    paragraphs = [
        "This is the address of your own calendar of ward walkabouts, open days, meetings "
        "and your enquiries' response dates. Subscribe to it once and your calendar keeps "
        "itself up to date.",
        "Outlook: Add calendar → Subscribe from web, and paste the address. "
        "Google Calendar: Other calendars → + → From URL, and paste the https address. "
        "Apple Calendar (iPhone, iPad, Mac): open the webcal address, or File → New Calendar "
        "Subscription.",
        "Keep the address to yourself: anyone who has it can read your calendar.",
    ]
    if replaced:
        paragraphs.insert(
            1, "It replaces the address you had before, which no longer works: subscribe again."
        )
    return Letter(
        subject="Your calendar of ward events",
        heading="Your calendar of ward events",
        greeting=f"Dear Councillor {owner.name},",
        paragraphs=tuple(paragraphs),
        facts=(("Subscribe (webcal)", webcal), ("Or paste this address", web)),
        why="You receive this because you are a councillor and a new calendar address was "
        "issued for you.",
    )


def issue_and_queue(
    kdc: Kdc, uow: UnitOfWork, owner: FeedOwner, email: str
) -> tuple[IssuedToken, outbox.QueueReport]:
    """Issue a new token for ``owner`` and queue its link to ``email``, in ``uow``."""
    issued = feed_tokens.issue(uow, owner)
    letter = link_letter(kdc, owner, issued.token, replaced=bool(issued.revoked))
    message = outgoing(
        letter,
        council=kdc.settings.council_name,
        key=_key(owner, issued.token),
        kind=KIND,
        to_address=email,
        to_name=f"Cllr {owner.name}",
        councillor_id=owner.id if owner.kind is OwnerKind.COUNCILLOR else None,
        officer_id=owner.id if owner.kind is OwnerKind.OFFICER else None,
    )
    return issued, outbox.queue(uow, [message])


def send_links(
    kdc: Kdc, names: Iterable[str] | None, *, again: bool = False, dry_run: bool = False
) -> LinkReport:
    """Queue each named councillor (every active one when ``names`` is None) a new link.

    One transaction per councillor, so a run that stops half way keeps what it did, and a
    second run skips those whose current link is already queued (unless ``again``).

    :raises NoMailer: no mailer is configured (checked before anything changes).
    """
    outbox.mailer_name(kdc.settings)
    with kdc.unit_of_work(source="feeds", dry_run=True) as uow:
        query = select(CouncillorRow.id, CouncillorRow.name, CouncillorRow.email).where(
            CouncillorRow.archived_at.is_(None)
        )
        people = list(uow.session.execute(query.order_by(CouncillorRow.name)))
        if names is not None:
            wanted = [uow.people.find_councillor(n).id for n in names]
            people = [p for p in people if p.id in wanted]
        sent_before = _current_links_queued(uow, [p.id for p in people])
    queued, already, no_email = [], [], []
    for person in people:
        if not person.email:
            no_email.append(person.name)
            continue
        if person.id in sent_before and not again:
            already.append(person.name)
            continue
        owner = FeedOwner(OwnerKind.COUNCILLOR, person.id, person.name)
        if not dry_run:
            with kdc.unit_of_work(source="feeds send-links") as uow:
                issue_and_queue(kdc, uow, owner, person.email)
        queued.append(person.name)
    return LinkReport(tuple(queued), tuple(already), tuple(no_email))


#: How many demo councillors get their calendar link: enough to show it, not everyone.
DEMO_LINKS = 5


def demo_links(kdc: Kdc) -> list[str]:
    """Queue the calendar link of the first few active councillors (by name) unless already
    queued; nothing when no mailer is configured. Lines saying what was queued."""
    if not kdc.settings.mail.configured:
        return []
    with kdc.unit_of_work(source="feeds", dry_run=True) as uow:
        names = list(
            uow.session.scalars(
                select(CouncillorRow.name)
                .where(CouncillorRow.archived_at.is_(None), CouncillorRow.email.is_not(None))
                .order_by(CouncillorRow.name)
                .limit(DEMO_LINKS)
            )
        )
    report = send_links(kdc, names)
    if not report.queued:
        return []
    return [
        f"Calendar links queued for {len(report.queued)} councillors "
        "(they go when the outbox is dispatched)."
    ]


def _current_links_queued(uow: UnitOfWork, councillor_ids: list[int]) -> set[int]:
    """Councillors whose active token's link is in the outbox (queued or sent)."""
    tokens = uow.session.execute(
        select(FeedTokenRow.owner_id, FeedTokenRow.token_hash).where(
            FeedTokenRow.owner_kind == OwnerKind.COUNCILLOR.value,
            FeedTokenRow.owner_id.in_(councillor_ids),
            FeedTokenRow.revoked_at.is_(None),
        )
    ).all()
    keys = {f"{KIND}:councillor:{owner}:{digest[:16]}": owner for owner, digest in tokens}
    if not keys:
        return set()
    found = uow.session.scalars(
        select(OutboxMessageRow.key).where(
            OutboxMessageRow.key.in_(list(keys)), OutboxMessageRow.status != outbox.FAILED
        )
    )
    return {keys[key] for key in found}
