"""Several ``kdc serve`` workers behind a throwaway nginx on 127.0.0.1, for tests and benchmarks.

Uses Debian's ``nginx`` package (``/usr/sbin/nginx``, or ``KDC_NGINX``). nginx runs in the
foreground as the current user with its configuration, pid file, logs and temporary folders in
one folder; nothing in ``/etc/nginx`` is read. The proxy settings are the ones
``docs/deploy.md`` gives for production, less TLS: the same upstream block, the same headers,
and the same retry rule (a request that failed on one worker for a connection error, a time-out,
502 or 503 is tried once on the other — idempotent requests only, nginx's default).

:class:`WebWorker` starts ``kdc serve --trusted-proxy 127.0.0.1`` as a separate process, its
output (the access log among it) in a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from kdc_core.testing.postgres import free_port

#: The ``kdc`` command of the running Python environment.
KDC = str(Path(sys.executable).with_name("kdc"))

#: nginx's access log: client, request, status, which worker(s) answered, nginx's request id.
LOG_FORMAT = (
    'log_format kdc \'$remote_addr "$request" $status $body_bytes_sent $request_time '
    "upstream=$upstream_addr upstream_status=$upstream_status id=$request_id';"
)


def find_nginx() -> str | None:
    """The nginx binary: ``KDC_NGINX``, else ``nginx`` on the PATH, else Debian's
    ``/usr/sbin/nginx``; ``None`` when there is none."""
    override = os.environ.get("KDC_NGINX")
    if override:
        return override
    found = shutil.which("nginx")
    if found:
        return found
    debian = Path("/usr/sbin/nginx")
    return str(debian) if debian.is_file() and os.access(debian, os.X_OK) else None


def require_nginx() -> str:
    """The nginx binary for a test; skips the test without one, or fails it when nginx is
    required (``KDC_REQUIRE_NGINX`` or ``KDC_FAIL_ON_SKIP``, as in CI)."""
    import pytest

    binary = find_nginx()
    if binary is not None:
        return binary
    message = "nginx not found (Debian's nginx package, or set KDC_NGINX)"
    for required in ("KDC_REQUIRE_NGINX", "KDC_FAIL_ON_SKIP"):
        if os.environ.get(required):
            pytest.fail(f"{message} but {required} is set")
    pytest.skip(message)


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``.

    :raises RuntimeError: ``process`` ended first, or the time ran out.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")


#: What nginx does with every request it hands to the workers (server level, so every
#: ``location`` that says ``proxy_pass`` inherits it). docs/deploy.md shows these same lines.
PROXY_SETTINGS = """\
proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header Host $host;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
proxy_set_header X-Forwarded-Host $host;
proxy_set_header X-Forwarded-Port $server_port;
proxy_set_header X-Request-ID $request_id;
proxy_next_upstream error timeout http_502 http_503;
proxy_next_upstream_tries 2;
proxy_connect_timeout 2s;
proxy_read_timeout 60s;
"""

#: How each worker is listed in the ``upstream`` block: after one failure nginx leaves the
#: worker alone for ten seconds, then tries it again.
UPSTREAM_SERVER = "server {address} max_fails=1 fail_timeout=10s;"
#: Idle connections nginx keeps open to the workers.
UPSTREAM_KEEPALIVE = "keepalive 32;"


def _indent(lines: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in lines.splitlines())


class ThrowawayNginx:
    """nginx listening on 127.0.0.1:``port`` in front of ``upstreams`` (``"127.0.0.1:8001"``
    …), all its files in ``directory``. ``static`` maps URL paths to files it serves itself
    (a benchmark's floor)."""

    def __init__(
        self,
        directory: Path,
        upstreams: Sequence[str],
        port: int | None = None,
        static: Mapping[str, Path] | None = None,
        worker_processes: int = 1,
    ) -> None:
        binary = find_nginx()
        if binary is None:
            raise RuntimeError("nginx not found (apt-get install nginx)")
        self.binary = binary
        self.directory = Path(directory)
        self.upstreams = list(upstreams)
        self.port = port or free_port()
        self.static = dict(static or {})
        self.worker_processes = worker_processes
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.directory / "access.log"

    @property
    def error_log(self) -> Path:
        return self.directory / "error.log"

    def config(self) -> str:
        d = self.directory
        servers = "\n".join(UPSTREAM_SERVER.format(address=a) for a in self.upstreams)
        statics = "".join(
            f"""
        location = {path} {{
            alias {file};
            default_type text/calendar;
        }}"""
            for path, file in self.static.items()
        )
        # Root starts its workers as root too: they must reach the files in this folder.
        user = "user root;\n" if os.geteuid() == 0 else ""
        temps = "\n".join(
            f"    {kind}_temp_path {d / 'tmp' / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        return f"""# Written by kdc_core.testing.nginx
daemon off;
{user}worker_processes {self.worker_processes};
pid {d / "nginx.pid"};
error_log {self.error_log} warn;

events {{
    worker_connections 512;
}}

http {{
    {LOG_FORMAT}
    access_log {self.access_log} kdc;
{temps}
    default_type application/octet-stream;
    keepalive_requests 100000;

    upstream kdc {{
{_indent(servers, 8)}
        {UPSTREAM_KEEPALIVE}
    }}

    server {{
        listen 127.0.0.1:{self.port};
        server_name localhost;

{_indent(PROXY_SETTINGS, 8)}

        location / {{
            proxy_pass http://kdc;
        }}{statics}
    }}
}}
"""

    def start(self) -> str:
        """Write the configuration, start nginx and wait until it listens; its base URL."""
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "tmp").mkdir(exist_ok=True)
        conf = self.directory / "nginx.conf"
        conf.write_text(self.config())
        command = [self.binary, "-p", str(self.directory), "-e", str(self.error_log)]
        checked = subprocess.run(
            [*command, "-t", "-q", "-c", str(conf)], capture_output=True, text=True
        )
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refuses its configuration: {checked.stderr.strip()}")
        self.process = subprocess.Popen(
            [*command, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for_port(self.port, self.process)
        except RuntimeError as exc:
            self.stop()
            errors = self.error_log.read_text() if self.error_log.exists() else ""
            raise RuntimeError(f"nginx did not start: {exc}\n{errors}") from None
        return self.url

    def stop(self) -> None:
        """Stop nginx (its master stops its workers)."""
        stop_process(self.process, signal.SIGTERM)
        self.process = None


class WebWorker:
    """``kdc serve --port 0 --trusted-proxy 127.0.0.1`` in a process of its own, with
    ``env`` as its whole environment; everything it prints goes to ``log``."""

    def __init__(
        self, env: Mapping[str, str], log: Path, cwd: Path, extra_args: Sequence[str] = ()
    ) -> None:
        self.env = dict(env)
        self.log = Path(log)
        self.cwd = Path(cwd)
        self.extra_args = list(extra_args)
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> WebWorker:
        """Start the process; return once it says where it serves."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [KDC, "serve", "--port", "0", "--trusted-proxy", "127.0.0.1", *self.extra_args],
                cwd=self.cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"Serving kdc at http://127\.0\.0\.1:(\d+)/", self.output())
            if found:
                self.port = int(found.group(1))
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"kdc serve did not start:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """End the process at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        stop_process(self.process, signal.SIGINT)


def stop_process(process: subprocess.Popen[bytes] | None, sig: int, timeout: float = 15) -> None:
    """Send ``sig`` and wait; kill the process if it is still there after ``timeout``."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
