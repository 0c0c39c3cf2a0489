"""``kdc demo`` and ``kdc serve`` as a person runs them: real processes, real waitress."""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

import logcheck

KDC = [str(Path(sys.executable).with_name("kdc"))]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDC_")}
    env["KDC_INSTANCE_PATH"] = str(tmp_path / "instance")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _sign_in_with_link(url: str) -> str:
    """Open a one-time sign-in link, press its button, and return who the site says is signed
    in."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    page = opener.open(url).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token}).encode()
    landed = opener.open(urllib.request.Request(url, data=body)).read().decode()
    signed_in = re.search(r"Signed in as <strong[^>]*>([^<]+)</strong>", landed)
    assert signed_in, landed
    return html.unescape(signed_in.group(1))


def _start(
    args: list[str], tmp_path: Path, preexec_fn: Callable[[], None] | None = None
) -> tuple[subprocess.Popen[str], list[str]]:
    """Start ``kdc ARGS`` and read its output until it says where it is serving. Its log
    (stderr, JSON lines) joins the test run's logs, searched for the password and sign-in
    links it printed (tests/logcheck.py)."""
    log = logcheck.server_log(args[0])
    env = _env(tmp_path) | {"KDC_LOG_FORMAT": "json", "KDC_LOG_LEVEL": "DEBUG"}
    with open(log or os.devnull, "a", encoding="utf-8") as stderr:
        proc = subprocess.Popen(
            [*KDC, *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            preexec_fn=preexec_fn,
        )
    lines: list[str] = []
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        for secret in re.findall(r"with password (\S+)|/sign-in/link/(\S+)", line):
            logcheck.keep_secret("".join(secret))
        if args[0] == "serve" and line.startswith("Serving kdc at "):
            return proc, lines
        if line.startswith("(the password is shown only now"):
            return proc, lines
    proc.kill()
    if log is not None:
        lines.append(log.read_text())
    pytest.fail("the server did not start:\n" + "\n".join(lines))


def _stop(proc: subprocess.Popen[str], sig: int = signal.SIGINT) -> str:
    proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        status = Path(f"/proc/{proc.pid}/status").read_text()
        proc.kill()
        proc.communicate(timeout=10)
        masks = [line for line in status.splitlines() if line.startswith("Sig")]
        pytest.fail(f"kdc did not stop on signal {sig}: {masks}")
    assert proc.returncode == 0, out
    return out


def _deaf_to_signals() -> None:
    """As a process is started by some supervisors and scripts: SIGINT ignored, and SIGINT
    and SIGTERM blocked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_stops_cleanly_on_ctrl_c_or_sigterm_even_if_started_deaf_to_them(tmp_path, sig):
    subprocess.run([*KDC, "init"], cwd=tmp_path, env=_env(tmp_path), check=True, timeout=60)
    proc, _lines = _start(["serve", "--port", "0"], tmp_path, preexec_fn=_deaf_to_signals)
    assert _stop(proc, sig).rstrip().endswith("Stopped.")


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _log_in(base: str, email: str, password: str) -> tuple[urllib.request.OpenerDirector, str]:
    opener = _opener()
    page = opener.open(base + "login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    response = opener.open(base + "login", data=data.encode())
    return opener, response.geturl()


def test_demo_seeds_creates_the_admin_and_serves(tmp_path):
    proc, lines = _start(["demo", "--port", "0"], tmp_path)
    try:
        text = "\n".join(lines)
        assert "Demo council: 23 wards, 69 councillors, 400 officers." in text
        assert "Demo activity added: " in text and " enquiries, " in text
        mail = tmp_path / "instance" / "mail"
        written = re.search(
            rf"Demo mail is written to {re.escape(str(mail))}: (\d+) messages", text
        )
        assert written, text
        messages = int(written.group(1))
        assert messages == len(list((mail / "new").iterdir())) > 0
        login = re.search(
            r"The admin: log in at (http://127\.0\.0\.1:\d+/)login as admin@example\.gov\.uk "
            r"with password (\S+)",
            text,
        )
        assert login, text
        base, password = login.group(1), login.group(2)
        assert urllib.request.urlopen(base + "login").status == 200
        opener, landed = _log_in(base, "admin@example.gov.uk", password)
        assert landed == base + "admin/"
        chart = opener.open(base + "admin/org-chart/").read().decode()
        assert 'class="orgchart"' in chart
        assert "KE-" in opener.open(base + "admin/enquiry/").read().decode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(base + "login", data=b"email=x"))
        assert refused.value.code == 400  # no CSRF token
        assert f"The site for councillors and staff: {base}" in text
        for kind in ("councillor", "officer"):
            link = re.search(rf"See it as {kind} (.+): ({re.escape(base)}sign-in/link/\S+)", text)
            assert link, text
            assert _sign_in_with_link(link.group(2)) == link.group(1)
    finally:
        out = _stop(proc)
    assert "Stopped." in out
    assert (tmp_path / "instance" / "secret_key").is_file()

    again, lines = _start(["demo", "--port", "0"], tmp_path)
    try:
        text = "\n".join(lines)
        assert "Demo council: 23 wards, 69 councillors, 400 officers." in text
        assert "Demo activity already there: nothing added." in text
        assert f"Demo mail is written to {mail}: {messages} messages." in text
        new_password = re.search(r"with password (\S+)", "\n".join(lines)).group(1)
        assert new_password != password
        base = re.search(r"log in at (\S+)login", "\n".join(lines)).group(1)
        _, landed = _log_in(base, "admin@example.gov.uk", password)
        assert landed.startswith(base + "login")  # the old password no longer works
    finally:
        _stop(again)

    served, lines = _start(["serve", "--port", "0"], tmp_path)
    try:
        base = re.search(r"Serving kdc at (http://\S+/)admin/", lines[-1]).group(1)
        _, landed = _log_in(base, "admin@example.gov.uk", new_password)
        assert landed == base + "admin/"
    finally:
        _stop(served)


def test_serve_refuses_a_database_without_the_schema(tmp_path):
    result = subprocess.run(
        [*KDC, "serve", "--port", "0"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "run `kdc init` first" in result.stderr


def test_serve_reports_a_busy_port(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        subprocess.run([*KDC, "init"], cwd=tmp_path, env=_env(tmp_path), check=True, timeout=60)
        result = subprocess.run(
            [*KDC, "serve", "--port", str(port)],
            cwd=tmp_path,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def _post_login(opener, base: str, headers: dict[str, str]) -> tuple[int, str]:
    """GET the login page and POST it back with its CSRF token, both with ``headers``."""
    page = opener.open(urllib.request.Request(base + "login", headers=headers)).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"email": "x@example.gov.uk", "password": "x", "csrf_token": token}
    )
    request = urllib.request.Request(base + "login", data=data.encode(), headers=headers)
    try:
        response = opener.open(request)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    return response.status, response.read().decode()


def test_serve_believes_forwarded_headers_only_from_the_trusted_proxy(tmp_path):
    subprocess.run([*KDC, "init"], cwd=tmp_path, env=_env(tmp_path), check=True, timeout=60)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kdc.example.gov.uk"}

    # From the trusted proxy the request is HTTPS for kdc.example.gov.uk, so every POST must
    # carry a Referer from that origin (Flask-WTF's strict check for HTTPS).
    proxied, lines = _start(["serve", "--port", "0", "--trusted-proxy", "127.0.0.1"], tmp_path)
    try:
        base = re.search(r"Serving kdc at (http://\S+/)admin/", lines[-1]).group(1)
        code, body = _post_login(_opener(), base, forwarded)
        assert code == 400 and "The referrer header is missing." in body
        code, body = _post_login(
            _opener(), base, forwarded | {"Referer": "https://elsewhere.example/login"}
        )
        assert code == 400 and "The referrer does not match the host." in body
        code, body = _post_login(
            _opener(), base, forwarded | {"Referer": "https://kdc.example.gov.uk/login"}
        )
        assert code == 200 and "Email address or password is wrong." in body
    finally:
        _stop(proxied)

    # Any other client's forwarded headers are dropped: the same request is plain HTTP.
    elsewhere, lines = _start(["serve", "--port", "0", "--trusted-proxy", "192.0.2.1"], tmp_path)
    try:
        base = re.search(r"Serving kdc at (http://\S+/)admin/", lines[-1]).group(1)
        code, body = _post_login(_opener(), base, forwarded)
        assert code == 200 and "Email address or password is wrong." in body
    finally:
        _stop(elsewhere)
