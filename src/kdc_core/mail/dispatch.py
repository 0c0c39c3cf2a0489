"""Send what the outbox holds: claim, send outside any transaction, mark — exactly once.

A run claims due messages in a short transaction (``pending`` → ``sending``, with a lease and
the run's name; PostgreSQL skips rows another run has locked, ``FOR UPDATE SKIP LOCKED``; on
SQLite the claim is one ``UPDATE … RETURNING`` statement, which takes the write lock at once,
so two runs never claim the same row). It sends each through its mailer with no transaction
open, then marks it ``sent`` in its own short transaction. Any number of runs on any number of
hosts can go at once.

Failures: a permanent one (a 5xx answer, an address the server refuses, a request Notify
rejects) marks the message ``failed`` for the admin to see. A temporary one (4xx, a dropped
connection) puts it back with the next try ``retry_seconds × 2^(attempts-1)`` later, until
``max_attempts``; the run then stops using that mailer and hands back what it had claimed for
it untried, so a server that says 421 is not hammered. A run that dies mid-way leaves its
claims to expire after ``lease_seconds``; the one message it may have been sending then goes
again with the same Message-ID — the only way anything is sent twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import ColumnElement, Connection, and_, bindparam, case, select, update

from kdc_core.db.base import utcnow
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.jobs.locks import worker_name
from kdc_core.logs import scrub
from kdc_core.mail.delivery import DeliveryError, Mailer, RawTransport, Transport
from kdc_core.mail.outbox import FAILED, PENDING, SENDING, SENT

if TYPE_CHECKING:
    from kdc_core.app import Kdc

log = logging.getLogger(__name__)

T = OutboxMessageRow


@attrs.frozen
class Claimed:
    id: int
    key: str
    mailer: str
    channel: str
    recipient: str
    body: bytes
    attempts: int


@attrs.frozen
class DispatchReport:
    """What one run did. ``stopped`` says why it stopped early, if it did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    stopped: tuple[str, ...] = ()

    @property
    def tried(self) -> int:
        return self.sent + self.retrying + self.failed


def dispatch(
    kdc: Kdc,
    *,
    limit: int | None = None,
    batch: int = 200,
    now: Callable[[], dt.datetime] = utcnow,
    progress: Callable[[DispatchReport], None] | None = None,
) -> DispatchReport:
    """Send due messages until none are left (or ``limit`` have been tried).

    :param batch: how many messages one claim takes.
    :param now: the clock (tests move it to make retries due).
    :param progress: called after each message with the report so far.
    """
    settings = kdc.settings.mail
    me = worker_name()
    registry = kdc.mailers
    report = Report()
    clock = time.perf_counter()
    log.debug("outbox dispatch started", extra={"worker": me})
    dead: dict[str, str] = {}  # mailer → why this run stopped using it
    with contextlib.ExitStack() as stack:
        transports: dict[str, Transport] = {}
        conn = stack.enter_context(kdc.engine.connect())
        _reclaim_expired(conn, now())
        while limit is None or report.tried < limit:
            size = batch if limit is None else min(batch, limit - report.tried)
            claimed = _claim(conn, me, size, now(), settings.lease_seconds, exclude=set(dead))
            if not claimed:
                break
            log.info(
                "outbox dispatch claimed %d due messages",
                len(claimed),
                extra={"claimed": len(claimed), "worker": me},
            )
            for index, message in enumerate(claimed):
                if message.mailer in dead:
                    report.released += _release(conn, me, [message])
                    continue
                transport = transports.get(message.mailer)
                if transport is None:
                    if message.mailer not in registry:
                        dead[message.mailer] = f"no mailer called {message.mailer!r} is installed"
                        report.released += _release(conn, me, [message])
                        continue
                    transport = _open(stack, kdc, registry[message.mailer], dead)
                    if transport is None:
                        report.released += _release(conn, me, claimed[index:])
                        break
                    transports[message.mailer] = transport
                try:
                    reference = _send(transport, message, settings.sender)
                except DeliveryError as exc:
                    if exc.permanent or message.attempts >= settings.max_attempts:
                        _mark_failed(conn, me, message, str(exc))
                        report.failed += 1
                    else:
                        _mark_retry(conn, me, message, str(exc), now(), settings.retry_seconds)
                        report.retrying += 1
                    if not exc.permanent:
                        dead[message.mailer] = f"{message.mailer}: {exc}"
                    reason = scrub(exc)
                    log.warning(
                        "outbox message %s through %s not sent (%s): %s",
                        message.id,
                        message.mailer,
                        "permanent" if exc.permanent else "will retry",
                        reason,
                        extra={
                            "message_id": message.id,
                            "mailer": message.mailer,
                            "channel": message.channel,
                            "attempt": message.attempts,
                            "permanent": exc.permanent,
                            "error": reason,
                        },
                    )
                else:
                    _mark_sent(conn, me, message, reference, now())
                    report.sent += 1
                    log.debug(
                        "outbox message %s sent through %s",
                        message.id,
                        message.mailer,
                        extra={
                            "message_id": message.id,
                            "mailer": message.mailer,
                            "channel": message.channel,
                            "attempt": message.attempts,
                        },
                    )
                if progress is not None:
                    progress(report.freeze(dead))
    result = report.freeze(dead)
    seconds = time.perf_counter() - clock
    counts = {
        "sent": result.sent,
        "retrying": result.retrying,
        "failed": result.failed,
        "handed_back": result.released,
    }
    level = logging.WARNING if result.failed or result.stopped else logging.INFO
    if result.tried or result.released or level == logging.WARNING:
        log.log(
            level,
            "outbox dispatch in %.2f s: %d sent, %d to retry, %d failed, %d handed back%s",
            seconds,
            result.sent,
            result.retrying,
            result.failed,
            result.released,
            "".join(f"; stopped using {scrub(why)}" for why in result.stopped),
            extra={"counts": counts, "duration_s": round(seconds, 3), "outcome": "done"},
        )
    else:
        log.debug("outbox dispatch: nothing was due", extra={"counts": counts})
    return result


@attrs.define
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0

    @property
    def tried(self) -> int:
        return self.sent + self.retrying + self.failed

    def freeze(self, dead: dict[str, str]) -> DispatchReport:
        return DispatchReport(
            self.sent, self.retrying, self.failed, self.released, tuple(dead.values())
        )


def _open(
    stack: contextlib.ExitStack, kdc: Kdc, mailer: Mailer, dead: dict[str, str]
) -> Transport | None:
    try:
        return stack.enter_context(mailer.open(kdc.settings))
    except DeliveryError as exc:
        dead[mailer.name] = f"{mailer.name}: {exc}"
        log.warning(
            "mailer %s could not start: %s",
            mailer.name,
            scrub(exc),
            extra={"mailer": mailer.name, "error": scrub(exc)},
        )
        return None


def _send(transport: Transport, message: Claimed, envelope_from: str) -> str:
    if message.channel == "sms":
        return transport.send_sms(message.recipient, message.body.decode())
    if isinstance(transport, RawTransport):
        return transport.send_raw(message.body, envelope_from, message.recipient) or message.key
    return transport.send_email(email.message_from_bytes(message.body))


# -- the short transactions --------------------------------------------------------------------


def _reclaim_expired(conn: Connection, now: dt.datetime) -> None:
    """Messages whose run died while holding them go back to the queue, due now."""
    with conn.begin():
        conn.execute(
            update(T)
            .where(T.status == SENDING, T.lease_until < now)
            .values(status=PENDING, lease_until=None, claimed_by=None, next_attempt_at=now)
        )


def _claim(
    conn: Connection,
    me: str,
    size: int,
    now: dt.datetime,
    lease_seconds: int,
    exclude: set[str],
) -> list[Claimed]:
    due = (
        select(T.id)
        .where(T.status == PENDING, T.next_attempt_at <= now)
        .order_by(T.next_attempt_at, T.id)
        .limit(size)
    )
    if exclude:
        due = due.where(T.mailer.not_in(sorted(exclude)))
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (
        update(T)
        .where(T.id.in_(due.scalar_subquery()))
        .values(
            status=SENDING,
            claimed_by=me,
            lease_until=now + dt.timedelta(seconds=lease_seconds),
            attempts=T.attempts + 1,
        )
        .returning(T.id, T.key, T.mailer, T.channel, T.recipient, T.body, T.attempts)
    )
    with conn.begin():
        rows = conn.execute(stmt).all()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


def _mine(message: Claimed, me: str) -> ColumnElement[bool]:
    return and_(T.id == message.id, T.status == SENDING, T.claimed_by == me)


#: Built once: marking a message sent is the per-message cost of a run.
_SENT = (
    update(T)
    .where(T.id == bindparam("mid"), T.status == SENDING, T.claimed_by == bindparam("me"))
    .values(
        status=SENT,
        sent_at=bindparam("at"),
        reference=bindparam("ref"),
        lease_until=None,
        last_error=None,
    )
)


def _mark_sent(
    conn: Connection, me: str, message: Claimed, reference: str, now: dt.datetime
) -> None:
    with conn.begin():
        conn.execute(_SENT, {"mid": message.id, "me": me, "at": now, "ref": reference[:200]})


def _mark_failed(conn: Connection, me: str, message: Claimed, error: str) -> None:
    with conn.begin():
        conn.execute(
            update(T)
            .where(_mine(message, me))
            .values(status=FAILED, lease_until=None, last_error=error[:2000])
        )


def _mark_retry(
    conn: Connection, me: str, message: Claimed, error: str, now: dt.datetime, base: int
) -> None:
    wait = dt.timedelta(seconds=base * 2 ** max(message.attempts - 1, 0))
    with conn.begin():
        conn.execute(
            update(T)
            .where(_mine(message, me))
            .values(
                status=PENDING,
                lease_until=None,
                claimed_by=None,
                next_attempt_at=now + wait,
                last_error=error[:2000],
            )
        )


def _release(conn: Connection, me: str, messages: list[Claimed]) -> int:
    """Hand back claimed messages this run will not try; their attempt does not count."""
    if not messages:
        return 0
    with conn.begin():
        conn.execute(
            update(T)
            .where(T.id.in_([m.id for m in messages]), T.status == SENDING, T.claimed_by == me)
            .values(
                status=PENDING,
                lease_until=None,
                claimed_by=None,
                attempts=case((T.attempts > 0, T.attempts - 1), else_=0),
            )
        )
    return len(messages)
