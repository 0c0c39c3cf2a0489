"""docs/deploy.md says what the two-worker test runs: its nginx site has the tested proxy
settings and nginx accepts it; every ``kdc`` command it gives exists with those options."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kdc_core.cli import build_cli
from kdc_core.testing.nginx import (
    PROXY_SETTINGS,
    UPSTREAM_KEEPALIVE,
    UPSTREAM_SERVER,
    require_nginx,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), re.S)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kdc.kirklees.gov.uk")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_the_documented_nginx_site_has_the_tested_settings_and_nginx_accepts_it(tmp_path):
    (site,) = _blocks("nginx")
    lines = {line.strip() for line in site.splitlines()}
    for setting in PROXY_SETTINGS.splitlines():
        assert setting in lines, f"docs/deploy.md lacks {setting!r}"
    for port in (8001, 8002):
        assert UPSTREAM_SERVER.format(address=f"127.0.0.1:{port}") in lines
    assert UPSTREAM_KEEPALIVE in lines
    assert not any("non_idempotent" in line for line in lines)

    nginx = require_nginx()
    cert, key = _self_signed(tmp_path)
    site = (
        site.replace("/etc/ssl/kdc/fullchain.pem", str(cert))
        .replace("/etc/ssl/kdc/privkey.pem", str(key))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    temps = "\n".join(
        f"{kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n{temps}\n{site}\n}}\n")
    error_log = str(tmp_path / "error.log")
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", error_log, "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def _documented_commands() -> list[list[str]]:
    """The arguments after ``kdc`` of every command line in the doc's shell and unit files."""
    commands = []
    for block in _blocks("sh") + _blocks("ini"):
        for line in block.splitlines():
            found = re.search(r"/opt/kdc[^/\s]*/bin/kdc\s+(.*)$", line)
            if found:
                commands.append(shlex.split(found.group(1).replace("%i", "8001")))
    return commands


@pytest.mark.parametrize("kdc_database_url", ["sqlite"], indirect=True)
def test_every_kdc_command_in_the_doc_exists_with_its_options(kdc_app):
    commands = _documented_commands()
    assert {args[0] for args in commands} >= {"serve", "worker", "init"}
    group = build_cli(kdc_app)
    for args in commands:
        # --help stops before running anything, once every option given has been recognised.
        result = CliRunner().invoke(group, [*args, "--help"], obj=kdc_app)
        assert result.exit_code == 0, f"kdc {shlex.join(args)}: {result.output}"
