"""What a running kdc-core tells a monitoring system, in Prometheus' text format.

Two kinds of figure:

- **Process figures** kept in :data:`REGISTRY` as requests are served: requests by route and
  status, how long they took, and feed cache hits and misses. Each web worker keeps its own,
  as Prometheus expects (it scrapes each worker, or sums them).
- **Database figures** read when ``/metrics`` is asked for (:func:`state_metrics`): messages
  in the outbox by state, recorded job runs by outcome and each job's last success, and each
  directory source's last applied sync. Every worker answers these the same, since they come
  from the one database.

Neither carries personal data: labels are route templates (``/feeds/councillors/<token>.ics``,
never a token), statuses, job and source names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from kdc_core.app import Kdc

#: The process figures of this worker.
REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "kdc_http_requests",
    "Web requests answered, by route template, method and status code.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "kdc_http_request_duration_seconds",
    "Time to answer a web request, by route template.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
FEED_CACHE = Counter(
    "kdc_feed_cache",
    "Calendar feeds asked for, by whether the built feed was reused from the cache.",
    ["result"],
    registry=REGISTRY,
)


def _timestamp(moment: dt.datetime | None) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # stored as UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


class StateCollector(Collector):
    """The database figures of one :class:`Kdc`, read afresh at each collection."""

    def __init__(self, kdc: Kdc) -> None:
        self.kdc = kdc

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from kdc_core.db.directory import SyncRunRow
        from kdc_core.db.jobs import JobRunRow
        from kdc_core.mail.outbox import counts

        with self.kdc.unit_of_work(source="metrics") as uow:
            outbox = counts(uow)
            runs = uow.session.execute(
                select(JobRunRow.job, JobRunRow.status, func.count()).group_by(
                    JobRunRow.job, JobRunRow.status
                )
            ).all()
            last_ok = uow.session.execute(
                select(JobRunRow.job, func.max(JobRunRow.finished_at))
                .where(JobRunRow.status == "ok")
                .group_by(JobRunRow.job)
            ).all()
            synced = uow.session.execute(
                select(SyncRunRow.source, func.max(SyncRunRow.finished_at))
                .where(SyncRunRow.outcome == "applied")
                .group_by(SyncRunRow.source)
            ).all()

        family = GaugeMetricFamily(
            "kdc_outbox_messages", "Messages in the outbox, by state.", labels=["status"]
        )
        for status, count in sorted(outbox.items()):
            family.add_metric([status], count)
        yield family

        family = GaugeMetricFamily(
            "kdc_job_runs",
            "Job runs on record (kept for the retention period), by job and outcome.",
            labels=["job", "status"],
        )
        for job, status, count in sorted(runs):
            family.add_metric([job, status], count)
        yield family

        yield _moments(
            "kdc_job_last_success_timestamp_seconds",
            "When each job last finished without error (Unix time).",
            "job",
            last_ok,
        )
        yield _moments(
            "kdc_directory_last_sync_timestamp_seconds",
            "When each staff-directory source was last synced and applied (Unix time).",
            "source",
            synced,
        )


def _moments(name: str, documentation: str, label: str, rows: Iterable[Any]) -> GaugeMetricFamily:
    """A gauge of Unix times, one per ``(label value, moment)`` row that has a moment."""
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value, moment in sorted(rows):
        stamp = _timestamp(moment)
        if stamp is not None:
            family.add_metric([value], stamp)
    return family


def exposition(kdc: Kdc) -> bytes:
    """This worker's process figures and the database figures, in Prometheus' text format.

    :raises sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector(kdc))
    return generate_latest(REGISTRY) + generate_latest(state)
