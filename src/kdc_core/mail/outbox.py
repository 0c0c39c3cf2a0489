"""The outbox: messages are queued in the same transaction as the change that causes them.

A service that promises a message (an enquiry was created, a briefing was posted) calls
:func:`queue` on its own unit of work. The message is written to ``outbox_messages`` with an
idempotency key — ``enquiry-created:KE-2027-000123:councillor`` — that is unique, so running
the same command again, or two hosts running it at once, can never queue it twice; and if the
change rolls back, so does the message. :mod:`kdc_core.mail.dispatch` sends what is queued.

Where no mailer is configured (``[mail] mailer`` and ``sender`` in kdc.toml), :func:`queue`
refuses with :class:`NoMailer` and nothing is written: commands say so rather than claim a
message went.
"""

from __future__ import annotations

import datetime as dt
import email
import email.message
import email.policy
import email.utils
import hashlib
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs
from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kdc_core.db.base import utcnow
from kdc_core.db.outbox import FAILED, PENDING, SENT, STATUSES, OutboxMessageRow
from kdc_core.db.outbox import SENDING as SENDING  # the states are imported from here too
from kdc_core.db.people import CouncillorRow
from kdc_core.errors import KdcError, NotFound
from kdc_core.mail.addresses import normalise_address
from kdc_core.mail.message import render_eml

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.config import Settings
    from kdc_core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


_CHUNK = 500
OUTBOX = cast(Table, OutboxMessageRow.__table__)


class NoMailer(KdcError):
    """No mailer is configured, so nothing can be queued."""

    def __init__(self) -> None:
        super().__init__(
            "no mailer is configured: set [mail] mailer and sender in kdc.toml (or "
            "KDC_MAIL_MAILER and KDC_MAIL_SENDER); nothing was queued"
        )


@attrs.frozen
class Outgoing:
    """One message to one person, before it is queued.

    :ivar key: the idempotency key: the same cause and recipient always give the same key.
    :ivar kind: what sort of message (``enquiry-created``, ``newsletter`` …), for the admin.
    :ivar to_address: an email address, or a phone number when ``channel`` is ``"sms"``.
    """

    key: str
    kind: str
    to_address: str
    to_name: str
    subject: str
    text: str
    html: str | None = None
    channel: str = "email"
    councillor_id: int | None = None
    officer_id: int | None = None
    unsubscribe_url: str | None = None


@attrs.frozen
class QueueReport:
    """What :func:`queue` did: the keys it queued now, and those that were already queued."""

    queued: tuple[str, ...]
    already: tuple[str, ...]


@attrs.frozen
class OutboxMessage:
    """A queued message as the admin and ``kdc outbox list`` show it (no body)."""

    id: int
    key: str
    kind: str
    channel: str
    mailer: str
    recipient: str
    recipient_name: str
    subject: str
    status: str
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str | None
    councillor_id: int | None
    officer_id: int | None

    @classmethod
    def from_row(cls, row: OutboxMessageRow) -> OutboxMessage:
        return cls(
            id=row.id,
            key=row.key,
            kind=row.kind,
            channel=row.channel,
            mailer=row.mailer,
            recipient=row.recipient,
            recipient_name=row.recipient_name,
            subject=row.subject,
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
            last_error=row.last_error,
            councillor_id=row.councillor_id,
            officer_id=row.officer_id,
        )


def mailer_name(settings: Settings, override: str | None = None) -> str:
    """The mailer that will send: ``override`` (a command's ``--mailer``) or ``[mail] mailer``.

    :raises NoMailer: neither names a mailer, or no sender address is configured.
    """
    name = override or settings.mail.mailer
    if not name or not settings.mail.sender:
        raise NoMailer()
    return name


def installed_mailer(kdc: Kdc, override: str | None = None) -> str:
    """:func:`mailer_name`, also checked against the mailers installed, so a command refuses
    a misspelt ``--mailer`` before it queues anything a dispatcher could never send.

    :raises NoMailer: no mailer or sender is configured.
    :raises KdcError: no installed mailer has that name.
    """
    name = mailer_name(kdc.settings, override)
    if name not in kdc.mailers:
        known = ", ".join(kdc.mailers.names()) or "none installed"
        raise KdcError(f"no mailer called {name!r} (mailers: {known}); nothing was queued")
    return name


def sender(settings: Settings) -> str:
    """The From header: the configured name (else the council's) and address."""
    name = settings.mail.sender_name or settings.council_name
    return email.utils.formataddr((name, settings.mail.sender))


def message_id(settings: Settings, key: str) -> str:
    """A Message-ID made from the idempotency key, so a repeat after a crash can be told apart
    by the receiver as the same message."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.mail.id_domain}>"


def queue(
    uow: UnitOfWork, messages: Iterable[Outgoing], *, mailer: str | None = None
) -> QueueReport:
    """Queue ``messages`` in ``uow``'s transaction; a key already queued is left as it is.

    Each email address is checked again here (one valid address, see
    :mod:`kdc_core.mail.addresses`), so nothing malformed can reach a mailer.

    :raises NoMailer: no mailer is configured (nothing is written).
    :raises AddressError: a recipient's address is not one valid address.
    """
    settings = uow.settings
    name = mailer_name(settings, mailer)
    from_header = sender(settings)
    now = utcnow()
    rows = [_row(settings, m, name, from_header, now) for m in messages]
    if not rows:
        return QueueReport((), ())
    session = uow.session
    session.flush()
    queued: list[str] = []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        stmt = insert(OUTBOX).on_conflict_do_nothing(index_elements=["key"]).returning(OUTBOX.c.key)
        queued.extend(session.scalars(stmt, chunk).all())
    done = set(queued)
    log.info(
        "outbox: %d messages queued for %s, %d already queued",
        len(queued),
        name,
        len(rows) - len(queued),
        extra={"mailer": name, "queued": len(queued), "already_queued": len(rows) - len(queued)},
    )
    return QueueReport(tuple(queued), tuple(r["key"] for r in rows if r["key"] not in done))


def _row(
    settings: Settings, message: Outgoing, mailer: str, from_header: str, now: dt.datetime
) -> dict[str, Any]:
    if message.channel == "email":
        address = normalise_address(message.to_address)
        body = render_eml(
            sender=from_header,
            to=email.utils.formataddr((message.to_name, address)),
            subject=message.subject,
            html=message.html,
            text=message.text,
            unsubscribe_url=message.unsubscribe_url,
            message_id=message_id(settings, message.key),
        )
    elif message.channel == "sms":
        address = message.to_address.strip()
        body = message.text.encode()
    else:
        raise KdcError(f"unknown channel {message.channel!r} for {message.key}")
    return {
        "key": message.key[:250],
        "kind": message.kind,
        "channel": message.channel,
        "mailer": mailer,
        "recipient": address,
        "recipient_name": message.to_name[:300],
        "councillor_id": message.councillor_id,
        "officer_id": message.officer_id,
        "subject": message.subject[:400],
        "body": body,
        "status": PENDING,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }


# -- reading and managing the outbox ----------------------------------------------------------


def counts(uow: UnitOfWork) -> dict[str, int]:
    """How many messages are in each state (every state present, zero when none)."""
    found = dict(
        uow.session.execute(
            select(OutboxMessageRow.status, func.count()).group_by(OutboxMessageRow.status)
        ).all()
    )
    return {status: int(found.get(status, 0)) for status in STATUSES}


def messages(
    uow: UnitOfWork,
    *,
    status: str | None = None,
    councillor_id: int | None = None,
    kind: str | None = None,
    limit: int = 100,
) -> list[OutboxMessage]:
    """The newest queued messages, optionally of one state, kind or councillor."""
    query = select(OutboxMessageRow).order_by(OutboxMessageRow.id.desc()).limit(limit)
    if status is not None:
        if status not in STATUSES:
            raise KdcError(f"unknown status {status!r} (use one of: {', '.join(STATUSES)})")
        query = query.where(OutboxMessageRow.status == status)
    if councillor_id is not None:
        query = query.where(OutboxMessageRow.councillor_id == councillor_id)
    if kind is not None:
        query = query.where(OutboxMessageRow.kind == kind)
    return [OutboxMessage.from_row(row) for row in uow.session.scalars(query)]


def kinds(uow: UnitOfWork) -> list[str]:
    """Every kind of message there is in the outbox, sorted (for a filter's choices)."""
    return list(
        uow.session.scalars(
            select(OutboxMessageRow.kind).distinct().order_by(OutboxMessageRow.kind)
        )
    )


def councillors_messaged(uow: UnitOfWork) -> list[tuple[int, str]]:
    """``(id, name)`` of every councillor the outbox holds a message for, by name (archived
    councillors included: what was sent to them stays)."""
    rows = uow.session.execute(
        select(CouncillorRow.id, CouncillorRow.name)
        .where(
            CouncillorRow.id.in_(
                select(OutboxMessageRow.councillor_id).where(
                    OutboxMessageRow.councillor_id.is_not(None)
                )
            )
        )
        .order_by(CouncillorRow.name, CouncillorRow.id)
    ).all()
    return [(int(i), str(n)) for i, n in rows]


def message(uow: UnitOfWork, message_id: int) -> OutboxMessage:
    """One queued message, without its body. :raises NotFound: no message has this id."""
    row = uow.session.get(OutboxMessageRow, message_id)
    if row is None:
        raise NotFound(f"no outbox message with id {message_id}")
    return OutboxMessage.from_row(row)


def message_text(uow: UnitOfWork, message_id: int) -> str:
    """What the recipient reads: the plain-text part of an email, or an SMS's text.

    It may carry personal data (a constituent's name in an enquiry letter), so only people
    allowed to read casework should be shown it.

    :raises NotFound: no message has this id.
    """
    row = uow.session.get(OutboxMessageRow, message_id)
    if row is None:
        raise NotFound(f"no outbox message with id {message_id}")
    if row.channel != "email":
        return bytes(row.body).decode("utf-8", "replace")
    parsed = email.message_from_bytes(bytes(row.body), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    part = parsed.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    assert isinstance(part, email.message.EmailMessage)
    return str(part.get_content())


#: Headers a redacted email keeps (who, when, what about); the text itself goes.
_KEPT_HEADERS = ("From", "To", "Date", "Subject", "Message-ID")


def redact(uow: UnitOfWork, key_prefix: str, key_part: str, text: str) -> int:
    """Replace what the messages say — those whose key starts with ``key_prefix`` and
    contains ``key_part`` — with ``text``, keeping who each went to, when and its subject
    (retention: the letters about an anonymised enquiry quoted the case).

    :returns: how many messages were redacted.
    """
    rows = uow.session.scalars(
        select(OutboxMessageRow).where(
            OutboxMessageRow.key.startswith(key_prefix, autoescape=True),
            OutboxMessageRow.key.contains(key_part, autoescape=True),
        )
    ).all()
    for row in rows:
        if row.channel != "email":
            row.body = text.encode()
            continue
        original = email.message_from_bytes(bytes(row.body), policy=email.policy.default)
        redacted = email.message.EmailMessage(policy=email.policy.SMTP)
        for header in _KEPT_HEADERS:
            if original[header] is not None:
                redacted[header] = str(original[header])
        redacted.set_content(text)
        row.body = redacted.as_bytes()
    uow.session.flush()
    return len(rows)


def keys_sent(uow: UnitOfWork, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` have been sent."""
    out: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        out.update(
            uow.session.scalars(
                select(OutboxMessageRow.key).where(
                    OutboxMessageRow.key.in_(keys[start : start + _CHUNK]),
                    OutboxMessageRow.status == SENT,
                )
            )
        )
    return out


def retry(uow: UnitOfWork, message_id: int) -> OutboxMessage:
    """Put a failed message back in the queue, due now, with its attempts reset."""
    row = uow.session.get(OutboxMessageRow, message_id)
    if row is None:
        raise NotFound(f"no outbox message with id {message_id}")
    if row.status != FAILED:
        raise KdcError(f"outbox message {message_id} is {row.status}, not failed: nothing to retry")
    uow.session.execute(
        update(OutboxMessageRow)
        .where(OutboxMessageRow.id == message_id, OutboxMessageRow.status == FAILED)
        .values(status=PENDING, attempts=0, next_attempt_at=utcnow(), last_error=None)
    )
    uow.session.refresh(row)
    return OutboxMessage.from_row(row)
