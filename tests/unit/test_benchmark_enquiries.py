"""benchmarks/enquiries.py's helpers on 1,000 enquiries: the load, the summary recount after
it, each timing and its verdict (the million-row run itself is not part of the tests)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from kdc_core.db import enquiry_counts
from kdc_core.db.engine import make_engine, make_sessionmaker
from kdc_core.db.migrate import upgrade

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "enquiries.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_enquiries", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # attrs classes need their module while they are built
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_a_thousand_enquiries_load_fill_the_summary_and_are_timed(bench, tmp_path):
    url = f"sqlite:///{tmp_path}/bench.sqlite3"
    engine = make_engine(url)
    try:
        upgrade(engine)
        wards, services, officers = bench.seed_people(engine)
        rows = list(bench.enquiries(1000, wards, services, officers))
        assert len(rows) == 1000 and len({r["reference"] for r in rows}) == 1000
        assert 20 <= sum(r["status"] in bench.OPEN for r in rows) <= 120
        bench.load_sqlite(engine, iter(rows))
        _seconds, summary_rows = bench.fill_summary(engine)
        with make_sessionmaker(engine)() as session:
            stored = enquiry_counts.stored(session)
            assert stored == enquiry_counts.recount(session) and len(stored) == summary_rows
        timings = bench.measure(engine, url, runs=1)
    finally:
        engine.dispose()
    assert [t.what for t in timings] == [
        "by service", "by ward", "by officer", "overdue list", "whole dashboard",
        "dashboard page (admin)",
    ]  # fmt: skip
    assert all(0 < t.best_ms <= t.median_ms for t in timings)


def test_a_timing_passes_under_the_target_and_says_by_how_much(bench):
    fast, slow = bench.Timing("by ward", 10.0, 25.0), bench.Timing("by ward", 90.0, 150.0)
    assert fast.passed and fast.ratio == 0.25 and fast.line().endswith("PASS")
    assert "median    25.0 ms,  0.25 x target" in fast.line()
    assert not slow.passed and slow.ratio == 1.5 and slow.line().endswith("FAIL")
