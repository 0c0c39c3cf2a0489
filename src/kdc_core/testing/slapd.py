"""A throwaway OpenLDAP ``slapd`` on 127.0.0.1 for tests (Debian's ``slapd``).

    server = ThrowawaySlapd(tmp_path, ldif=LDIF_TEXT)
    url = server.start()          # ldap://127.0.0.1:PORT
    ...
    server.stop()

One ``mdb`` database under ``suffix`` with the core, cosine and inetOrgPerson schemas; the
LDIF is loaded with ``slapadd`` before the server starts; ``rootdn``/``rootpw`` can write.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
SCHEMAS = Path("/etc/ldap/schema")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> bool:
    return SLAPD.exists() and SLAPADD.exists() and (SCHEMAS / "inetorgperson.schema").exists()


class ThrowawaySlapd:
    def __init__(
        self,
        directory: Path,
        ldif: str = "",
        suffix: str = "dc=example,dc=gov,dc=uk",
        root_password: str = "secret",
    ) -> None:
        if not available():
            raise RuntimeError("OpenLDAP slapd not found (apt-get install slapd)")
        self.directory = Path(directory)
        self.suffix = suffix
        self.root_dn = f"cn=admin,{suffix}"
        self.root_password = root_password
        self.ldif = ldif
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def _config(self) -> Path:
        data = self.directory / "data"
        data.mkdir(parents=True, exist_ok=True)
        conf = self.directory / "slapd.conf"
        conf.write_text(
            "\n".join(
                [
                    *(
                        f"include {SCHEMAS / name}.schema"
                        for name in ("core", "cosine", "inetorgperson")
                    ),
                    f"pidfile {self.directory / 'slapd.pid'}",
                    "moduleload back_mdb",
                    "modulepath /usr/lib/ldap",
                    "database mdb",
                    "maxsize 104857600",
                    f'suffix "{self.suffix}"',
                    f'rootdn "{self.root_dn}"',
                    f"rootpw {self.root_password}",
                    f"directory {data}",
                    "index objectClass eq",
                    "index employeeNumber eq",
                    "",
                ]
            ),
            encoding="utf-8",
        )
        return conf

    def start(self) -> str:
        conf = self._config()
        if self.ldif:
            ldif = self.directory / "data.ldif"
            ldif.write_text(self.ldif, encoding="utf-8")
            done = subprocess.run(
                [str(SLAPADD), "-f", str(conf), "-l", str(ldif)], capture_output=True, text=True
            )
            if done.returncode != 0:
                raise RuntimeError(f"slapadd failed: {done.stderr.strip() or done.stdout.strip()}")
        self.process = subprocess.Popen(
            [str(SLAPD), "-f", str(conf), "-h", self.url + "/", "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"slapd exited: {err.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self.url
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("slapd did not start listening within 15 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        if os.environ.get("KDC_KEEP_SLAPD") is None:
            shutil.rmtree(self.directory, ignore_errors=True)
