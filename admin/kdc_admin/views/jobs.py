"""The admin's Jobs page: every registered job, how its runs went, and the jobs log.

Everyone signed in sees each job with its schedule, its last run (start, duration, outcome,
counts), its last failure with the error, when it is next due and whether a host is running it
now, and the recent runs of all jobs (or of one). Times are the council's, to the minute.

Admins may also run a job now: a POST with the CSRF token, through
:func:`kdc_core.jobs.runner.run` — the same lock and log as ``kdc jobs run`` — so a job another
host is running is not started twice. The run happens in the request, so it suits the short
jobs (the outbox, retention); a long one is better left to the worker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose

from kdc_admin.formats import moment
from kdc_admin.menus import OPERATIONS
from kdc_admin.security import ADMINS, SecuredBaseView
from kdc_core.app import Kdc
from kdc_core.db.base import utcnow
from kdc_core.errors import KdcError
from kdc_core.jobs import runner
from kdc_core.jobs.runner import RunRecord

#: How many runs the log shows.
HISTORY = 50


def _kdc() -> Kdc:
    kdc: Kdc = current_app.extensions["kdc"]
    return kdc


def _summary(record: RunRecord | None) -> str:
    """``sent 3, failed 0``: a run's counts, in the order the job gave them."""
    if record is None or not record.summary:
        return ""
    return ", ".join(f"{k} {v}" for k, v in record.summary.items())


def _duration(record: RunRecord | None) -> str:
    if record is None or record.seconds is None:
        return ""
    seconds = record.seconds
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


class JobsView(SecuredBaseView):
    """Jobs with their last run, last failure and next due; the runs log; run now (admins)."""

    write_roles = ADMINS

    @expose("/")
    def index(self) -> Any:
        kdc = _kdc()
        names = kdc.jobs.names()
        only = request.args.get("job") or None
        if only not in (None, *names):
            only = None
        now = utcnow()
        statuses = runner.statuses(kdc, now)
        return self.render(
            "kdc_jobs/jobs.html",
            statuses=statuses,
            runs=runner.history(kdc, only, HISTORY),
            only=only,
            names=names,
            when=self._when,
            summary=_summary,
            duration=_duration,
            timezone=kdc.settings.timezone,
            may_run=self.can_write(),
            now=now,
        )

    @expose("/run/", methods=("POST",))
    def run_view(self) -> Any:
        """Run one job now (admins; CSRF is checked for every POST by the app)."""
        kdc = _kdc()
        name = request.form.get("job", "")
        if name not in kdc.jobs.names():
            abort(404)
        try:
            outcome = runner.run(kdc, name, trigger="admin")
        except KdcError as exc:
            flash(f"{name} was not run: {exc}", "error")
        else:
            record = outcome.record
            if outcome.status == "ok":
                counts = _summary(record)
                flash(
                    f"{name} ran in {_duration(record)}" + (f": {counts}." if counts else "."),
                    "success",
                )
            elif outcome.status == "failed":
                flash(f"{name} failed: {outcome.message}", "error")
            else:
                flash(f"{name} was not run: {outcome.message or outcome.status}", "warning")
        return redirect(url_for(".index"))

    @staticmethod
    def _when(value: dt.datetime | None) -> str:
        if value is None:
            return "–"
        return moment(value)


def jobs_admin_views(kdc: Kdc) -> list[Any]:
    return [JobsView(name="Jobs", category=OPERATIONS, endpoint="jobs", url="jobs")]
