"""Emailing a councillor a one-time sign-in link.

A councillor without a council account asks the site for a link by giving their address.
:func:`request_sign_in_link` queues a letter through the outbox with a link that works once,
for :data:`~kdc_core.users.sessions.LINK_LIFETIME` (15 minutes). The caller tells the person
the same thing whatever happened, so the page cannot be used to learn who has an address
here: an unknown address, an address over the limit and a repeated click all get no mail
and the same answer.

Limits: at most :data:`LINKS_PER_WINDOW` links per address in any 15 minutes (counted in
``sign_in_links``), and one letter per councillor per clock minute (the outbox key
``sign-in-link:<councillor id>:<minute>``), so a double-submitted form sends once.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import delete, func, select

from kdc_core.db.base import utcnow
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.db.users import SignInLinkRow
from kdc_core.mail import outbox
from kdc_core.mail.addresses import normalise_address
from kdc_core.mail.letters import Letter, outgoing
from kdc_core.timewords import clock_time
from kdc_core.unit_of_work import UnitOfWork
from kdc_core.users import sessions

#: Most links one address may be sent within :data:`WINDOW`.
LINKS_PER_WINDOW = 3
#: The window the limit counts over.
WINDOW = sessions.LINK_LIFETIME
#: The outbox's kind for these letters.
KIND = "sign-in-link"


class LinkOutcome(enum.Enum):
    """What :func:`request_sign_in_link` did (for tests and counts, never for the person)."""

    SENT = "sent"
    UNKNOWN = "unknown"
    LIMITED = "limited"
    REPEATED = "repeated"


def link_url(base_url: str, token: str) -> str:
    """Where a link token is used: the site's ``/sign-in/link/<token>`` page."""
    return f"{base_url.rstrip('/')}/sign-in/link/{token}"


def request_sign_in_link(
    uow: UnitOfWork, address: str, now: dt.datetime | None = None
) -> LinkOutcome:
    """Queue a sign-in link for the active councillor with ``address``, within the limits.

    The letter gives the link, says it works once and until when (15 minutes, in the
    council's time zone), and what to do if the reader did not ask for it.

    :raises AddressError: ``address`` is not one valid email address.
    :raises NoMailer: no mailer is configured (nothing is written).
    """
    key_address = normalise_address(address).lower()
    now = now or utcnow()
    outbox.mailer_name(uow.settings)  # no mailer: refuse before writing a link
    councillor = sessions.identify(uow, key_address).councillor
    if councillor is None or not councillor.email:
        return LinkOutcome.UNKNOWN
    recent = uow.session.scalar(
        select(func.count(SignInLinkRow.id)).where(
            SignInLinkRow.email == key_address, SignInLinkRow.created_at > now - WINDOW
        )
    )
    if (recent or 0) >= LINKS_PER_WINDOW:
        return LinkOutcome.LIMITED
    key = f"{KIND}:{councillor.id}:{int(now.timestamp()) // 60}"
    if uow.session.scalar(select(OutboxMessageRow.id).where(OutboxMessageRow.key == key)):
        return LinkOutcome.REPEATED
    token = sessions.issue_sign_in_link(uow, key_address, now=now)
    settings = uow.settings
    until = clock_time(now + sessions.LINK_LIFETIME, settings.tz)
    letter = Letter(
        subject=f"Your link to sign in to {settings.council_name}",
        heading="Your sign-in link",
        greeting=f"Dear {councillor.name},",
        paragraphs=(
            "Use the link below to sign in to the councillors and officers site.",
            f"The link works once, for 15 minutes: until {until}. "
            "If it has expired, ask for a new one on the sign-in page.",
            "Do not forward this email: anyone with the link can sign in as you until it is "
            "used. If you did not ask to sign in, you can ignore this email.",
        ),
        link=("Sign in", link_url(settings.base_url, token)),
        why="You get this email because someone asked for a sign-in link for this address.",
    )
    message = outgoing(
        letter,
        council=settings.council_name,
        key=key,
        kind=KIND,
        to_address=councillor.email,
        to_name=councillor.name,
        councillor_id=councillor.id,
    )
    report = outbox.queue(uow, [message])
    if not report.queued:  # another request queued it a moment ago: this link is never sent
        uow.session.execute(
            delete(SignInLinkRow).where(SignInLinkRow.token_hash == sessions._digest(token))
        )
        return LinkOutcome.REPEATED
    return LinkOutcome.SENT
