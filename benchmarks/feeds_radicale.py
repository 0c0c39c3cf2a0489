"""Our councillor feed against Radicale and a rebuild, in one process: three figures, two targets.

    .venv/bin/python benchmarks/feeds_radicale.py [--events 600] [--rounds 15]

Builds a temporary SQLite database with one councillor invited to ~600 events over the
next year, serves the web app (``kdc_admin.create_app``, feed blueprint included) with a real
waitress server on 127.0.0.1, and times, opening a new HTTP connection for every GET (as a
calendar client polling hourly does):

1. our feed route (``/feeds/councillors/<token>.ics``), warm: the median full GET;
2. a rebuild per request: a route on the same server that resolves the same token, loads the
   same events through the same rules, builds the calendar with icalendar and serialises it —
   what the feed would cost without its caches;
3. Radicale 3.9, started here, holding the same events, serving the calendar collection as
   one .ics (median GET). By default its store is filled on disk with exactly the resources
   ``kdc calendar push`` would PUT, then the push's own comparison (one REPORT) confirms the
   server holds all of them unchanged; ``--upload http`` PUTs them one by one instead (about
   40 s for 600 here: Radicale's cost per PUT grows with the collection);

Targets: the feed ≥ 20× faster than the rebuild and faster than Radicale. Prints PASS or FAIL
for each and exits non-zero on any FAIL. What users get from a separate ``kdc serve`` — the
304, big feeds, the first GET after a change — is measured by ``benchmarks/feeds.py``.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from feeds import rebuild, seed
from flask import Blueprint, Flask, Response

from kdc_caldav.config import CaldavConfig, load_config
from kdc_caldav.push import CalendarPlan, make_client, plan, push_calendar
from kdc_core.app import Kdc
from kdc_core.calendar.values import EventKind
from kdc_core.config import Settings
from kdc_core.plugins import make_plugin_manager
from kdc_core.testing.radicale import ThrowawayRadicale

LONDON = ZoneInfo("Europe/London")
PASSWORD = "bench-password"
KINDS = [EventKind.WALKABOUT, EventKind.COUNCIL_MEETING, EventKind.BRIEFING, EventKind.OPEN_DAY]


def make_kdc(directory: Path, radicale_url: str) -> Kdc:
    settings = Settings(
        database_url=f"sqlite:///{directory / 'bench.sqlite3'}",
        instance_path=directory / "instance",
        base_url="https://calendar.kirklees.example",
        plugin_sections={
            "caldav": {"url": radicale_url, "username": "kdc", "password": {"$env": "PW"}}
        },
        environ={"PW": PASSWORD},
    )
    kdc = Kdc(settings, make_plugin_manager(settings))
    kdc.upgrade_schema()
    return kdc


def rebuild_blueprint(kdc: Kdc) -> Blueprint:
    """The same feed, built from scratch with icalendar on every request (no caches)."""
    bp = Blueprint("bench_rebuild", __name__)

    @bp.get("/bench/rebuild/<token>.ics")
    def rebuild_route(token: str) -> Response:
        return Response(rebuild(kdc, token), content_type="text/calendar; charset=utf-8")

    return bp


def make_app(kdc: Kdc) -> tuple[Flask, str]:
    try:
        from kdc_admin import create_app
    except ImportError:
        app = Flask("bench")
        for blueprints in kdc.pm.hook.kdc_blueprints(kdc=kdc):
            for blueprint in blueprints:
                app.register_blueprint(blueprint)
        how = "a bare Flask app with the kdc_blueprints hook's blueprints"
    else:
        app = create_app(kdc, SECRET_KEY="benchmark-secret-" + "x" * 32)
        how = "kdc_admin.create_app"
    app.register_blueprint(rebuild_blueprint(kdc))
    return app, how


def fill_store(radicale: ThrowawayRadicale, config: CaldavConfig, item: CalendarPlan) -> None:
    """Write the push's resources straight into Radicale's filesystem storage (before start)."""
    folder = radicale.collection_dir(item.calendar_url.removeprefix(config.url.rstrip("/")))
    folder.mkdir(parents=True)
    props = {"tag": "VCALENDAR", "D:displayname": f"Cllr {item.name}"}
    (folder / ".Radicale.props").write_text(json.dumps(props), encoding="utf-8")
    for n, resource in enumerate(item.wanted):
        (folder / f"event-{n}.ics").write_text(resource.text, encoding="utf-8", newline="")


class Client:
    """A new HTTP connection per request, as a calendar client polling every hour makes.

    (Keep-alive would not be fair either way: Radicale's server closes every connection, and
    waitress closes the connection after each 304, having no Content-Length to send.)
    """

    def __init__(self, host: str, port: int, auth: tuple[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.headers = {}
        if auth:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"

    def get(self, path: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request("GET", path, headers={**self.headers, **headers})
            response = conn.getresponse()
            body = response.read()
            return response.status, body, {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()


def timed(get, rounds: int, expect: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        status, _body, _headers = get()
        times.append(time.perf_counter() - start)
        if status != expect:
            raise SystemExit(f"expected HTTP {expect}, got {status}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=15, help="timed GETs of slow paths")
    parser.add_argument(
        "--upload",
        choices=("disk", "http"),
        default="disk",
        help="how Radicale gets the events (default: written to its store, then checked)",
    )
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="kdc-bench-feeds-"))
    radicale = ThrowawayRadicale(directory / "radicale", {"kdc": PASSWORD})
    server = kdc = None
    try:
        kdc = make_kdc(directory, radicale.url)
        token = seed(kdc, args.events)
        config = load_config(kdc.settings)
        assert config is not None
        [item] = plan(kdc, config)
        if args.upload == "disk":
            fill_store(radicale, config, item)
        radicale.start()
        outcome = push_calendar(make_client(config), item)
        stored_ok = outcome.unchanged + outcome.created == args.events and not outcome.updated
        if not stored_ok:
            raise SystemExit(f"Radicale does not hold the {args.events} events: {outcome}")
        app, how = make_app(kdc)
        from waitress import create_server

        server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="kdc")
        threading.Thread(target=server.run, daemon=True).start()
        ours = Client("127.0.0.1", server.effective_port)
        calendar_path = item.calendar_url.removeprefix(radicale.url.rstrip("/"))
        theirs = Client("127.0.0.1", radicale.port, auth=("kdc", PASSWORD))
        radicale_cold_start = time.perf_counter()
        theirs.get(calendar_path)
        radicale_cold = time.perf_counter() - radicale_cold_start

        feed = f"/feeds/councillors/{token}.ics"
        cold_start = time.perf_counter()
        status, body, _headers = ours.get(feed)
        cold = time.perf_counter() - cold_start
        events = body.count(b"BEGIN:VEVENT")
        _, rebuilt, _ = ours.get(f"/bench/rebuild/{token}.ics")
        _, stored, _ = theirs.get(calendar_path)
        counts = (events, rebuilt.count(b"BEGIN:VEVENT"), stored.count(b"BEGIN:VEVENT"))
        if status != 200 or len(set(counts)) != 1 or events != args.events:
            raise SystemExit(f"the three do not serve the same {args.events} events: {counts}")

        fast_rounds = max(args.rounds * 10, 100)
        rebuild = timed(lambda: ours.get(f"/bench/rebuild/{token}.ics"), args.rounds, 200)
        radicale_times = timed(lambda: theirs.get(calendar_path), args.rounds, 200)
        full = timed(lambda: ours.get(feed), fast_rounds, 200)
    finally:
        if server is not None:
            server.task_dispatcher.shutdown(timeout=5)
            server.close()
        radicale.stop()
        if kdc is not None:
            kdc.dispose()
        shutil.rmtree(directory, ignore_errors=True)

    med = {
        "rebuild": statistics.median(rebuild),
        "radicale": statistics.median(radicale_times),
        "feed": statistics.median(full),
    }
    print(f"Councillor feed of {events} events ({len(body) // 1024} KiB), served by waitress")
    print(f"through {how}; a new HTTP connection per GET; medians of {fast_rounds} (fast paths)")
    print(f"or {args.rounds} (slow paths) GETs. First GETs, not counted: ours {cold * 1000:.0f} ms")
    print(f"(renders every VEVENT once), Radicale {radicale_cold * 1000:.0f} ms.")
    if args.upload == "disk":
        print(f"Radicale's store was written on disk; the push then found {outcome.unchanged}")
        print("of them there, unchanged.")
    else:
        print(f"Radicale's store was filled by the push over HTTP ({outcome.created} PUTs).")
    print()
    rows = [
        ("our feed route (warm)", med["feed"]),
        ("rebuild with icalendar per request", med["rebuild"]),
        ("Radicale 3.9, same collection", med["radicale"]),
    ]
    for label, seconds in rows:
        print(f"  {label:<38} {seconds * 1000:9.2f} ms")
    print()
    checks = [
        ("feed vs rebuild", med["rebuild"] / med["feed"], 20.0),
        ("feed vs Radicale", med["radicale"] / med["feed"], 1.0),
    ]
    failed = False
    for label, ratio, target in checks:
        ok = ratio >= target
        failed |= not ok
        verdict = "PASS" if ok else "FAIL"
        print(f"  {label:<20} {ratio:8.1f}x faster (target >= {target:g}x)  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
