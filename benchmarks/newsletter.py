"""How fast are personalised ward newsletters built? ``kdc newsletter build``, end to end.

    .venv/bin/python benchmarks/newsletter.py [--total 20000] [--wards 7000]
        [--postgres | --postgres-url URL] [--out-root DIR] [--profile]

What it measures: what a user waits for. A month's newsletters for a very large council
(or many councils in one database) are ONE ``kdc newsletter build --month M --out DIR``
run, so by default the council is grown to 7,000 wards of three councillors and one
month's build makes 21,000 issues in a single process, as the rota's national benchmark
plans at national size in one run. ``--wards 1000`` gives the earlier shape (a month of
1,000 wards after another, seven runs for 20,000 issues), which also times six more
start-ups.

Sets up a database (a SQLite file in a temporary folder; with ``--postgres`` a new database
on a throwaway PostgreSQL cluster with its durability settings on — fsync, synchronous
commit — as the absolute figure is measured; or a new database on ``--postgres-url``) with
the demo council (23 wards, 69 councillors, 400 officers), the 2027 walkabout rota, a
success story and a briefing per ward and a few topics turned off so issues differ per
councillor; then grows it to ``--wards`` wards, each a copy of a demo
ward: three councillors and the same officers, named contacts, events and briefings.

After one untimed run (which fills the file cache and writes the bytecode an installed kdc
would have, into the run's temporary folder), runs ``kdc newsletter build --month M --out
DIR`` as a separate process for one month after another until ``--total`` issues (default
20,000) are built, timing each run's wall time: start-up, plugins, the sections' queries,
rendering, signing, the archive upsert, the commit and the three files per issue (on the
disk of the run's temporary folder unless ``--out-root`` says otherwise). After each run,
creating as many files of the same average size in the same folder with raw calls is timed
too and printed as the disk's own share: on a virtual machine's disk that cost swings from
some 20 µs to 700 µs a file. ``--profile``
profiles the first month's build in this process instead (nothing is timed).

Target: ``--total`` issues in under 20 s in all. Prints the figure, the ratio to the target
and PASS or FAIL, with the load average; exits non-zero on FAIL.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import json
import os
import pstats
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text

from kdc_core.app import Kdc
from kdc_core.briefings.service import post_briefing
from kdc_core.calendar.rota.service import apply_plan, plan
from kdc_core.config import Settings
from kdc_core.db import CouncillorRow, OfficerWardRow, WardContactRow, WardRow
from kdc_core.db.events import event_wards
from kdc_core.db.newsletters import SuccessStoryRow, briefing_wards
from kdc_core.demo import seed_demo
from kdc_core.mail.topics import set_topic
from kdc_core.newsletter.build import build_month
from kdc_core.newsletter.values import Month
from kdc_core.plugins import make_plugin_manager
from kdc_core.testing.databases import postgres_databases
from kdc_core.testing.postgres import server_url

KDC = str(Path(sys.executable).with_name("kdc"))
SECRET = "benchmark-secret-" + "b" * 32
TARGET = 20.0


def setup(folder: Path, url: str) -> Kdc:
    settings = Settings(
        database_url=url, instance_path=folder / "instance", environ={"KDC_SECRET_KEY": SECRET}
    )
    kdc = Kdc(settings, make_plugin_manager(settings))
    kdc.upgrade_schema()
    with kdc.unit_of_work() as uow:
        seed_demo(uow)
    with kdc.unit_of_work() as uow:
        inputs, result = plan(uow, 2027, (1, 2, 3, 4))
        apply_plan(uow, inputs, result)
    with kdc.unit_of_work() as uow:
        wards = list(uow.session.scalars(select(WardRow).order_by(WardRow.name)))
        for n, ward in enumerate(wards):
            uow.session.add(
                SuccessStoryRow(
                    title=f"{ward.name} litter pick <cleared> 40 bags",
                    body="Volunteers & officers cleared the brook path.",
                    published_on=dt.date(2027, 3, 1 + n),
                    ward_id=ward.id,
                )
            )
            post_briefing(
                uow,
                wards=[ward.name],
                title=f"Resurfacing in {ward.name}",
                body="Work starts after Easter.",
                public_on=dt.date(2027, 3, 20),
                topic="roadworks",
                posted_at=dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
            )
        for i, cid in enumerate(uow.session.scalars(select(CouncillorRow.id))):
            if i % 3 == 0:
                set_topic(uow, cid, "contacts", opted_in=False)
            if i % 5 == 0:
                set_topic(uow, cid, "roadworks", opted_in=False)
    return kdc


def grow(kdc: Kdc, wards: int) -> None:
    """Add wards until there are ``wards``: each copies a demo ward's councillors (renamed),
    officers working there, named contacts, events and briefings."""
    with kdc.unit_of_work() as uow:
        session = uow.session
        demo = session.execute(select(WardRow.id, WardRow.link_officer_id)).all()
        next_id = max(w for w, _ in demo) + 1
        copy: dict[str, list[dict[str, object]]] = {
            "wards": [],
            "councillors": [],
            "officer_wards": [],
            "ward_contacts": [],
            "event_wards": [],
            "briefing_wards": [],
        }
        like = {
            w: {
                "councillors": session.execute(
                    select(CouncillorRow.name, CouncillorRow.email, CouncillorRow.group_id).where(
                        CouncillorRow.ward_id == w, CouncillorRow.archived_at.is_(None)
                    )
                ).all(),
                "officers": session.scalars(
                    select(OfficerWardRow.officer_id).where(OfficerWardRow.ward_id == w)
                ).all(),
                "contacts": session.execute(
                    select(WardContactRow.service_id, WardContactRow.officer_id).where(
                        WardContactRow.ward_id == w
                    )
                ).all(),
                "events": session.scalars(
                    select(event_wards.c.event_id).where(event_wards.c.ward_id == w)
                ).all(),
                "briefings": session.scalars(
                    select(briefing_wards.c.briefing_id).where(briefing_wards.c.ward_id == w)
                ).all(),
            }
            for w, _ in demo
        }
        for n in range(wards - len(demo)):
            ward_id, template = next_id + n, demo[n % len(demo)]
            was = like[template[0]]
            copy["wards"].append(
                {
                    "id": ward_id,
                    "name": f"Copy ward {n:05d}",
                    "slug": f"copy-ward-{n:05d}",
                    "link_officer_id": template[1],
                }
            )
            copy["councillors"] += [
                {"name": f"{name} {n}", "email": f"c{n}.{email}", "group_id": g, "ward_id": ward_id}
                for name, email, g in was["councillors"]
            ]
            copy["officer_wards"] += [
                {"officer_id": o, "ward_id": ward_id, "source": "local"} for o in was["officers"]
            ]
            copy["ward_contacts"] += [
                {"service_id": s, "officer_id": o, "ward_id": ward_id} for s, o in was["contacts"]
            ]
            copy["event_wards"] += [{"event_id": e, "ward_id": ward_id} for e in was["events"]]
            copy["briefing_wards"] += [
                {"briefing_id": b, "ward_id": ward_id} for b in was["briefings"]
            ]
        tables = {
            "wards": WardRow.__table__,
            "councillors": CouncillorRow.__table__,
            "officer_wards": OfficerWardRow.__table__,
            "ward_contacts": WardContactRow.__table__,
            "event_wards": event_wards,
            "briefing_wards": briefing_wards,
        }
        for name, rows in copy.items():
            if rows:
                session.execute(insert(tables[name]), rows)  # type: ignore[arg-type]


def months(start: Month) -> Month:
    return Month(start.year + start.month // 12, start.month % 12 + 1)


BUILT = re.compile(r"Built (\d+) issues")


def build_with_cli(env: dict[str, str], month: Month, out: Path) -> tuple[int, float, float]:
    """(issues built, wall seconds, CPU seconds) of one ``kdc newsletter build`` process."""
    command = [KDC, "newsletter", "build", "--month", str(month), "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    found = BUILT.search(done.stdout)
    if found is None:
        raise SystemExit(f"unexpected output: {done.stdout}")
    return int(found[1]), wall, cpu


def file_floor(folder: Path, count: int, size: int) -> float:
    """Seconds to create ``count`` files of ``size`` bytes in ``folder`` with the raw calls the
    build's writer makes (open, write, close each): what the disk costs alone.

    Measured in the build's own output folder: on the development machine's disk, creating a
    file cost 19 µs in one new folder and 700 µs in the next one made a moment later, on the
    same filesystem."""
    data = b"x" * size
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    start = time.perf_counter()
    for n in range(count):
        fd = os.open(os.path.join(folder, f"floor-{n}"), flags, 0o666)
        os.write(fd, data)
        os.close(fd)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=20_000)
    parser.add_argument(
        "--wards", type=int, default=7_000, help="Wards of three councillors (default 7,000)."
    )
    parser.add_argument(
        "--postgres", action="store_true", help="A throwaway PostgreSQL cluster, fsync on."
    )
    parser.add_argument("--postgres-url", help="A server to make the database on.")
    parser.add_argument("--profile", action="store_true", help="Profile one month's build.")
    parser.add_argument(
        "--out-root",
        type=Path,
        help="Where each run's --out folder is made (default: the run's temporary folder); "
        "a tmpfs such as /dev/shm shows what is left when creating files costs little.",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kdc-newsletter-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            url = f"sqlite:///{folder / 'bench.sqlite3'}"
            if args.postgres or args.postgres_url:
                server = stack.enter_context(server_url(args.postgres_url, durable=True))
                if args.postgres:
                    check_durable(server)
                url = stack.enter_context(postgres_databases(server))("newsletter")
            return run(args, folder, url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_durable(url: str) -> None:
    """Refuse to time a PostgreSQL server that does not sync its commits to disk."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = [conn.execute(text(f"SHOW {n}")).scalar() for n in ("fsync", "synchronous_commit")]
    engine.dispose()
    if found != ["on", "on"]:
        raise SystemExit(f"PostgreSQL is not durable: fsync, synchronous_commit = {found}")


def run(args: argparse.Namespace, folder: Path, url: str) -> int:
    print(f"Setting up the demo council, grown to {args.wards} wards …", file=sys.stderr)
    kdc = setup(folder, url)
    grow(kdc, args.wards)
    if args.profile:
        with kdc.unit_of_work(source="bench", dry_run=True) as uow:
            cProfile.runctx(
                "build_month(uow, kdc.sections, Month(2027, 3))",
                globals(),
                {"uow": uow, "kdc": kdc, "build_month": build_month},
                str(folder / "profile"),
            )
        pstats.Stats(str(folder / "profile")).sort_stats("cumulative").print_stats(25)
        kdc.dispose()
        return 0
    kdc.dispose()
    (folder / "kdc.toml").write_text(f"database_url = {json.dumps(url)}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDC_")}
    env |= {"KDC_CONFIG": str(folder / "kdc.toml"), "KDC_SECRET_KEY": SECRET}
    # As installed, kdc runs from compiled bytecode: the warm-up run writes it (into this
    # run's folder, not the checkout) even where PYTHONDONTWRITEBYTECODE is set.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    build_with_cli(env, Month(2026, 1), folder / "warm")  # caches and bytecode, not timed
    shutil.rmtree(folder / "warm")
    built, wall, cpu, floor, files, runs, month = 0, 0.0, 0.0, 0.0, 0, [], Month(2027, 3)
    root = Path(tempfile.mkdtemp(prefix="kdc-newsletter-out-", dir=args.out_root or folder))
    while built < args.total:
        out = root / str(month)
        issues, seconds, used = build_with_cli(env, month, out)
        written = list(out.iterdir())
        size = sum(f.stat().st_size for f in written) // max(len(written), 1)
        floor += file_floor(out, len(written), size)
        files += len(written)
        shutil.rmtree(out)
        built, wall, cpu = built + issues, wall + seconds, cpu + used
        runs.append((str(month), issues, seconds, used))
        month = months(month)
    for name, issues, seconds, used in runs:
        print(f"  {name}: {issues} issues in {seconds:.2f} s ({used:.2f} s CPU)", file=sys.stderr)
    ok = built >= args.total and wall < TARGET
    database = "PostgreSQL" if args.postgres or args.postgres_url else "SQLite"
    print(
        f"kdc newsletter build, {len(runs)} months of {args.wards} wards "
        f"({database}): {built} issues in {wall:.1f} s "
        f"wall ({wall / built * 1000:.2f} ms each; target {args.total} < {TARGET:.0f} s, "
        f"{wall / built * args.total / TARGET:.2f}× the target) {'PASS' if ok else 'FAIL'}"
    )
    shutil.rmtree(root, ignore_errors=True)
    print(f"CPU of the kdc processes (user + system): {cpu:.1f} s; files written under {root}")
    print(
        f"the disk alone: creating {files:,} files of the same average size in the same "
        f"folders with raw calls took {floor:.1f} s ({floor / max(files, 1) * 1e6:.0f} µs each)"
    )
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
