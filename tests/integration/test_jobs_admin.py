"""The admin's Jobs page: every registered job with its schedule, last run, last failure and
next due in the council's time zone, the runs log, and "Run now" for admins only (POST, CSRF,
through the runner's lock and log)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, log_in
from kdc_core import hookimpl
from kdc_core.jobs import runner
from kdc_core.jobs.values import Job, JobContext
from kdc_core.timewords import clock_time

PAGE = "/admin/jobs/"
VIEWER, LIAISON, ADMIN = "vic@example.gov.uk", "lia@example.gov.uk", "ada@example.gov.uk"
WINTER = dt.datetime(2027, 1, 15, 2, 0, 5, tzinfo=dt.UTC)  # 02:00 GMT
SUMMER = dt.datetime(2027, 7, 1, 1, 0, 5, tzinfo=dt.UTC)  # 02:00 BST


class Jobs:
    """A plugin with two jobs: ``tally`` counts; ``fetch`` fails while ``broken`` is set."""

    def __init__(self) -> None:
        self.broken = True
        self.tallies = 0

    def tally(self, context: JobContext) -> dict[str, int]:
        self.tallies += 1
        return {"counted": 3, "skipped": 1}

    def fetch(self, context: JobContext) -> dict[str, int]:
        if self.broken:
            raise RuntimeError("the source answered 500")
        return {"fetched": 2}

    @hookimpl
    def kdc_register_jobs(self, register):
        register(Job(name="tally", help="Count things.", run=self.tally, schedule="0 2 * * *"))
        register(Job(name="fetch", help="Fetch things.", run=self.fetch))


@pytest.fixture
def jobs() -> Jobs:
    return Jobs()


@pytest.fixture
def kdc_extra_plugins(jobs):
    return [("test-jobs", jobs)]


@pytest.fixture
def app(kdc_app, jobs):
    runner.run(kdc_app, "tally", now=lambda: WINTER)
    runner.run(kdc_app, "fetch", now=lambda: WINTER)  # fails
    runner.run(kdc_app, "tally", now=lambda: SUMMER)
    app = create_app(kdc_app, SECRET_KEY=TEST_SECRET)
    for email, role in ((VIEWER, "viewer"), (LIAISON, "liaison"), (ADMIN, "admin")):
        add_user(kdc_app, email, role)
    return app


def client_for(app, email: str | None):
    client = app.test_client()
    if email is not None:
        assert log_in(client, email).status_code == 302
    return client


def job_row(html: str, name: str) -> str:
    match = re.search(rf'<tr id="job-{name}".*?</tr>', html, re.S)
    assert match is not None, f"no row for {name}"
    return match.group(0)


def test_anonymous_is_sent_to_the_login_and_runs_nothing(app, jobs):
    client = client_for(app, None)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    token = csrf_token(client, "/login")
    response = client.post(f"{PAGE}run/", data={"csrf_token": token, "job": "tally"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert jobs.tallies == 2


def test_every_job_with_its_schedule_last_run_failure_and_next_due(app, kdc_app):
    html = client_for(app, VIEWER).get(PAGE).get_data(as_text=True)
    tally = job_row(html, "tally")
    assert "<code>0 2 * * *</code>" in tally and "Count things." in tally
    assert "Thursday 1 July 2027, 2:00am" in tally  # last run, in summer time
    assert "counted 3, skipped 1" in tally and ">ok<" in tally
    (status,) = [s for s in runner.statuses(kdc_app) if s.job.name == "tally"]
    assert clock_time(status.next_due, kdc_app.settings.tz) in tally

    fetch = job_row(html, "fetch")
    assert "manual only" in fetch and "table-danger" in fetch
    assert re.search(r'class="small text-nowrap kdc-next-due">–<', fetch)  # never due
    assert "Friday 15 January 2027, 2:00am: RuntimeError: the source answered 500" in fetch
    assert "02:00:05" not in html and "UTC" not in html

    log = html[html.index('id="job-runs"') :]
    assert len(re.findall(r'<tr id="run-\d+" class="outcome-', log)) == 3
    assert log.count('class="outcome-failed"') == 1


def test_the_runs_log_shows_one_job(app):
    html = client_for(app, VIEWER).get(PAGE, query_string={"job": "fetch"}).get_data(as_text=True)
    log = html[html.index('id="job-runs"') :]
    assert len(re.findall(r'<tr id="run-\d+"', log)) == 1
    assert "Recent runs of fetch" in html


@pytest.mark.parametrize("email", [VIEWER, LIAISON])
def test_only_admins_may_run_a_job(app, jobs, email):
    client = client_for(app, email)
    assert "Run now" not in client.get(PAGE).get_data(as_text=True)
    token = csrf_token(client, "/admin/")
    response = client.post(f"{PAGE}run/", data={"csrf_token": token, "job": "tally"})
    assert response.status_code == 403
    assert jobs.tallies == 2


def test_an_admin_runs_a_job_through_the_runner_with_csrf(app, kdc_app, jobs):
    client = client_for(app, ADMIN)
    assert "Run now" in job_row(client.get(PAGE).get_data(as_text=True), "tally")
    assert client.post(f"{PAGE}run/", data={"job": "tally"}).status_code == 400
    assert jobs.tallies == 2

    response = client.post(
        f"{PAGE}run/",
        data={"csrf_token": csrf_token(client, PAGE), "job": "tally"},
        follow_redirects=True,
    )
    assert "tally ran in" in response.get_data(as_text=True)
    assert "counted 3, skipped 1" in response.get_data(as_text=True)
    assert jobs.tallies == 3
    (latest, *_) = runner.history(kdc_app, "tally")
    assert (latest.trigger, latest.status) == ("admin", "ok")

    jobs.broken = True
    response = client.post(
        f"{PAGE}run/",
        data={"csrf_token": csrf_token(client, PAGE), "job": "fetch"},
        follow_redirects=True,
    )
    assert "fetch failed: RuntimeError: the source answered 500" in response.get_data(as_text=True)
    token = csrf_token(client, PAGE)
    assert client.post(f"{PAGE}run/", data={"csrf_token": token, "job": "nope"}).status_code == 404
