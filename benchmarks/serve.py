"""How many feed requests a second do two workers behind nginx answer? Two ratios against the
floor of nginx serving the same bytes itself.

    .venv/bin/python benchmarks/serve.py [--events 600] [--requests 3000] [--threads 8]
                                         [--rounds 5] [--recheck-seconds 1]

Starts a throwaway PostgreSQL cluster (``--database-url`` names an empty database instead),
seeds one councillor invited to ``--events`` events (``seed`` of ``benchmarks/feeds.py``),
starts two ``kdc serve`` processes on it and nginx in front of them (:mod:`kdc_core.testing.nginx`,
the proxy settings of docs/deploy.md). The councillor's feed, fetched once through the proxy,
is also written to a file nginx serves itself: the floor, no Python involved.

A bounded client on 127.0.0.1 — ``--threads`` threads, each with one keep-alive
``http.client`` connection — makes ``--requests`` GETs of each, after a warm-up:

1. **static**: the feed's bytes as a file served by nginx (the floor);
2. **feed**: ``/feeds/councillors/<token>.ics`` through nginx to the workers, warm (every
   worker has the feed cached, and checks the token and the calendar against the database at
   most once per ``--recheck-seconds``, the workers' ``[plugins.ical] recheck_seconds`` as
   docs/deploy.md sets it; with 0, on every request);
3. **304**: the same with ``If-None-Match`` and the feed's ETag.

The workers answer both before Flask's request handling (:mod:`kdc_admin.fastpath`), as they
answer any plain feed GET.

The three are measured in ``--rounds`` rounds, one after another within each round, so a
change in the machine's load touches all three alike; each ratio is the median of the
rounds' ratios.

Targets: the feed at ≥ 25% of the floor's requests a second, the 304 at ≥ 40%. Prints each
figure, the ratios and PASS or FAIL; exits non-zero on any FAIL. The client shares the
machine's cores with nginx, the workers and PostgreSQL, so the floor is partly the client's own
speed: the ratios say how much of what this machine can push through nginx the app keeps.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from feeds import seed

from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.plugins import make_plugin_manager
from kdc_core.testing.databases import postgres_databases
from kdc_core.testing.nginx import ThrowawayNginx, WebWorker, free_port
from kdc_core.testing.postgres import server_url

FEED_TARGET = 0.25
NOT_MODIFIED_TARGET = 0.40
STATIC_PATH = "/static/feed.ics"


def load(
    port: int, path: str, requests: int, threads: int, expect: int, headers: dict[str, str]
) -> float:
    """``requests`` GETs of ``path`` from ``threads`` keep-alive connections; requests a second.

    :raises RuntimeError: a response other than ``expect``, or a failed request.
    """
    claimed = [0]
    lock = threading.Lock()
    problems: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while True:
                with lock:
                    if claimed[0] >= requests or problems:
                        return
                    claimed[0] += 1
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != expect:
                    with lock:
                        problems.append(f"{path}: {response.status}, expected {expect}")
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                problems.append(f"{path}: {type(exc).__name__}: {exc}")
        finally:
            connection.close()

    pool = [threading.Thread(target=client) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - started
    if problems:
        raise RuntimeError(problems[0])
    return requests / seconds


@contextlib.contextmanager
def database(explicit: str | None) -> Iterator[str]:
    if explicit:
        yield explicit
        return
    with server_url() as server, postgres_databases(server, "kdc_bench_serve") as make:
        yield make("serve")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--requests", type=int, default=3000, help="GETs of each kind")
    parser.add_argument("--threads", type=int, default=8, help="concurrent client connections")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the three kinds")
    parser.add_argument(
        "--worker-threads", type=int, default=4, help="each worker's kdc serve --threads"
    )
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use")
    parser.add_argument(
        "--recheck-seconds",
        type=float,
        default=1.0,
        help="the workers' [plugins.ical] recheck_seconds (docs/deploy.md; 0 checks the "
        "database on every request)",
    )
    args = parser.parse_args(argv)

    with (
        tempfile.TemporaryDirectory(prefix="kdc-bench-serve-") as tmp,
        database(args.database_url) as url,
    ):
        folder = Path(tmp)
        settings = Settings(database_url=url, instance_path=folder / "instance", environ={})
        kdc = Kdc(settings, make_plugin_manager(settings))
        try:
            kdc.upgrade_schema()
            token = seed(kdc, args.events)
        finally:
            kdc.dispose()
        feed_path = f"/feeds/councillors/{token}.ics"
        config = folder / "kdc.toml"
        config.write_text(f"[plugins.ical]\nrecheck_seconds = {args.recheck_seconds}\n")
        static_file = folder / "feed.ics"
        proxy_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KDC_")} | {
            "KDC_DATABASE_URL": url,
            "KDC_BASE_URL": f"http://127.0.0.1:{proxy_port}",
            "KDC_SECRET_KEY": secrets.token_hex(32),
            "KDC_CONFIG": str(config),
        }
        workers = [
            WebWorker(
                env | {"KDC_INSTANCE_PATH": str(folder / f"w{n}")},
                folder / f"w{n}.log",
                folder,
                ["--threads", str(args.worker_threads)],
            )
            for n in range(2)
        ]
        nginx: ThrowawayNginx | None = None
        static: list[float] = []
        feed: list[float] = []
        not_modified: list[float] = []
        try:
            for worker in workers:
                worker.start()
            nginx = ThrowawayNginx(
                folder / "nginx",
                [w.address for w in workers],
                port=proxy_port,
                static={STATIC_PATH: static_file},
            )
            nginx.start()
            connection = http.client.HTTPConnection("127.0.0.1", proxy_port, timeout=30)
            connection.request("GET", feed_path)
            response = connection.getresponse()
            body = response.read()
            etag = response.headers["ETag"]
            connection.close()
            if response.status != 200 or not etag:
                raise RuntimeError(f"the feed answered {response.status}")
            static_file.write_bytes(body)
            print(
                f"Feed of {args.events} events: {len(body):,} bytes; "
                f"{args.requests} GETs of each kind from {args.threads} connections; "
                f"the workers recheck a feed every {args.recheck_seconds:g} s."
            )
            for path, expect, headers in (
                (STATIC_PATH, 200, {}),
                (feed_path, 200, {}),
                (feed_path, 304, {"If-None-Match": etag}),
            ):  # warm every worker's cache and every connection
                load(proxy_port, path, min(args.requests, 400), args.threads, expect, headers)
            each = max(1, args.requests // args.rounds)
            for _ in range(args.rounds):
                static.append(load(proxy_port, STATIC_PATH, each, args.threads, 200, {}))
                feed.append(load(proxy_port, feed_path, each, args.threads, 200, {}))
                not_modified.append(
                    load(proxy_port, feed_path, each, args.threads, 304, {"If-None-Match": etag})
                )
        finally:
            if nginx is not None:
                nginx.stop()
            for worker in workers:
                worker.stop()

    median = statistics.median
    print(f"static file from nginx (floor): {median(static):8.0f} requests/s (median of rounds)")
    print(f"feed, warm, via two workers:    {median(feed):8.0f} requests/s")
    print(f"feed, 304, via two workers:     {median(not_modified):8.0f} requests/s")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    failed = False
    for label, ratio, target in (
        ("feed / floor", median(f / s for f, s in zip(feed, static, strict=True)), FEED_TARGET),
        (
            "304 / floor",
            median(n / s for n, s in zip(not_modified, static, strict=True)),
            NOT_MODIFIED_TARGET,
        ),
    ):
        ok = ratio >= target
        failed |= not ok
        verdict = "PASS" if ok else "FAIL"
        print(f"{label:<13} {ratio:6.1%}  (target ≥ {target:.0%})  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
