"""The SLA dashboard with a million enquiries: is it under 100 ms on SQLite and PostgreSQL?

    .venv/bin/python benchmarks/enquiries.py [--rows 1000000] [--postgres URL] [--runs 7]

Builds a fresh database per engine (a temporary SQLite file; on PostgreSQL a throwaway
database on the server at ``--postgres`` or ``$KDC_TEST_POSTGRES_URL``, else a throwaway
cluster started here, dropped afterwards), migrates it, adds 23 wards, 30 services and 400
officers, then bulk-loads ``--rows`` enquiries spread over five years (SQLite: Core
``insert()`` in batches of 50,000; PostgreSQL: ``COPY``). About 3% are still open, most of
those past their response date. A bulk load bypasses the ORM, so the dashboard's summary is
then recounted with :func:`kdc_core.db.enquiry_counts.rebuild` — what ``kdc enquiries
dashboard --rebuild`` and the migration that adds the summary do — and checked against a
recount. After ``ANALYZE`` (``VACUUM ANALYZE`` on PostgreSQL, as autovacuum would after a
bulk load) it times, best and median of ``--runs`` runs each: the dashboard's lines by
service, by ward and by officer (:func:`kdc_core.enquiries.dashboard.sla`), the overdue list
(officers with overdue enquiries, most first), the whole dashboard
(:func:`kdc_core.enquiries.dashboard.dashboard`) and the admin's dashboard page rendered
through the Flask test client for a signed-in user. Each line prints the ratio of its median
to the 100 ms target and PASS or FAIL; the script exits non-zero on any FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
from flask.testing import FlaskClient
from sqlalchemy import Engine, insert, text

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, log_in
from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.db import enquiry_counts
from kdc_core.db.engine import make_engine, make_sessionmaker, read_only
from kdc_core.db.enquiries import EnquiryRow
from kdc_core.db.migrate import upgrade
from kdc_core.db.people import OfficerRow, ServiceRow, WardRow
from kdc_core.enquiries.dashboard import dashboard, overdue_counts, sla
from kdc_core.testing.databases import postgres_databases
from kdc_core.testing.postgres import server_url
from kdc_core.unit_of_work import UnitOfWork

TARGET_MS = 100.0
TODAY = dt.date(2026, 11, 20)
BATCH = 50_000
OPEN = ("received", "acknowledged", "in_progress", "extended")


def seed_people(engine: Engine) -> tuple[list[int], list[int], list[int]]:
    with engine.begin() as conn:
        conn.execute(
            insert(WardRow),
            [{"name": f"Ward {i}", "slug": f"ward-{i}"} for i in range(23)],
        )
        conn.execute(
            insert(ServiceRow),
            [{"name": f"Service {i}", "slug": f"service-{i}"} for i in range(30)],
        )
        conn.execute(
            insert(OfficerRow),
            [
                {"person_id": f"p{i}", "given_name": "Officer", "family_name": f"No{i}"}
                for i in range(400)
            ],
        )
        ids = [
            [r[0] for r in conn.execute(text(f"SELECT id FROM {t} ORDER BY id"))]
            for t in ("wards", "services", "officers")
        ]
    return ids[0], ids[1], ids[2]


def enquiries(
    rows: int, wards: list[int], services: list[int], officers: list[int]
) -> Iterator[dict]:
    rnd = random.Random(2027)
    start = dt.datetime(2021, 11, 20, 9, tzinfo=dt.UTC)
    span = (dt.datetime(2026, 11, 20, tzinfo=dt.UTC) - start).total_seconds()
    counters: dict[int, int] = {}
    for i in range(rows):
        received = start + dt.timedelta(seconds=span * i / rows)
        year = received.year
        counters[year] = number = counters.get(year, 0) + 1
        respond = received.date() + dt.timedelta(days=14)
        is_open = rnd.random() < 0.03 or respond >= TODAY
        status = rnd.choice(OPEN) if is_open else "closed"
        closed = None if is_open else received + dt.timedelta(days=rnd.randint(1, 20))
        officer = rnd.choice(officers) if rnd.random() < 0.95 else None
        yield {
            "reference": f"KE-{year}-{number:06d}",
            "year": year,
            "number": number,
            "ward_id": rnd.choice(wards),
            "service_id": rnd.choice(services),
            "category": "general",
            "description": "Benchmark enquiry",
            "status": status,
            "received_at": received,
            "acknowledge_by": received.date() + dt.timedelta(days=1),
            "respond_by": respond,
            "original_respond_by": respond,
            "extension_stage": 0,
            "officer_id": officer,
            "routed_by": "ward_contact" if officer else "unassigned",
            "advocacy": officer is None,
            "resolved_at": closed,
            "resolved_in_time": None if closed is None else closed.date() <= respond,
            "closed_at": closed,
            "created_at": received,
            "updated_at": closed or received,
        }


def load_sqlite(engine: Engine, data: Iterator[dict]) -> None:
    batch: list[dict] = []
    with engine.begin() as conn:
        for row in data:
            batch.append(row)
            if len(batch) == BATCH:
                conn.execute(insert(EnquiryRow), batch)
                batch = []
        if batch:
            conn.execute(insert(EnquiryRow), batch)


def load_postgres(engine: Engine, data: Iterator[dict]) -> None:
    first = next(data)
    columns = list(first)

    def line(row: dict) -> str:
        out = []
        for c in columns:
            v = row[c]
            out.append(
                "\\N" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v))
            )
        return "\t".join(out) + "\n"

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY enquiries ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            buffer.write(line(first))
            for n, row in enumerate(data, start=1):
                buffer.write(line(row))
                if n % BATCH == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()


@attrs.frozen
class Timing:
    what: str
    best_ms: float
    median_ms: float

    @property
    def ratio(self) -> float:
        """The median as a share of the target (under 1 passes)."""
        return self.median_ms / TARGET_MS

    @property
    def passed(self) -> bool:
        return self.median_ms < TARGET_MS

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"  {self.what:28s} best {self.best_ms:7.1f} ms, median {self.median_ms:7.1f} ms, "
            f"{self.ratio:5.2f} x target (< {TARGET_MS:.0f} ms)  {verdict}"
        )


def timed(what: str, work: Callable[[], object], runs: int) -> Timing:
    """Best and median of ``runs`` calls of ``work``, after one to warm caches."""
    work()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append((time.perf_counter() - t0) * 1000)
    return Timing(what, min(times), statistics.median(times))


def fill_summary(engine: Engine) -> tuple[float, int]:
    """Recount the dashboard's summary after the bulk load; (seconds, summary rows)."""
    t0 = time.perf_counter()
    with make_sessionmaker(engine)() as session, session.begin():
        rows = enquiry_counts.rebuild(session)
    return time.perf_counter() - t0, rows


def settings(url: str) -> Settings:
    return Settings(database_url=url, instance_path=Path(tempfile.gettempdir()), environ={})


def page_client(engine: Engine, url: str) -> FlaskClient:
    """A signed-in admin user's test client on the app over this database."""
    kdc = Kdc(settings(url), engine=engine)
    add_user(kdc, "bench@example.gov.uk", "viewer")
    client = create_app(kdc, SECRET_KEY=TEST_SECRET).test_client()
    if log_in(client, "bench@example.gov.uk").status_code != 302:
        raise RuntimeError("could not sign in to the admin")
    return client


def measure(engine: Engine, url: str, runs: int, today: dt.date = TODAY) -> list[Timing]:
    """Time each figure of the dashboard, the whole of it and its page."""
    out = []
    with make_sessionmaker(read_only(engine))() as session:
        uow = UnitOfWork(session, settings(url))
        for by in ("service", "ward", "officer"):
            out.append(timed(f"by {by}", lambda by=by: sla(uow, today, by), runs))
        out.append(timed("overdue list", lambda: overdue_counts(uow, today, "officer"), runs))
        out.append(timed("whole dashboard", lambda: dashboard(uow, today), runs))
        session.rollback()
    client = page_client(engine, url)

    def page() -> None:
        response = client.get("/admin/sla/")
        if response.status_code != 200:
            raise RuntimeError(f"the dashboard page answered {response.status_code}")

    out.append(timed("dashboard page (admin)", page, runs))
    return out


def bench(name: str, url: str, rows: int, runs: int) -> bool:
    engine = make_engine(url)
    try:
        upgrade(engine)
        wards, services, officers = seed_people(engine)
        t0 = time.perf_counter()
        data = enquiries(rows, wards, services, officers)
        (load_postgres if name == "PostgreSQL" else load_sqlite)(engine, data)
        load_s = time.perf_counter() - t0
        summary_s, summary_rows = fill_summary(engine)
        # As autovacuum would after a bulk load: statistics, and on PostgreSQL the visibility
        # map that lets an index answer without visiting the table.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if name == "PostgreSQL" else "ANALYZE"))
        with make_sessionmaker(engine)() as session:
            right = enquiry_counts.stored(session) == enquiry_counts.recount(session)
            overdue = session.execute(
                text("SELECT count(*) FROM enquiries WHERE status IN "
                     "('received','acknowledged','in_progress','extended') AND respond_by < :d"),
                {"d": TODAY},
            ).scalar_one()  # fmt: skip
            shown = dashboard(UnitOfWork(session, settings(url)), TODAY).totals.overdue
        print(
            f"\n{name}: {rows:,} enquiries loaded in {load_s:.1f} s; summary recounted in "
            f"{summary_s:.1f} s ({summary_rows:,} rows, {'equal to' if right else 'DIFFERENT FROM'}"
            f" a recount); {overdue:,} overdue on {TODAY}, the dashboard says {shown:,}"
        )
        timings = measure(engine, url, runs)
        for timing in timings:
            print(timing.line())
        return right and overdue == shown and all(t.passed for t in timings)
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--postgres",
        help="server to make a throwaway database on (default: $KDC_TEST_POSTGRES_URL, "
        "else a throwaway cluster started here)",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    ok = True
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            ok &= bench("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args.rows, args.runs)
    with server_url(args.postgres) as server, postgres_databases(server) as make:
        ok &= bench("PostgreSQL", make("enquiries"), args.rows, args.runs)
    print("\nALL PASS" if ok else "\nSOME FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
