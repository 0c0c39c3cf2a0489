"""How fast is the admin home page (data health) with 50,000 officers? Against 150 ms.

    .venv/bin/python benchmarks/admin_home.py [--officers 50000] [--rounds 20]
        [--postgres-url URL] [--sqlite-only]

For SQLite (a file in a temporary folder) and PostgreSQL (``--postgres-url``, else
``$KDC_TEST_POSTGRES_URL``, else a throwaway cluster started here from the server binaries,
fsync on), a fresh database gets N officers from a directory sync of generated records (the
same records as ``benchmarks/directory_sync.py``: a third with a ward, two thirds of them last
changed long ago, so the stale list is long), five wards and services, and a viewer account.
``GET /admin/`` is then requested signed in, through the Flask test client; the median of the
rounds (after one warm-up request) is the figure.

Prints the median (and the slowest round), the target and PASS or FAIL; exits non-zero on FAIL.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, log_in
from kdc_core.directory.engine import run_sync
from kdc_core.directory.values import DirectoryRecord, DirectorySource
from kdc_core.testing.databases import postgres_databases
from kdc_core.testing.postgres import server_url

sys.path.insert(0, str(Path(__file__).parent))
from directory_sync import STAMP, app_for, records

TARGET_S = 0.150


def officers(count: int) -> list[DirectoryRecord]:
    """The generated directory, two in three records last changed in 2020 (stale)."""
    old = STAMP.replace(year=2020)
    return [
        r if n % 3 == 0 else attrs.evolve(r, updated_at=old) for n, r in enumerate(records(count))
    ]


def measure(label: str, url: str, folder: Path, args: argparse.Namespace) -> bool:
    kdc = app_for(url, folder)
    recs = officers(args.officers)
    source = DirectorySource("benchmark", "generated records", lambda a, s: recs)
    run_sync(kdc, source, actor="benchmark")
    add_user(kdc, "viewer@example.gov.uk", "viewer")
    client = create_app(kdc, SECRET_KEY=TEST_SECRET).test_client()
    log_in(client, "viewer@example.gov.uk")

    def get() -> float:
        start = time.perf_counter()
        response = client.get("/admin/")
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"GET /admin/ answered {response.status_code}")
        return elapsed

    get()
    times = [get() for _ in range(args.rounds)]
    kdc.dispose()
    median = statistics.median(times)
    ok = median < TARGET_S
    print(
        f"{'PASS' if ok else 'FAIL'}  {label}: GET /admin/ with {args.officers:,} officers, "
        f"median {median * 1000:.1f} ms of {args.rounds} (slowest {max(times) * 1000:.1f} ms); "
        f"target < {TARGET_S * 1000:.0f} ms ({median / TARGET_S:.2f}× the target)"
    )
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--postgres-url")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    results: list[bool] = []
    with tempfile.TemporaryDirectory(prefix="kdc-bench-") as tmp:
        folder = Path(tmp)
        results.append(measure("SQLite", f"sqlite:///{folder / 'admin.sqlite3'}", folder, args))
        if not args.sqlite_only:
            with (
                server_url(args.postgres_url, durable=True) as server,
                postgres_databases(server) as make,
            ):
                results.append(measure("PostgreSQL", make("admin"), folder, args))
    failed = results.count(False)
    print(f"{'FAIL' if failed else 'PASS'}: {len(results) - failed} of {len(results)} targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
