"""How long does ``kdc`` take to start? ``kdc --version`` and ``kdc --help``, against 0.4 s.

    .venv/bin/python benchmarks/startup.py [--rounds 15] [--kdc PATH]

Runs the installed ``kdc`` console script (next to this Python, or ``--kdc``) as a separate
process ``--rounds`` times for each command, from an empty folder with no ``KDC_*`` settings,
and prints the median wall time of each with the slowest and fastest run. Neither command
should load the settings' plugins: ``--version`` needs nothing, ``--help`` lists the commands
from :mod:`kdc_core.cli_listing`.

Target: median wall time under 0.4 s for each. Prints PASS or FAIL for each, and the load
average (the figures are wall times, so a busy machine shows in them); exits non-zero on
any FAIL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.4


def timed(command: list[str], folder: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--kdc", default=str(Path(sys.executable).with_name("kdc")))
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDC_")}
    failed = False
    with tempfile.TemporaryDirectory(prefix="kdc-startup-bench-") as folder:
        timed([args.kdc, "--version"], Path(folder), env)  # warm the file cache
        for option in ("--version", "--help"):
            runs = [timed([args.kdc, option], Path(folder), env) for _ in range(args.rounds)]
            median = statistics.median(runs)
            ok = median < TARGET
            failed |= not ok
            print(
                f"kdc {option}: median {median:.3f} s wall over {len(runs)} runs "
                f"(fastest {min(runs):.3f} s, slowest {max(runs):.3f} s; "
                f"target < {TARGET} s, {median / TARGET:.2f}× the target) "
                f"{'PASS' if ok else 'FAIL'}"
            )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average: {load} ({os.cpu_count()} cores)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
