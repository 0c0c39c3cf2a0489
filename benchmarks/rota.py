"""How long does the walkabout rota take to plan a year, at every council's size?

    .venv/bin/python benchmarks/rota.py [--councils 350] [--skip-national] [--profile]

Three figures, each the wall time of :func:`kdc_core.calendar.rota.plan_rota` (what
``kdc rota plan`` runs after reading the database):

1. Kirklees: the demo council (23 wards, 12 ward-facing services, ~400 officers) with its
   2027 committee meetings, read from a temporary SQLite database as the CLI reads it.
2. 100 wards × 4 quarters × 12 services: ``kdc seed-demo --wards 100 --officers 3000``'s
   council in a temporary SQLite database, read the same way. Target: under 1 s.
3. A national run, 7,000 wards as ``--councils`` councils of 20 wards (default 350). Councils
   plan independently, so it is one plan per council. Each council's problem is built in
   memory, as the synthetic council would be (three councillors a ward, 12 services of 25
   officers with ward patches, some officers on leave, a year of committee meetings that
   concern some councillors and full Council that concerns all). Target: under 60 s in all.

The time to read the database (``gather``) is printed beside each figure but is not part of
the targets. Every plan is checked to place all its walkabouts. Prints PASS or FAIL for each
target and exits non-zero on any FAIL. The machine is shared, so the load average is printed.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from kdc_core.app import Kdc
from kdc_core.calendar.rota import (
    Busy,
    Meeting,
    Plan,
    RotaOfficer,
    RotaProblem,
    RotaService,
    RotaWard,
    plan_rota,
)
from kdc_core.calendar.rota.service import gather
from kdc_core.calendar.rota.slots import quarter_slots
from kdc_core.config import Settings
from kdc_core.db.migrate import upgrade
from kdc_core.demo import seed_demo
from kdc_core.demo.events import meetings, seed_meetings
from kdc_core.demo.synthetic import seed_synthetic
from kdc_core.plugins import make_plugin_manager
from kdc_core.unit_of_work import UnitOfWork

YEAR = 2027
QUARTERS = (1, 2, 3, 4)
ZONE = "Europe/London"


def council(folder: Path, name: str) -> Kdc:
    url = f"sqlite:///{folder / name}.db"
    settings = Settings(database_url=url, instance_path=folder / name, environ={})
    kdc = Kdc(settings, make_plugin_manager(settings))
    upgrade(kdc.engine)
    return kdc


def timed_plan(kdc: Kdc, profile: bool) -> tuple[float, float, Plan]:
    """(seconds to read the inputs, seconds to plan, the plan)."""
    with kdc.unit_of_work(dry_run=True) as uow:
        start = time.perf_counter()
        inputs = gather(uow, YEAR, QUARTERS)
        read = time.perf_counter() - start
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    plan = plan_rota(inputs.problem)
    planned = time.perf_counter() - start
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)
    return read, planned, plan


def national_problem(seed: int, wards: int = 20, per_service: int = 25) -> RotaProblem:
    """One council's problem, built in memory like the synthetic council."""
    rng = random.Random(seed)
    zone = ZoneInfo(ZONE)
    slots = quarter_slots(YEAR, QUARTERS, dt.time(10), 120, ZONE)
    ward_list = tuple(
        RotaWard(w, f"Ward {seed}-{w:02d}", f"ward-{seed}-{w}", {3 * w, 3 * w + 1, 3 * w + 2})
        for w in range(wards)
    )
    councillors = [c for w in ward_list for c in w.councillor_ids]
    services = []
    for s in range(12):
        officers = []
        for k in range(per_service):
            officer_id = 1000 * (s + 1) + k
            patch = {k % wards} | ({rng.randrange(wards)} if rng.random() < 0.2 else set())
            busy: tuple[Busy, ...] = ()
            if rng.random() < 0.1:  # a fortnight's leave
                start = dt.datetime(YEAR, 1, 4, tzinfo=zone) + dt.timedelta(days=rng.randrange(340))
                busy = (Busy(start, start + dt.timedelta(days=14), "leave"),)
            officers.append(RotaOfficer(officer_id, f"Officer {officer_id}", patch, busy))
        services.append(RotaService(s + 1, f"Service {s + 1:02d}", tuple(officers)))
    year = meetings(YEAR, ZONE)
    members = {
        name: set(rng.sample(councillors, len(councillors) // 3))
        for name in sorted({m.committee or "" for m in year})
    }
    meeting_list = [
        Meeting(
            m.title,
            m.start,
            m.end,
            set(councillors) if m.committee == "Council" else members[m.committee or ""],
        )
        for m in year
    ]
    return RotaProblem(YEAR, QUARTERS, ward_list, tuple(services), slots, tuple(meeting_list))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--councils", type=int, default=350)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="kdc-rota-bench-") as tmp:
        folder = Path(tmp)

        def demo(uow: UnitOfWork) -> None:
            seed_demo(uow)
            seed_meetings(uow, YEAR)

        def hundred(uow: UnitOfWork) -> None:
            seed_synthetic(uow, 100, 3000, meeting_years=(YEAR,))

        for label, seed in (
            ("Kirklees (23 wards)", demo),
            ("100 wards × 4 quarters × 12 services, 3,000 officers", hundred),
        ):
            print(f"Seeding {label} …", file=sys.stderr)
            kdc = council(folder, seed.__name__)
            with kdc.unit_of_work(source="benchmark") as uow:
                seed(uow)
            read, planned, plan = timed_plan(kdc, args.profile)
            kdc.dispose()
            ok = not plan.unplaced and planned < 1.0
            failed |= not ok
            print(
                f"rota, {label} ({len(plan.assignments)} walkabouts placed, "
                f"{len(plan.unplaced)} not): plan {planned:.3f} s (read {read:.2f} s); "
                f"target < 1 s {verdict(ok)}"
            )

    if not args.skip_national:
        print(f"Building {args.councils} councils of 20 wards …", file=sys.stderr)
        problems = [national_problem(seed) for seed in range(args.councils)]
        start = time.perf_counter()
        placed = unplaced = 0
        for problem in problems:
            plan = plan_rota(problem)
            placed += len(plan.assignments)
            unplaced += len(plan.unplaced)
        elapsed = time.perf_counter() - start
        ok = unplaced == 0 and elapsed < 60.0
        failed |= not ok
        print(
            f"rota, {20 * args.councils:,} wards as {args.councils} councils of 20 "
            f"({placed:,} walkabouts, {unplaced} unplaced): {elapsed:.1f} s in all; "
            f"target < 60 s {verdict(ok)}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
