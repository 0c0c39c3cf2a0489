"""``kdc directory sync``: read a source, diff it against the officers, guard, apply, record.

The whole run is one unit of work: the source is read, the plan made and applied inside one
transaction, so a source that fails midway or a refused plan changes nothing. Every run —
applied, dry run, refused or failed — is written to ``sync_runs`` afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

import attrs
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from kdc_core.db.base import utcnow
from kdc_core.db.directory import SyncRunRow
from kdc_core.directory.apply import Progress, apply_plan
from kdc_core.directory.existing import Existing, load_existing
from kdc_core.directory.plan import plan_sync
from kdc_core.directory.values import (
    CharactersChecked,
    DirectoryRecord,
    DirectorySource,
    SyncPlan,
    SyncRefused,
    SyncRun,
)
from kdc_core.errors import KdcError, NotFound
from kdc_core.gcpause import paused
from kdc_core.logs import scrub

if TYPE_CHECKING:
    from kdc_core.app import Kdc

log = logging.getLogger(__name__)

Reader = Callable[[Iterable[DirectoryRecord]], Iterable[DirectoryRecord]]


def source_named(kdc: Kdc, name: str) -> DirectorySource:
    registry = kdc.directory_sources
    if name not in registry:
        known = ", ".join(registry.names()) or "none installed"
        raise NotFound(f"no directory source called {name!r} (known: {known})")
    return registry[name]


def guard(plan: SyncPlan, max_share: float) -> None:
    """Refuse a plan that reads nothing or archives more than ``max_share`` of the officers."""
    if plan.records == 0:
        raise SyncRefused(
            f"{plan.source}: the source gave 0 records; refusing to archive all "
            f"{plan.active_before} active officers. Nothing was changed (use --force if "
            "the directory really is empty)."
        )
    leaving = len(plan.archived)
    if plan.active_before and leaving / plan.active_before > max_share:
        raise SyncRefused(
            f"{plan.source}: this sync would archive {leaving} of {plan.active_before} active "
            f"officers ({leaving / plan.active_before:.1%}), more than the {max_share:.0%} "
            "allowed by directory.max_archive_share. Nothing was changed; check the source, "
            "or run again with --force."
        )


@attrs.frozen
class SyncResult:
    plan: SyncPlan
    dry_run: bool
    run: SyncRun


#: The job lock a sync holds: the ``directory_sync`` job's, so a scheduled run and one from
#: the command line cannot interleave either.
LOCK = "directory_sync"


class SyncBusy(KdcError):
    """Another sync is running (on this host or another)."""


def locked_sync(
    kdc: Kdc,
    source: DirectorySource,
    args: Sequence[str] = (),
    **kwargs: Any,
) -> SyncResult:
    """:func:`run_sync` holding the ``directory_sync`` lock for the whole run, so two syncs
    never interleave: the second is refused before it reads anything.

    :raises SyncBusy: another sync holds the lock ("directory_sync is already running on
        HOST since T", T in the council's time zone).
    """
    from kdc_core.jobs import locks

    try:
        with locks.hold(kdc.engine, LOCK, locks.worker_name()):
            return run_sync(kdc, source, args, **kwargs)
    except locks.Busy as exc:
        log.info(
            "directory sync from %s not started: another sync is running",
            source.name,
            extra={"source": source.name, "outcome": "busy"},
        )
        raise SyncBusy(exc.local(kdc.settings.tz)) from None


#: Databases that run a query in a server process of their own and hand the whole result
#: over at once: reading the officers from one can go on while the source is read.
SERVER_DATABASES = frozenset({"postgresql"})


@contextlib.contextmanager
def loading_meanwhile(session: Session) -> Iterator[Callable[[], Existing]]:
    """What kdc holds (:func:`~kdc_core.directory.existing.load_existing`), read while the body
    of the ``with`` reads the source; the function it gives returns it afterwards.

    On PostgreSQL the query runs in a thread: the server works out and sends the officers
    while this process reads the source, which does not touch the session meanwhile. The
    thread is waited for before the ``with`` ends, whatever the body did. Elsewhere (SQLite
    runs inside this process and gives up the interpreter between rows, so a thread would
    only wait its turn) the officers are read when asked for.
    """
    if session.get_bind().dialect.name not in SERVER_DATABASES:
        yield functools.partial(load_existing, session)
        return
    session.connection()  # the transaction begins here, in the session's own thread
    with ThreadPoolExecutor(1, thread_name_prefix="kdc-directory-load") as pool:
        future = pool.submit(load_existing, session)
        yield future.result
    # leaving the pool waits for the thread, so the session is the caller's alone again


def run_sync(
    kdc: Kdc,
    source: DirectorySource,
    args: Sequence[str] = (),
    *,
    dry_run: bool = False,
    force: bool = False,
    actor: str = "code",
    reader: Reader | None = None,
    progress: Progress | None = None,
) -> SyncResult:
    """Sync the officers from ``source`` in one transaction and record the run.

    :param reader: wraps the source's iterable (the CLI's progress bar).
    :raises SourceError: the source failed; nothing was written.
    :raises SyncRefused: the guard stopped it; nothing was written.
    """
    started = utcnow()
    clock = time.perf_counter()
    arguments = " ".join(args)
    fields: dict[str, Any] = {"source": source.name, "dry_run": dry_run, "force": force}
    log.info("directory sync from %s started", source.name, extra=fields)
    plan: SyncPlan | None = None
    try:
        # Tens of thousands of small objects made and dropped, none of them cyclic: the
        # collector would cost 10–20% of a large sync.
        with paused(), kdc.unit_of_work(source=f"directory:{source.name}", dry_run=dry_run) as uow:
            with loading_meanwhile(uow.session) as existing:
                read = source.read(args, kdc.settings)
                given = reader(read) if reader else read
                # What the source vouched for stays with the records, read through the
                # progress bar or not.
                records = (
                    CharactersChecked(given, read.longest)
                    if isinstance(read, CharactersChecked)
                    else list(given)
                )
            work = plan_sync(uow.session, source.name, records, existing=existing())
            plan = work.plan
            if not force:
                guard(plan, kdc.settings.directory.max_archive_share)
            if not dry_run:
                apply_plan(uow.session, work, uow.source, progress)
                run = _record(uow.session, source.name, arguments, started, "applied", actor, plan)
    except KdcError as exc:
        outcome = "refused" if isinstance(exc, SyncRefused) else "failed"
        _log_end(fields, outcome, clock, plan, scrub(exc))
        _record_apart(kdc, source.name, arguments, started, outcome, actor, plan, str(exc))
        raise
    except Exception as exc:
        _log_end(fields, "failed", clock, plan, type(exc).__name__)
        _record_apart(kdc, source.name, arguments, started, "failed", actor, plan, repr(exc))
        raise
    if dry_run:
        run = _record_apart(kdc, source.name, arguments, started, "dry-run", actor, plan, "")
    _log_end(fields, run.outcome, clock, plan)
    return SyncResult(plan, dry_run, run)


def _log_end(
    fields: dict[str, Any], outcome: str, clock: float, plan: SyncPlan | None, why: str = ""
) -> None:
    """The run's last log line: its outcome, counts and time (a failure's reason, too)."""
    seconds = time.perf_counter() - clock
    counts = plan.counts() if plan is not None else {}
    described = ", ".join(f"{n} {key}" for key, n in counts.items()) or "no plan made"
    done = fields | {"outcome": outcome, "duration_s": round(seconds, 3), "counts": counts}
    if outcome in ("applied", "dry-run"):
        log.info(
            "directory sync from %s %s in %.2f s: %s",
            fields["source"],
            outcome,
            seconds,
            described,
            extra=done,
        )
    else:
        log.warning(
            "directory sync from %s %s after %.2f s: %s (%s)",
            fields["source"],
            outcome,
            seconds,
            why,
            described,
            extra=done | {"error": why},
        )


def _record(
    session: Session,
    source: str,
    arguments: str,
    started: dt.datetime,
    outcome: str,
    actor: str,
    plan: SyncPlan | None,
    message: str = "",
) -> SyncRun:
    """Write the run's row (a Core insert: recording a run configures no ORM mappers)."""
    counts = plan.counts() if plan else {}
    values: dict[str, Any] = {
        "source": source,
        "arguments": arguments[:500],
        "started_at": started,
        "finished_at": utcnow(),
        "outcome": outcome,
        "actor": actor[:200],
        "message": message,
        **counts,
    }
    runs = cast(Table, SyncRunRow.__table__)
    run_id = session.execute(insert(runs).values(values).returning(runs.c.id)).scalar_one()
    return SyncRun(id=run_id, **values)


def _record_apart(
    kdc: Kdc,
    source: str,
    arguments: str,
    started: dt.datetime,
    outcome: str,
    actor: str,
    plan: SyncPlan | None,
    message: str,
) -> SyncRun:
    with kdc.unit_of_work(source=f"directory:{source}") as uow:
        return _record(uow.session, source, arguments, started, outcome, actor, plan, message)


def run_value(row: SyncRunRow) -> SyncRun:
    return SyncRun(
        id=row.id,
        source=row.source,
        arguments=row.arguments,
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=row.outcome,
        actor=row.actor,
        records=row.records,
        added=row.added,
        updated=row.updated,
        archived=row.archived,
        reactivated=row.reactivated,
        unchanged=row.unchanged,
        problems=row.problems,
        message=row.message,
    )


def recent_runs(kdc: Kdc, limit: int = 50) -> list[SyncRun]:
    """The latest recorded runs, newest first."""
    with kdc.unit_of_work(source="directory", dry_run=True) as uow:
        rows = uow.session.scalars(
            select(SyncRunRow).order_by(SyncRunRow.id.desc()).limit(limit)
        ).all()
        return [run_value(r) for r in rows]
