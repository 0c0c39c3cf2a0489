"""How fast is ``kdc import ics``? Reading, expanding and writing two feeds, against the targets.

    .venv/bin/python benchmarks/ics_import.py [--postgres-url URL] [--sqlite-only]

For SQLite (a file in a temporary folder) and PostgreSQL (``--postgres-url``, else
``$KDC_TEST_POSTGRES_URL``, else a throwaway cluster started here from the server binaries),
on a fresh database at the current schema, times the importer's load (read, check, expand)
and apply (the upserts, the protocol's event rules, the change records, the commit) through
``run_import``, as ``kdc import ics`` runs them:

1. a weekly meeting since January 2016 in Europe/London (with its VTIMEZONE), expanded from
   2016 to 2086: 3,700 instances (``--max-instances`` raised to let them in);
2. ten daily series of 2,000 instances each: 20,000 instances from ten VEVENTs;
3. 20,000 one-off events, each its own VEVENT with its own UID, over the same span (here
   parsing the 2.5 MB file is most of the time).

Each feed is then imported a second time, which changes nothing: the read and the diff alone.

Targets: 3,700 instances expanded and written in under 2 s, and again in under 2 s; 20,000
instances, and 20,000 one-off events, in under 10 s each, the first time and again. Prints
the measured (wall-clock) time, the target and the ratio with PASS or FAIL for each, and this
process's CPU time beside it (on a shared machine the wall-clock time also counts the waits
for a core); exits non-zero on any FAIL. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.plugins import make_plugin_manager
from kdc_core.services.imports import run_import
from kdc_core.testing.databases import postgres_databases
from kdc_core.testing.postgres import server_url
from kdc_ical.vtimezone import LONDON_VTIMEZONE

FIRST, LAST = dt.date(2016, 1, 1), dt.date(2086, 11, 19)
WEEKLY_INSTANCES, ONE_OFFS, SERIES = 3_700, 20_000, 10
TARGET_WEEKLY, TARGET_MANY, TARGET_AGAIN = 2.0, 10.0, 2.0
HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kdc-core benchmark//EN\r\n"


def weekly_feed() -> str:
    """One weekly series since 7 January 2016 with 3,700 instances up to the window's end."""
    return (
        HEAD
        + LONDON_VTIMEZONE
        + "BEGIN:VEVENT\r\nUID:cabinet-weekly-2016@democracy.example.org\r\n"
        + "DTSTAMP:20160101T000000Z\r\n"
        + "DTSTART;TZID=Europe/London:20160107T180000\r\n"
        + "DTEND;TZID=Europe/London:20160107T200000\r\n"
        + f"RRULE:FREQ=WEEKLY;COUNT={WEEKLY_INSTANCES}\r\n"
        + "SUMMARY:Cabinet\r\nLOCATION:Council Chamber\\, Huddersfield Town Hall\r\n"
        + "CATEGORIES:Cabinet\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def series_feed() -> str:
    """Ten daily series of 2,000 instances each: 20,000 instances from ten VEVENTs."""
    parts = [HEAD, LONDON_VTIMEZONE]
    for n in range(SERIES):
        parts.append(
            f"BEGIN:VEVENT\r\nUID:daily-{n}@democracy.example.org\r\n"
            "DTSTAMP:20160101T000000Z\r\n"
            f"DTSTART;TZID=Europe/London:{2016 + 2 * n}0104T{9 + n:02d}0000\r\n"
            f"DURATION:PT45M\r\nRRULE:FREQ=DAILY;COUNT={ONE_OFFS // SERIES}\r\n"
            f"SUMMARY:Daily briefing {n}\r\nEND:VEVENT\r\n"
        )
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts)


def many_feed() -> str:
    """20,000 one-off events, one every 30 hours from 2016."""
    start = dt.datetime(2016, 1, 4, 9, tzinfo=dt.UTC)
    parts = [HEAD]
    for n in range(ONE_OFFS):
        begin = start + dt.timedelta(hours=30 * n)
        parts.append(
            f"BEGIN:VEVENT\r\nUID:meeting-{n}@democracy.example.org\r\n"
            "DTSTAMP:20160101T000000Z\r\n"
            f"DTSTART:{begin:%Y%m%dT%H%M%SZ}\r\n"
            f"DTEND:{begin + dt.timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\n"
            f"SUMMARY:Meeting {n}\r\nCATEGORIES:Committee {n % 40}\r\nEND:VEVENT\r\n"
        )
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts)


def make_kdc(url: str, folder: Path) -> Kdc:
    settings = Settings(database_url=url, instance_path=folder, environ={})
    kdc = Kdc(settings, make_plugin_manager(settings))
    kdc.upgrade_schema()
    return kdc


def timed_import(kdc: Kdc, feed: Path, **options: object) -> tuple[float, int, float]:
    opts = {
        "kind": "council_meeting",
        "from_date": dt.datetime.combine(FIRST, dt.time()),
        "to_date": dt.datetime.combine(LAST, dt.time()),
        "max_instances": 5_000,
        **options,
    }
    began, cpu = time.perf_counter(), time.process_time()
    changes = run_import(kdc, kdc.importers["ics"], str(feed), options=opts)
    return time.perf_counter() - began, len(changes), time.process_time() - cpu


def report(name: str, measured: tuple[float, int, float], target: float, what: str) -> bool:
    seconds, changes, cpu = measured
    ok = seconds < target
    print(
        f"  {'PASS' if ok else 'FAIL'}  {name}: {seconds:.2f} s (target < {target:.0f} s, "
        f"{seconds / target:.2f} of it; CPU here {cpu:.2f} s) — {changes} {what}"
    )
    return ok


def measure(label: str, database: Callable[[str], str], folder: Path) -> list[bool]:
    print(f"{label}:")
    weekly = folder / "weekly.ics"
    weekly.write_text(weekly_feed(), encoding="utf-8")
    many = folder / "many.ics"
    many.write_text(many_feed(), encoding="utf-8")
    series = folder / "series.ics"
    series.write_text(series_feed(), encoding="utf-8")
    results = []
    kdc = make_kdc(database("weekly"), folder / "weekly")
    try:
        results.append(
            report("weekly since 2016", timed_import(kdc, weekly), TARGET_WEEKLY, "added")
        )
        results.append(
            report("same feed again", timed_import(kdc, weekly), TARGET_AGAIN, "changes")
        )
    finally:
        kdc.dispose()
    kdc = make_kdc(database("series"), folder / "series")
    try:
        measured = timed_import(kdc, series)
        results.append(report("20,000 instances of 10 series", measured, TARGET_MANY, "added"))
        measured = timed_import(kdc, series)
        results.append(report("same series again", measured, TARGET_MANY, "changes"))
    finally:
        kdc.dispose()
    kdc = make_kdc(database("many"), folder / "many")
    try:
        measured = timed_import(kdc, many)
        results.append(report("20,000 one-off events", measured, TARGET_MANY, "added"))
        measured = timed_import(kdc, many)
        results.append(report("same one-offs again", measured, TARGET_MANY, "changes"))
    finally:
        kdc.dispose()
    return results


def measure_postgres(server: str, folder: Path) -> list[bool]:
    with postgres_databases(server) as make:
        return measure("PostgreSQL", make, folder)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--postgres-url")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    results: list[bool] = []
    with tempfile.TemporaryDirectory(prefix="kdc-bench-") as tmp:
        folder = Path(tmp)
        results += measure("SQLite", lambda n: f"sqlite:///{folder / (n + '.sqlite3')}", folder)
        if not args.sqlite_only:
            with server_url(args.postgres_url) as server:
                results += measure_postgres(server, folder)
    failed = results.count(False)
    print(
        f"\n{'FAIL' if failed else 'PASS'}: {len(results) - failed} of {len(results)} targets met"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
