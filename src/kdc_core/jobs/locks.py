"""One run of a job at a time across every host that shares the database.

PostgreSQL: a session-level advisory lock, ``pg_try_advisory_lock(hashtext('kdc:job:NAME'))``,
held on a connection of its own for the length of the run; the server drops it if the host
dies. SQLite: a row in ``job_locks`` with an owner and an expiry, taken over only once the
expiry has passed (its holder died without letting go).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import attrs
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.dialects import sqlite

from kdc_core.db.base import utcnow
from kdc_core.db.jobs import JobLockRow


@attrs.frozen
class Held:
    """Who holds a lock, when the database can tell (SQLite's lock rows can)."""

    owner: str | None = None
    since: dt.datetime | None = None


class Busy(Exception):
    """Another run holds the lock."""

    def __init__(self, name: str, held: Held) -> None:
        self.name = name
        self.held = held
        where = f" on {held.owner.rsplit(':', 2)[0]}" if held.owner else ""
        since = f" since {held.since:%Y-%m-%d %H:%M} UTC" if held.since else ""
        super().__init__(f"{name} is already running{where}{since}")


@contextlib.contextmanager
def hold(engine: Engine, name: str, owner: str, minutes: int = 360) -> Iterator[None]:
    """Hold the lock called ``name`` for the body of the ``with``.

    :raises Busy: another run holds it (the body does not run).
    """
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name):
            yield
        return
    with _lock_row(engine, name, owner, minutes):
        yield


@contextlib.contextmanager
def _advisory(engine: Engine, name: str) -> Iterator[None]:
    key = f"kdc:job:{name}"
    with engine.connect() as conn:
        got = conn.scalar(select(func.pg_try_advisory_lock(func.hashtext(key))))
        conn.commit()  # the lock is the session's; no transaction stays open for the run
        if not got:
            raise Busy(name, Held())
        try:
            yield
        finally:
            conn.execute(select(func.pg_advisory_unlock(func.hashtext(key))))
            conn.commit()


@contextlib.contextmanager
def _lock_row(engine: Engine, name: str, owner: str, minutes: int) -> Iterator[None]:
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(delete(JobLockRow).where(JobLockRow.name == name, JobLockRow.expires_at < now))
        conn.execute(
            sqlite.insert(JobLockRow)
            .values(
                name=name,
                owner=owner,
                acquired_at=now,
                expires_at=now + dt.timedelta(minutes=minutes),
            )
            .on_conflict_do_nothing(index_elements=["name"])
        )
        row = conn.execute(
            select(JobLockRow.owner, JobLockRow.acquired_at).where(JobLockRow.name == name)
        ).one()
    if row.owner != owner:
        raise Busy(name, Held(row.owner, row.acquired_at))
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(
                delete(JobLockRow).where(JobLockRow.name == name, JobLockRow.owner == owner)
            )


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
