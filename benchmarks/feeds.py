"""What a calendar client gets from a real ``kdc serve``: three targets, on PostgreSQL (fsync
on) and SQLite.

    .venv/bin/python benchmarks/feeds.py [--database postgres|sqlite|both] [--events 600]
                                         [--big 6000] [--rounds 300] [--changes 15]

For each database it seeds three councillors — Ann invited to ``--events`` events over the
next year, Cat to ``--big`` events, Bob to a few of his own — starts ``kdc serve`` as a
separate process (``[plugins.ical] recheck_seconds = 0``: every request asks the database)
and times GETs over HTTP from this process, a new connection for each, as a calendar client
polling every hour makes. The server's CPU time is read from ``/proc/<pid>/stat`` before and
after each series. PostgreSQL is a throwaway cluster started with fsync, synchronous commit
and full-page writes on (the test clusters turn them off).

1. **304 vs rebuild** — Ann's feed with a matching ``If-None-Match`` (median wall; server CPU
   per request), against rebuilding the same feed from scratch with icalendar: resolve the
   token, load the events through the same rules, build and serialise the calendar (timed in
   this process, median wall and CPU, no HTTP — which only flatters the rebuild). Target: the
   304 at least 150× cheaper, in wall time and in CPU.
2. **6,000 vs 600 events, warm** — median full GET (200, whole body) of Cat's feed against
   Ann's. Target: at most 2×.

Every GET asks as calendar apps do, accepting gzip (``Accept-Encoding: gzip, deflate, br``),
so the feeds come gzipped; the warm GETs are also timed as a client that takes no
compressed answer, and that ratio printed without a target: what is left there is sending
ten times the bytes.
3. **First GET after an unrelated change** — ``--changes`` times: move one of Bob's events
   (committed from this process, as an admin or an import in another process would), then
   time the next full GET of Ann's feed; median, against Ann's warm GET. Target: at most 5×.

Prints each figure, each ratio with its target and PASS or FAIL; exits non-zero on any FAIL.
The old comparison with Radicale, in one process, is ``benchmarks/feeds_radicale.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import http.client
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, vDuration, vText
from sqlalchemy import create_engine, select, text

from kdc_core.app import Kdc
from kdc_core.calendar import feed_tokens
from kdc_core.calendar.bulk import upsert_external_many
from kdc_core.calendar.events import event_url, update_event
from kdc_core.calendar.feeds import FeedWindow, councillor_feed
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.config import Settings
from kdc_core.db import CouncillorRow, WardRow
from kdc_core.plugins import make_plugin_manager
from kdc_core.testing.databases import postgres_databases
from kdc_core.testing.nginx import WebWorker
from kdc_core.testing.postgres import ThrowawayCluster
from kdc_ical.render import PRODID, REFRESH, vevent_component
from kdc_ical.vtimezone import LONDON_VTIMEZONE

LONDON = ZoneInfo("Europe/London")
KINDS = [EventKind.WALKABOUT, EventKind.COUNCIL_MEETING, EventKind.BRIEFING, EventKind.OPEN_DAY]
TICK = os.sysconf("SC_CLK_TCK")

NOT_MODIFIED_TARGET = 150.0
BIG_TARGET = 2.0
AFTER_CHANGE_TARGET = 5.0


def _events(councillor_id: int, count: int, name: str) -> list[NewEvent]:
    first = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(9), LONDON)
    out = []
    for n in range(count):
        start = first + dt.timedelta(days=n * 365 // count, hours=n % 9)
        kind = KINDS[n % len(KINDS)]
        out.append(
            NewEvent(
                kind=kind,
                title=f"{name} ward event {n}: {kind.value}",
                start=start,
                end=start + dt.timedelta(hours=1, minutes=30),
                location=f"Room {n % 12}, Huddersfield Town Hall, Ramsden Street",
                description="Agenda and papers on the council website.\nBring ID.",
                councillor_ids=(councillor_id,),
                public=n % 3 == 0,
                source="benchmark",
                external_id=f"{name}-{n}",
            )
        )
    return out


def seed(kdc: Kdc, count: int, name: str = "Ann Lee", ward: str = "Dalton") -> str:
    """A councillor invited to ``count`` events spread over the next year; their feed token.

    (Also used by ``benchmarks/serve.py`` and ``benchmarks/feeds_radicale.py``.)
    """
    with kdc.unit_of_work(source="benchmark") as uow:
        row = uow.session.scalar(select(WardRow).where(WardRow.name == ward))
        councillor = CouncillorRow(name=name, ward=row or WardRow(name=ward, slug=ward.lower()))
        uow.session.add(councillor)
        uow.session.flush()
        upsert_external_many(uow, _events(councillor.id, count, name.split()[0]))
        owner = feed_tokens.FeedOwner(feed_tokens.OwnerKind.COUNCILLOR, councillor.id, name)
        return feed_tokens.issue(uow, owner).token


def rebuild(kdc: Kdc, token: str) -> bytes:
    """The councillor's feed built from scratch with icalendar: no caches at all."""
    with kdc.unit_of_work(source="benchmark", dry_run=True) as uow:
        owner = feed_tokens.resolve(uow, token, feed_tokens.OwnerKind.COUNCILLOR)
        assert owner is not None
        events = councillor_feed(uow, owner.id, FeedWindow.today(uow))
        cal = Calendar()
        cal.add("VERSION", "2.0")
        cal.add("PRODID", PRODID)
        cal.add("X-WR-CALNAME", vText(f"Cllr {owner.name}"))
        cal.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
        cal.add_component(Timezone.from_ical(LONDON_VTIMEZONE))
        for event in events:
            cal.add_component(vevent_component(event, event_url(uow, event)))
        return cal.to_ical()


#: What calendar apps (Outlook, Google Calendar, Apple Calendar) send with every poll.
CLIENT_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


def get(
    port: int, path: str, *, identity: bool = False, **headers: str
) -> tuple[int, bytes, dict[str, str]]:
    """One GET on a new connection (a client polling hourly keeps none open), as a calendar
    app asks (``identity``: as a client that takes no compressed answer); the body as sent
    (:func:`calendar` unzips it: the app's own work, not timed here)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers if identity else CLIENT_HEADERS | headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def calendar(answer: tuple[int, bytes, dict[str, str]]) -> bytes:
    """The calendar in an answer of :func:`get`, unzipped."""
    _status, body, headers = answer
    return gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body


def server_cpu(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def series(
    pid: int, rounds: int, request: Callable[[], tuple[int, bytes, dict[str, str]]], expect: int
) -> tuple[float, float]:
    """Median wall seconds of ``rounds`` requests, and the server's CPU seconds per request."""
    walls = []
    cpu_before = server_cpu(pid)
    for _ in range(rounds):
        started = time.perf_counter()
        status, _body, _headers = request()
        walls.append(time.perf_counter() - started)
        if status != expect:
            raise SystemExit(f"expected HTTP {expect}, got {status}")
    return statistics.median(walls), (server_cpu(pid) - cpu_before) / rounds


@contextlib.contextmanager
def durable_postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster with its durability settings on (fsync and all)."""
    # Not under this run's private folder: the server runs as postgres when we are root.
    cluster = ThrowawayCluster(Path(tempfile.mkdtemp(prefix="kdc-pg-")))
    cluster.start()  # initdb, then restart without the test clusters' fsync=off options
    cluster.stop()
    data = cluster.directory / "data"
    options = f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {data}"
    pg_ctl = str(cluster.bindir / "pg_ctl")
    cluster._run(
        pg_ctl, "-D", str(data), "-l", str(data / "server.log"), "-o", options, "-w", "start"
    )
    url = f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/postgres"
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            settings = [
                conn.execute(text(f"SHOW {name}")).scalar()
                for name in ("fsync", "synchronous_commit")
            ]
        engine.dispose()
        if settings != ["on", "on"]:
            raise SystemExit(f"PostgreSQL is not durable: fsync, synchronous_commit = {settings}")
        yield url
    finally:
        cluster.stop()
        shutil.rmtree(cluster.directory, ignore_errors=True)


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    with durable_postgres() as server, postgres_databases(server, "kdc_bench") as make:
        yield make("feeds")


def run(kind: str, args: argparse.Namespace) -> list[tuple[str, float, float, bool]]:
    """One database's figures; returns (label, ratio, target, at most?) rows."""
    folder = Path(tempfile.mkdtemp(prefix=f"kdc-bench-feeds-{kind}-"))
    try:
        with database(kind, folder) as url:
            settings = Settings(database_url=url, instance_path=folder / "instance", environ={})
            kdc = Kdc(settings, make_plugin_manager(settings))
            worker = None
            try:
                kdc.upgrade_schema()
                seeded = time.perf_counter()
                ann = seed(kdc, args.events, "Ann Lee", "Dalton")
                cat = seed(kdc, args.big, "Cat Roe", "Almondbury")
                seed(kdc, 20, "Bob Hall", "Dalton")
                with kdc.unit_of_work(dry_run=True) as uow:
                    bob_events = [
                        e.id
                        for e in uow.events.query()
                        if e.external_id and e.external_id.startswith("Bob-")
                    ]
                seeded = time.perf_counter() - seeded
                config = folder / "kdc.toml"
                config.write_text("[plugins.ical]\nrecheck_seconds = 0\n")
                env = {k: v for k, v in os.environ.items() if not k.startswith("KDC_")} | {
                    "KDC_DATABASE_URL": url,
                    "KDC_BASE_URL": "https://calendar.kirklees.example",
                    "KDC_SECRET_KEY": secrets.token_hex(32),
                    "KDC_CONFIG": str(config),
                    "KDC_INSTANCE_PATH": str(folder / "serve"),
                }
                worker = WebWorker(env, folder / "serve.log", folder).start()
                assert worker.process is not None
                pid, port = worker.process.pid, worker.port
                ann_path, cat_path = (f"/feeds/councillors/{t}.ics" for t in (ann, cat))

                first = get(port, ann_path)
                status, headers = first[0], first[2]
                body, big_body = calendar(first), calendar(get(port, cat_path))
                counts = (body.count(b"BEGIN:VEVENT"), big_body.count(b"BEGIN:VEVENT"))
                if status != 200 or counts != (args.events, args.big):
                    raise SystemExit(f"the feeds do not hold the events seeded: {counts}")
                etag = headers["etag"]
                for _ in range(20):  # warm up connections, caches and the server's code paths
                    get(port, ann_path)
                    get(port, cat_path)
                    get(port, ann_path, **{"If-None-Match": etag})

                rebuild_walls, rebuild_cpus = [], []
                for _ in range(max(5, args.rounds // 30)):
                    wall, cpu = time.perf_counter(), time.process_time()
                    rebuilt = rebuild(kdc, ann)
                    rebuild_cpus.append(time.process_time() - cpu)
                    rebuild_walls.append(time.perf_counter() - wall)
                if rebuilt.count(b"BEGIN:VEVENT") != args.events:
                    raise SystemExit("the rebuild does not hold the same events")
                rebuild_wall = statistics.median(rebuild_walls)
                rebuild_cpu = statistics.median(rebuild_cpus)

                nm_wall, nm_cpu = series(
                    pid, args.rounds, lambda: get(port, ann_path, **{"If-None-Match": etag}), 304
                )
                warm_wall, warm_cpu = series(pid, args.rounds, lambda: get(port, ann_path), 200)
                big_wall, big_cpu = series(pid, args.rounds, lambda: get(port, cat_path), 200)
                plain = [
                    series(pid, args.rounds, lambda p=p: get(port, p, identity=True), 200)
                    for p in (ann_path, cat_path)
                ]
                sizes = [
                    int(get(port, p, **h)[2]["content-length"])
                    for p in (ann_path, cat_path)
                    for h in ({}, {"Accept-Encoding": "identity"})
                ]

                after_walls, after_cpus = [], []
                for n in range(args.changes):
                    with kdc.unit_of_work(source="benchmark") as uow:
                        update_event(uow, bob_events[n % len(bob_events)], location=f"Room {n}")
                    cpu = server_cpu(pid)
                    started = time.perf_counter()
                    answer = get(port, ann_path)
                    after_walls.append(time.perf_counter() - started)
                    after_cpus.append(server_cpu(pid) - cpu)
                    if answer[0] != 200 or calendar(answer) != body:
                        raise SystemExit("an unrelated change altered Ann's feed")
                after_wall = statistics.median(after_walls)
                after_cpu = sum(after_cpus) / len(after_cpus)
            finally:
                if worker is not None:
                    worker.stop()
                kdc.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\n{kind}: seeded {args.events + args.big + 20} events in {seeded:.1f} s;")
    print(f"a separate kdc serve (pid {pid}), a new HTTP connection per GET")
    rows = [
        (f"rebuild with icalendar, {args.events} events", rebuild_wall, rebuild_cpu, "CPU, here"),
        (f"304, {args.rounds} GETs", nm_wall, nm_cpu, "server CPU"),
        (
            f"warm GET, {args.events} events ({sizes[0] // 1024} KiB gzipped)",
            warm_wall,
            warm_cpu,
            "",
        ),
        (f"warm GET, {args.big} events ({sizes[2] // 1024} KiB gzipped)", big_wall, big_cpu, ""),
        (f"  the same, no gzip ({sizes[1] // 1024} KiB)", *plain[0], ""),
        (f"  the same, no gzip ({sizes[3] // 1024} KiB)", *plain[1], ""),
        (f"first GET after an unrelated change ({args.changes})", after_wall, after_cpu, ""),
    ]
    for label, wall, cpu, what in rows:
        print(
            f"  {label:<44} {wall * 1000:9.3f} ms wall {cpu * 1000:9.3f} ms {what or 'server CPU'}"
        )
    print(
        f"  (no target) {args.big} / {args.events} events warm, no gzip: "
        f"{plain[1][0] / plain[0][0]:.1f}x"
    )
    cpu_ratio = rebuild_cpu / max(nm_cpu, 1e-9)
    return [
        (f"{kind}: rebuild / 304, wall", rebuild_wall / nm_wall, NOT_MODIFIED_TARGET, False),
        (
            f"{kind}: rebuild / 304, server CPU",
            cpu_ratio,
            NOT_MODIFIED_TARGET,
            False,
        ),
        (f"{kind}: {args.big} / {args.events} events warm", big_wall / warm_wall, BIG_TARGET, True),
        (f"{kind}: after a change / warm", after_wall / warm_wall, AFTER_CHANGE_TARGET, True),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--big", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=300, help="GETs in each timed series")
    parser.add_argument("--changes", type=int, default=15, help="unrelated changes timed")
    args = parser.parse_args(argv)
    kinds = ("postgres", "sqlite") if args.database == "both" else (args.database,)
    rows = [row for kind in kinds for row in run(kind, args)]
    print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    failed = False
    for label, ratio, target, at_most in rows:
        ok = ratio <= target if at_most else ratio >= target
        failed |= not ok
        sign = "<=" if at_most else ">="
        print(
            f"  {label:<40} {ratio:8.1f}x  (target {sign} {target:g}x)  {'PASS' if ok else 'FAIL'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
