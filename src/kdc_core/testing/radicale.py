"""A throwaway Radicale server on 127.0.0.1, for tests and benchmarks of the CalDAV push.

>>> server = ThrowawayRadicale(tmp_path, {"kdc": "secret"})   # doctest: +SKIP
>>> url = server.start()                                       # doctest: +SKIP
>>> server.requests()["PUT"]                                   # doctest: +SKIP
>>> server.stop()                                              # doctest: +SKIP

It runs ``python -m radicale`` (the ``radicale`` package, in the ``dev`` extra) with
htpasswd authentication (plain passwords in a file of its own), ``owner_only`` rights and
filesystem storage under ``directory``. Requests are counted from the server's own log, so a
test can prove what reached the server, whatever the client believes it sent.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

_REQUEST = re.compile(r"\] (?P<method>[A-Z]+) request for '(?P<path>[^']*)'")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RadicaleFailed(RuntimeError):
    """Radicale did not start; the message ends with its log."""


class ThrowawayRadicale:
    def __init__(self, directory: Path, users: Mapping[str, str], port: int = 0) -> None:
        self.directory = Path(directory)
        self.users = dict(users)
        self.port = port or free_port()
        self.log_path = self.directory / "radicale.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def collection_dir(self, path: str) -> Path:
        """Where the filesystem storage keeps the collection at URL path ``path``."""
        return self.directory / "collections" / "collection-root" / path.strip("/")

    def _write_config(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        users = self.directory / "users"
        users.write_text("".join(f"{u}:{p}\n" for u, p in self.users.items()), encoding="utf-8")
        config = self.directory / "config"
        config.write_text(
            "\n".join(
                [
                    "[server]",
                    f"hosts = 127.0.0.1:{self.port}",
                    "[auth]",
                    "type = htpasswd",
                    f"htpasswd_filename = {users}",
                    "htpasswd_encryption = plain",
                    "delay = 0",
                    "[rights]",
                    "type = owner_only",
                    "[storage]",
                    f"filesystem_folder = {self.directory / 'collections'}",
                    "[logging]",
                    "level = info",
                    "mask_passwords = True",
                    "",
                ]
            ),
            encoding="utf-8",
        )
        return config

    def start(self, timeout: float = 30.0) -> str:
        """Start the server and wait until it accepts connections; returns its URL.

        :raises RadicaleFailed: it exited or did not listen in time (with its log).
        """
        config = self._write_config()
        log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RadicaleFailed(f"Radicale exited ({self._process.returncode}):\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self.url
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RadicaleFailed(f"Radicale did not listen within {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def requests(self) -> Counter[str]:
        """How many requests of each method the server has logged so far."""
        return Counter(m.group("method") for m in _REQUEST.finditer(self.log()))
