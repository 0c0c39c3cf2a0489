"""One run of a job at a time across every host that shares the database.

PostgreSQL: a session-level advisory lock, ``pg_try_advisory_lock(hashtext('kdc:job:NAME'))``,
held on a connection of its own for the length of the run; the server drops it if the host
dies. SQLite: a row in ``job_locks`` with an owner and an expiry, taken over only once the
expiry has passed (its holder died without letting go).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator
from typing import cast

import attrs
from sqlalchemy import Engine, Table, delete, func, select, text

from kdc_core.db.base import utcnow
from kdc_core.db.jobs import JobLockRow
from kdc_core.timewords import plain_moment


def worker_name() -> str:
    """This run's name, as a lock's owner and in the outbox's ``claimed_by``: host, process
    and a random part (``host:pid:random``)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@attrs.frozen
class Held:
    """Who holds a lock, when the database can tell (SQLite's lock rows can)."""

    owner: str | None = None
    since: dt.datetime | None = None

    @property
    def host(self) -> str | None:
        """The host part of the owner (``host:pid:random``)."""
        return self.owner.rsplit(":", 2)[0] if self.owner else None


class Busy(Exception):
    """Another run holds the lock. ``str()`` gives the time in UTC, for logs read across
    hosts; :meth:`local` gives it in the council's zone, for a person."""

    def __init__(self, name: str, held: Held) -> None:
        self.name = name
        self.held = held
        super().__init__(self.local(dt.UTC))

    def local(self, tz: dt.tzinfo) -> str:
        """``directory_sync is already running on web1 since Tue 6 Jul 2027 18:00 BST``."""
        where = f" on {self.held.host}" if self.held.host else ""
        since = f" since {plain_moment(self.held.since, tz)}" if self.held.since else ""
        return f"{self.name} is already running{where}{since}"


@contextlib.contextmanager
def hold(engine: Engine, name: str, owner: str, minutes: int = 360) -> Iterator[None]:
    """Hold the lock called ``name`` for the body of the ``with``.

    :raises Busy: another run holds it (the body does not run).
    """
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name, owner):
            yield
        return
    with _lock_row(engine, name, owner, minutes):
        yield


#: Who holds the advisory lock in this database (advisory locks are per database, and
#: another database on the same server may hold one of the same name).
_HOLDER = text(
    "SELECT a.application_name, a.state_change FROM pg_locks l "
    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND l.objid = (hashtext(:key)::bigint & 4294967295)::oid LIMIT 1"
)


@contextlib.contextmanager
def _advisory(engine: Engine, name: str, owner: str) -> Iterator[None]:
    key = f"kdc:job:{name}"
    with engine.connect() as conn:
        # The holder's name and (once the lock is taken, its connection is idle until the
        # run ends) when it took it, for the message another run gets.
        conn.execute(
            text("SELECT set_config('application_name', :owner, false)"), {"owner": owner[:63]}
        )
        got = conn.scalar(select(func.pg_try_advisory_lock(func.hashtext(key))))
        conn.commit()  # the lock is the session's; no transaction stays open for the run
        if not got:
            holder = conn.execute(_HOLDER, {"key": key}).first()
            conn.execute(text("SELECT set_config('application_name', '', false)"))
            conn.commit()
            held = Held(holder[0] or None, holder[1]) if holder is not None else Held()
            raise Busy(name, held)
        try:
            yield
        finally:
            conn.execute(select(func.pg_advisory_unlock(func.hashtext(key))))
            conn.execute(text("SELECT set_config('application_name', '', false)"))
            conn.commit()


@contextlib.contextmanager
def _lock_row(engine: Engine, name: str, owner: str, minutes: int) -> Iterator[None]:
    # Core statements on the table: taking a lock configures no ORM mappers (a command that
    # needs none, like a directory sync, is spared that).
    from sqlalchemy.dialects import sqlite  # only here: PostgreSQL runs never need it

    locks = cast(Table, JobLockRow.__table__)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(delete(locks).where(locks.c.name == name, locks.c.expires_at < now))
        conn.execute(
            sqlite.insert(locks)
            .values(
                name=name,
                owner=owner,
                acquired_at=now,
                expires_at=now + dt.timedelta(minutes=minutes),
            )
            .on_conflict_do_nothing(index_elements=["name"])
        )
        row = conn.execute(
            select(locks.c.owner, locks.c.acquired_at).where(locks.c.name == name)
        ).one()
    if row.owner != owner:
        raise Busy(name, Held(row.owner, row.acquired_at))
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(delete(locks).where(locks.c.name == name, locks.c.owner == owner))


def is_held(engine: Engine, name: str) -> bool:
    """Whether some run holds ``name`` now (for ``kdc jobs list``)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return bool(
                conn.scalar(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                        "AND granted AND objid = (hashtext(:key)::bigint & 4294967295)::oid)"
                    ),
                    {"key": f"kdc:job:{name}"},
                )
            )
    with engine.connect() as conn:
        expires = conn.scalar(select(JobLockRow.expires_at).where(JobLockRow.name == name))
    return expires is not None and expires > utcnow()
