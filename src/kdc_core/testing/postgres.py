"""A throwaway PostgreSQL cluster on 127.0.0.1, for tests and benchmarks.

Uses the server binaries of Debian's ``postgresql`` package (``/usr/lib/postgresql/N/bin``).
When run as root the cluster runs as the ``postgres`` user, as PostgreSQL requires.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def find_bindir() -> Path | None:
    """The newest PostgreSQL server ``bin`` folder, or ``None`` when none is installed."""
    override = os.environ.get("KDC_PG_BINDIR")
    if override:
        return Path(override)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayCluster:
    """``start()`` initialises and starts a cluster in ``directory``; ``stop()`` ends it.

    :param durable: keep PostgreSQL's own durability settings (fsync, synchronous commit,
        full-page writes) for benchmarks that report absolute figures; tests turn them off.
    """

    def __init__(self, directory: Path, port: int | None = None, durable: bool = False) -> None:
        self.directory = Path(directory)
        self.port = port or free_port()
        self.durable = durable
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bindir = bindir
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            output = done.stderr.strip() or done.stdout.strip()
            raise RuntimeError(f"{' '.join(args)} failed: {output}")

    def start(self) -> str:
        data = self.directory / "data"
        data.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            shutil.chown(self.directory, "postgres", "postgres")
            shutil.chown(data, "postgres", "postgres")
        if not (data / "PG_VERSION").exists():
            self._run(str(self.bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {data}"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(data / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        data = str(self.directory / "data")
        with contextlib.suppress(RuntimeError):
            self._run(str(self.bindir / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop")


@contextlib.contextmanager
def server_url(explicit: str | None = None, *, durable: bool = False) -> Iterator[str]:
    """A PostgreSQL server to use: ``explicit``, else ``$KDC_TEST_POSTGRES_URL``, else a
    throwaway cluster started here and removed on exit (``durable``: with fsync on).

    :raises RuntimeError: when none is given and no server binaries are installed.
    """
    url = explicit or os.environ.get("KDC_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    # Not under a per-user private temp folder: the server runs as postgres when we are root.
    folder = Path(tempfile.mkdtemp(prefix="kdc-pg-"))
    cluster = ThrowawayCluster(folder, durable=durable)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
