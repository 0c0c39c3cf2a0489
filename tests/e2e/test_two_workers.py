"""Two ``kdc serve`` workers on one PostgreSQL database behind nginx: the layout of
docs/deploy.md, with real processes.

nginx (Debian's package) is started here on 127.0.0.1 with both workers as its upstream. Which
worker answered a request is read from the workers' own access logs: nginx gives every request
an id (``X-Request-ID``), the worker logs it and returns it in the response. Without nginx the
tests skip, unless ``KDC_REQUIRE_NGINX`` or ``KDC_FAIL_ON_SKIP`` is set (as in CI), when they
fail. ``test_deploy_doc.py`` checks that docs/deploy.md gives nginx these same settings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import re
import secrets
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from sqlalchemy import select

from kdc_core.app import Kdc
from kdc_core.calendar import feed_tokens
from kdc_core.calendar.events import create_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.config import Settings
from kdc_core.db.jobs import JobRunRow
from kdc_core.demo.photos import seed_photos
from kdc_core.jobs import runner
from kdc_core.plugins import make_plugin_manager
from kdc_core.testing import copy_template
from kdc_core.testing.databases import no_postgres, postgres_databases
from kdc_core.testing.nginx import KDC, ThrowawayNginx, WebWorker, free_port, require_nginx
from kdc_core.users import sessions

# One set of processes for the module, so its tests run together, in order, on one xdist worker.
pytestmark = [pytest.mark.postgres, pytest.mark.nginx, pytest.mark.xdist_group("two_workers")]


@attrs.define
class Stack:
    kdc: Kdc
    env: dict[str, str]
    folder: Path
    workers: list[WebWorker]
    nginx: ThrowawayNginx

    def served_by(self, *wanted: str) -> dict[str, int]:
        """Request id → the index of the worker whose access log has it. The workers write
        their logs from a thread of their own, so this waits (up to 10 s) until every id in
        ``wanted`` is there."""
        deadline = time.monotonic() + 10
        while True:
            found: dict[str, int] = {}
            for index, worker in enumerate(self.workers):
                for line in worker.output().splitlines():
                    with contextlib.suppress(ValueError):
                        entry = json.loads(line)
                        if entry.get("logger") == "kdc.access":
                            found[entry["request_id"]] = index
            if set(wanted) <= found.keys() or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@pytest.fixture(scope="module")
def stack(
    request: pytest.FixtureRequest,
    kdc_postgres_url: str | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    require_nginx()
    if kdc_postgres_url is None:
        no_postgres()
    folder = tmp_path_factory.mktemp("two-workers")
    proxy_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDC_")}
    with postgres_databases(kdc_postgres_url, "kdc_two_workers") as make:
        database_url = make("demo")
        copy_template(request, database_url, "demo")
        env |= {
            "KDC_DATABASE_URL": database_url,
            "KDC_BASE_URL": f"http://127.0.0.1:{proxy_port}",
            # Each worker has its own instance folder: only the key makes their cookies agree.
            "KDC_SECRET_KEY": secrets.token_hex(32),
            "KDC_LOG_FORMAT": "json",
            "KDC_MAIL_MAILER": "maildir",
            "KDC_MAIL_SENDER": "calendar@kirklees.example",
            "PYTHONUNBUFFERED": "1",
        }
        settings = Settings(database_url=database_url, instance_path=folder / "jobs", environ={})
        kdc = Kdc(settings, make_plugin_manager(settings))
        workers: list[WebWorker] = []
        nginx: ThrowawayNginx | None = None
        try:
            for index in range(2):
                worker_env = env | {"KDC_INSTANCE_PATH": str(folder / f"worker{index}")}
                log = folder / f"worker{index}.log"
                workers.append(WebWorker(worker_env, log, folder))
                workers[-1].start()
            upstreams = [w.address for w in workers]
            nginx = ThrowawayNginx(folder / "nginx", upstreams, port=proxy_port)
            nginx.start()
            yield Stack(kdc, env, folder, workers, nginx)
        finally:
            if nginx is not None:
                nginx.stop()
            for worker in workers:
                worker.stop()
            kdc.dispose()


class Browser:
    """One keep-alive connection to the proxy that keeps cookies, as a browser would."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPMessage, str]:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        text = response.read().decode()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, text

    def close(self) -> None:
        self.connection.close()


def _councillor(kdc: Kdc) -> tuple[int, str, str]:
    with kdc.unit_of_work(dry_run=True) as uow:
        first = next(c for c in uow.people.councillors() if c.email)
        return first.id, first.name, first.email


def test_a_person_signs_in_through_one_worker_and_carries_on_through_the_other(stack):
    _, name, email = _councillor(stack.kdc)
    with stack.kdc.unit_of_work() as uow:
        token = sessions.issue_sign_in_link(uow, email)
    browser = Browser(stack.nginx.port)
    try:
        status, headers, page = browser.request("GET", f"/sign-in/link/{token}")
        assert status == 200, page
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, headers, page = browser.request(
            "POST", f"/sign-in/link/{token}", body=f"csrf_token={csrf}"
        )
        assert status == 302, page
        signed_in_by = headers["X-Request-ID"]
        carried_on = []
        for _ in range(6):
            status, headers, page = browser.request("GET", "/")
            assert status == 200
            assert re.search(rf"Signed in as <strong[^>]*>{re.escape(name)}</strong>", page)
            carried_on.append(headers["X-Request-ID"])
    finally:
        browser.close()
    served_by = stack.served_by(signed_in_by, *carried_on)
    signed_in_on = served_by[signed_in_by]
    workers = {served_by[request_id] for request_id in carried_on}
    assert workers == {0, 1}
    assert 1 - signed_in_on in workers  # the other worker knew the session too


def _feed_path(kdc: Kdc) -> str:
    """A new feed address for a councillor invited to a dozen meetings."""
    councillor_id, name, _ = _councillor(kdc)
    first = dt.datetime.combine(dt.date.today(), dt.time(18), ZoneInfo("Europe/London"))
    with kdc.unit_of_work() as uow:
        if not feed_tokens.active_tokens(uow, feed_tokens.OwnerKind.COUNCILLOR):
            for n in range(12):
                start = first + dt.timedelta(days=7 * n + 1)
                create_event(
                    uow,
                    NewEvent(
                        kind=EventKind.COUNCIL_MEETING,
                        title=f"Full council {n + 1}",
                        start=start,
                        end=start + dt.timedelta(hours=2),
                        location="Huddersfield Town Hall",
                        councillor_ids=(councillor_id,),
                    ),
                )
        owner = feed_tokens.FeedOwner(feed_tokens.OwnerKind.COUNCILLOR, councillor_id, name)
        issued = feed_tokens.issue(uow, owner)
    return f"/feeds/councillors/{issued.token}.ics"


def test_a_councillor_feed_has_one_etag_and_a_304_from_either_worker(stack):
    path = _feed_path(stack.kdc)
    browser = Browser(stack.nginx.port)
    try:
        full: list[tuple[str, str, int]] = []
        for _ in range(4):
            status, headers, body = browser.request("GET", path)
            assert status == 200
            assert "BEGIN:VEVENT" in body
            full.append((headers["X-Request-ID"], headers["ETag"], len(body)))
        etags = {etag for _, etag, _ in full}
        assert len(etags) == 1 and len({size for *_, size in full}) == 1
        (etag,) = etags
        not_modified = []
        for _ in range(4):
            status, headers, body = browser.request("GET", path, headers={"If-None-Match": etag})
            assert (status, body) == (304, "")
            assert headers["ETag"] == etag
            not_modified.append(headers["X-Request-ID"])
    finally:
        browser.close()
    served_by = stack.served_by(*(request_id for request_id, *_ in full), *not_modified)
    assert {served_by[request_id] for request_id, *_ in full} == {0, 1}
    assert {served_by[request_id] for request_id in not_modified} == {0, 1}


def test_jobs_started_on_both_hosts_at_once_run_once(stack):
    schedules = {
        job.name: schedule
        for job in runner.jobs(stack.kdc).values()
        if (schedule := runner.schedule_of(stack.kdc, job)).expression is not None
    }
    scheduled = set(schedules)
    assert len(scheduled) >= 5
    # The demo's portraits, so the photo job has nothing to fetch from the demo's made-up host.
    seed_photos(stack.kdc)
    started = [
        subprocess.Popen(
            [KDC, "jobs", "run-due", "--json"],
            cwd=stack.folder,
            env=stack.env | {"KDC_INSTANCE_PATH": str(stack.kdc.settings.instance_path)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(2)
    ]
    outcomes: Counter[tuple[str, str]] = Counter()
    for process in started:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes.update((o["job"], o["status"]) for o in json.loads(out))
    with stack.kdc.unit_of_work(dry_run=True) as uow:
        runs = uow.session.execute(
            select(JobRunRow.job, JobRunRow.status, JobRunRow.started_at)
        ).all()
    assert {job for job, _, _ in runs} == scheduled
    assert {status for _, status, _ in runs} == {"ok"}
    # Once for each time a schedule fired. The outbox's job is due every minute, so when the
    # two hosts' runs go over the turn of a minute it rightly runs again, for the new minute;
    # no job may run twice for one firing.
    tz = stack.kdc.settings.tz
    firings = Counter((job, schedules[job].previous(started, tz)) for job, _, started in runs)
    assert set(firings.values()) == {1}, firings
    # Each run was reported, as "ok", by the host that ran it.
    ok = Counter({job: n for (job, status), n in outcomes.items() if status == "ok"})
    assert ok == Counter(job for job, _, _ in runs)


def test_a_worker_killed_under_load_fails_no_request(stack):
    """A worker is SIGKILLed in the middle of the run, between two of its answers: the
    requests nginx then sends it (over its kept-alive connections, or new ones) fail and are
    retried on the other worker. (An answer already on its way when a worker dies cannot be
    retried by any proxy: its status line has reached the client. The kill here comes while
    no answer is in flight, which is what the proxy can be held to.)"""
    feed = _feed_path(stack.kdc)
    paths = [feed, "/", "/feeds/public.ics"]
    total, threads, kill_after = 200, 8, 40
    results: list[tuple[str, int, str]] = []
    lock = threading.Lock()
    enough = threading.Event()
    go = threading.Event()
    go.set()
    in_flight = [0]
    failures: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", stack.nginx.port, timeout=30)
        try:
            while True:
                go.wait()
                with lock:
                    if claimed[0] >= total:
                        return
                    claimed[0] += 1
                    in_flight[0] += 1
                    path = paths[claimed[0] % len(paths)]
                try:
                    connection.request("GET", path)
                    response = connection.getresponse()
                    response.read()
                    outcome = (path, response.status, response.headers["X-Request-ID"] or "")
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        in_flight[0] -= 1
                        failures.append(f"{path}: {type(exc).__name__}: {exc}")
                    connection.close()
                    continue
                with lock:
                    in_flight[0] -= 1
                    results.append(outcome)
                    if len(results) >= kill_after and not enough.is_set():
                        go.clear()  # hold new requests while the worker is killed
                        enough.set()
        finally:
            connection.close()

    claimed = [0]
    pool = [threading.Thread(target=client) for _ in range(threads)]
    for thread in pool:
        thread.start()
    try:
        assert enough.wait(60), "the load did not start"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with lock:
                if in_flight[0] == 0:
                    break
            time.sleep(0.005)
        victim = stack.workers[0]
        victim.kill()
        with lock:
            done_at_kill = len(results)
    finally:
        go.set()
        for thread in pool:
            thread.join(120)
    assert not failures, failures
    assert len(results) == total
    assert kill_after <= done_at_kill < total  # the worker died in the middle of the run
    statuses = Counter(status for _, status, _ in results)
    assert statuses == Counter({200: total}), statuses
    # nginx saw the dead worker fail and sent those requests on to the other one.
    retried = [
        line
        for line in stack.nginx.access_log.read_text().splitlines()
        if re.search(r"upstream=\S+, \S+", line)
    ]
    assert retried, "no request was retried on the other worker"
    served_by = stack.served_by(*(request_id for _, _, request_id in results[done_at_kill + 8 :]))
    survivors = {served_by.get(request_id) for _, _, request_id in results[done_at_kill + 8 :]}
    assert survivors == {1}
