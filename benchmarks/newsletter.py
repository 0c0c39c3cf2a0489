"""How fast are personalised ward newsletters built? Two figures against the targets.

    .venv/bin/python benchmarks/newsletter.py [--total 20000] [--profile]

Builds a temporary SQLite database with the demo council (23 wards, 69 councillors, 400
officers), applies the 2027 walkabout rota, adds a success story and a briefing per ward,
and turns a few topics off so issues differ per councillor. Then times:

1. one month's issues for every ward — 69 personalised issues, each rendered to HTML and
   plain text, wrapped as a multipart/alternative message with signed unsubscribe links, and
   stored in the archive (what ``kdc newsletter build`` does, less writing files);
2. ``--total`` issues (default 20,000): the same, month after month, until that many are
   built and stored.

Targets: (1) under 1 s; (2) under 60 s. Prints PASS or FAIL for each; exits non-zero on FAIL.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from kdc_core.app import Kdc
from kdc_core.briefings.service import post_briefing
from kdc_core.calendar.rota.service import apply_plan, plan
from kdc_core.config import Settings
from kdc_core.db import CouncillorRow, WardRow
from kdc_core.db.newsletters import SuccessStoryRow
from kdc_core.demo import seed_demo
from kdc_core.mail.topics import set_topic
from kdc_core.newsletter.build import build_month
from kdc_core.newsletter.values import Month
from kdc_core.plugins import make_plugin_manager


def setup(folder: Path) -> Kdc:
    settings = Settings(
        database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        instance_path=folder / "instance",
        environ={"KDC_SECRET_KEY": "benchmark-secret-" + "b" * 32},
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


def months(start: Month) -> Month:
    return Month(start.year + start.month // 12, start.month % 12 + 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="Profile the one-month build.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kdc-newsletter-bench-"))
    try:
        print("Setting up the demo council with the 2027 rota …", file=sys.stderr)
        kdc = setup(folder)
        registry = kdc.sections
        with kdc.unit_of_work(source="bench") as uow:  # warm: templates, compiled queries
            build_month(uow, registry, Month(2026, 1))
        start = time.perf_counter()
        with kdc.unit_of_work(source="bench") as uow:
            one = build_month(uow, registry, Month(2027, 3))
        month_s = time.perf_counter() - start
        if args.profile:
            with kdc.unit_of_work(source="bench", dry_run=True) as uow:
                cProfile.runctx(
                    "build_month(uow, registry, Month(2027, 4))",
                    globals(),
                    {"uow": uow, "registry": registry},
                    str(folder / "profile"),
                )
            pstats.Stats(str(folder / "profile")).sort_stats("cumulative").print_stats(20)
        built, month = 0, Month(2027, 4)
        start = time.perf_counter()
        while built < args.total:
            with kdc.unit_of_work(source="bench") as uow:
                built += len(build_month(uow, registry, month))
            month = months(month)
        total_s = time.perf_counter() - start
        kdc.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ok_month = len(one) == 69 and month_s < 1.0
    ok_total = total_s < 60.0
    print(
        f"one month, every ward: {len(one)} issues in {month_s:.3f} s "
        f"({month_s / len(one) * 1000:.1f} ms each; target < 1 s) "
        f"{'PASS' if ok_month else 'FAIL'}"
    )
    print(
        f"{built} issues in {total_s:.1f} s ({total_s / built * 1000:.2f} ms each; "
        f"target {args.total} < 60 s) {'PASS' if ok_total else 'FAIL'}"
    )
    return 0 if ok_month and ok_total else 1


if __name__ == "__main__":
    sys.exit(main())
