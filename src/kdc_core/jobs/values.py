"""What a job is, what it is given when it runs, and how it is scheduled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
from croniter import croniter

from kdc_core.errors import ConfigError, KdcError

if TYPE_CHECKING:
    from kdc_core.app import Kdc

#: The keys every ``[jobs.NAME]`` table may hold, besides the job's own ``options``.
COMMON_KEYS = ("schedule",)
OFF = "off"


class JobError(KdcError):
    """A job could not run (another host holds it, it is not configured …)."""


@attrs.frozen
class JobContext:
    """What a running job gets.

    :ivar config: the job's ``[jobs.NAME]`` table without ``schedule``.
    :ivar echo: prints a progress line for a person (the CLI) or does nothing (the worker).
    :ivar now: the runner's clock (aware UTC); a job that depends on the day asks it, so
        tests can move the clock.
    """

    kdc: Kdc
    dry_run: bool = False
    config: Mapping[str, Any] = attrs.field(factory=dict)
    echo: Callable[[str], None] = attrs.field(default=lambda _line: None, eq=False)
    now: Callable[[], dt.datetime] = attrs.field(default=lambda: dt.datetime.now(dt.UTC), eq=False)


@attrs.frozen
class Job:
    """A piece of work that runs on a schedule, at most once at a time across all hosts.

    :ivar name: ``directory_sync``; the key of its ``[jobs.NAME]`` table.
    :ivar help: one line for ``kdc jobs list``.
    :ivar run: does the work; returns counts for the jobs log (``{"sent": 12}``). It should
        do nothing that writes when ``context.dry_run`` is set.
    :ivar schedule: the default cron expression (five fields, the council's time zone), or
        ``None`` for a job that runs on a schedule only when kdc.toml gives it one.
    :ivar options: the keys its ``[jobs.NAME]`` table may hold besides ``schedule``.
    :ivar lock_minutes: on SQLite, how long a run may hold its lock before another host may
        assume it died.
    """

    name: str
    help: str
    run: Callable[[JobContext], Mapping[str, Any]] = attrs.field(eq=False)
    schedule: str | None = None
    options: tuple[str, ...] = ()
    lock_minutes: int = 360


@attrs.frozen
class Schedule:
    """A job's schedule as configured: a cron expression, or none (manual runs only)."""

    expression: str | None

    def previous(self, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime | None:
        """The latest time the schedule fired at or before ``now`` (aware, UTC)."""
        if self.expression is None:
            return None
        local = now.astimezone(tz)
        # Starting a second later counts a firing exactly at ``now``; in the last second of a
        # minute that second reaches the next firing, which has not happened yet.
        it = croniter(self.expression, local + dt.timedelta(seconds=1))
        fired = it.get_prev(dt.datetime)
        if fired > local:
            fired = it.get_prev(dt.datetime)
        return fired.astimezone(dt.UTC)

    def next(self, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime | None:
        """The first time the schedule fires after ``now`` (aware, UTC)."""
        if self.expression is None:
            return None
        return (
            croniter(self.expression, now.astimezone(tz)).get_next(dt.datetime).astimezone(dt.UTC)
        )


def schedule_for(job: Job, table: Mapping[str, Any]) -> Schedule:
    """The schedule kdc.toml gives ``job`` (``schedule = "off"`` turns it off), else its
    default.

    :raises ConfigError: the table has an unknown key or the expression is not valid cron.
    """
    known = (*COMMON_KEYS, *job.options)
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ConfigError(
            f"jobs.{job.name}.{unknown[0]}: unknown setting (known: {', '.join(known)})",
            key=f"jobs.{job.name}.{unknown[0]}",
        )
    expression = table.get("schedule", job.schedule)
    if expression is None or expression == OFF:
        return Schedule(None)
    if not isinstance(expression, str) or len(expression.split()) != 5:
        raise ConfigError(
            f"jobs.{job.name}.schedule must be a cron expression of five fields "
            f'("0 2 * * *") or "off", not {expression!r}',
            key=f"jobs.{job.name}.schedule",
        )
    if not croniter.is_valid(expression):
        raise ConfigError(
            f"jobs.{job.name}.schedule {expression!r} is not a valid cron expression",
            key=f"jobs.{job.name}.schedule",
        )
    return Schedule(expression)
