"""Suite-wide settings and fixtures. With KDC_FAIL_ON_SKIP=1 (as in CI) any skipped test fails the
run. Every log record of the run goes to test-artifacts/logs/, and the run fails if those logs
hold a token, a password or personal data (tests/logcheck.py)."""

from __future__ import annotations

import compileall
import contextlib
import fcntl
import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

import logcheck
from kdc_core.users import service as users

ROOT = Path(__file__).resolve().parent.parent
#: Where every log record of the run is written (see tests/logcheck.py).
LOGS = ROOT / "test-artifacts" / "logs"
#: A run with this many passed tests or more is taken as a whole-suite run (about 3000
#: tests): its logs must hold at least FULL_RUN_RECORDS records, or the capture is broken.
#: Any run's logs must hold each process's first record, and the search must find a secret
#: planted in a copy of a real line (tests/logcheck.py).
FULL_RUN_TESTS = 2000
FULL_RUN_RECORDS = 5000


def _worker(config: pytest.Config) -> str | None:
    """This xdist worker's id, or ``None`` in the controller or a single process."""
    workerinput = getattr(config, "workerinput", None)
    return None if workerinput is None else str(workerinput["workerid"])


def pytest_configure(config: pytest.Config) -> None:
    worker = _worker(config)
    if worker is None:
        # The controller, or the one process of -n 0: before any worker starts.
        shutil.rmtree(LOGS, ignore_errors=True)
        _compile_sources()
    else:
        logcheck.install(LOGS, worker, _kdc_loggers())


def _compile_sources() -> None:
    """Write the project's bytecode once, as an installed kdc has it. An editable install has
    none, and where ``PYTHONDONTWRITEBYTECODE`` is set (as on CI machines) every worker and
    every ``kdc`` process a test starts would compile the same few hundred modules again."""
    for folder in ("src", "admin", "site", "plugins", "examples"):
        compileall.compile_dir(ROOT / folder, quiet=2, workers=1)


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if _worker(config) is None and not config.pluginmanager.hasplugin("dsession"):
        logcheck.install(LOGS, "main", _kdc_loggers())  # no workers: this process runs tests


def _kdc_loggers() -> list[str]:
    return [*logcheck.KDC_LOGGERS, *logcheck.plugin_loggers(ROOT / "plugins")]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _worker(session.config) is not None:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    _check_logs(session, reporter)
    if not os.environ.get("KDC_FAIL_ON_SKIP"):
        return
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        reporter.write_line(f"KDC_FAIL_ON_SKIP: {skipped} tests were skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _check_logs(session: pytest.Session, reporter: Any) -> None:
    """Fail the run when any log record holds a token, password or personal data."""
    passed = len(reporter.stats.get("passed", [])) if reporter else 0
    if not passed:
        return
    for handler in logging.getLogger().handlers:
        # A handler a test left on a stream it closed (click's CliRunner output) has nothing
        # to flush; the log files are what is checked.
        with contextlib.suppress(ValueError):
            handler.flush()
    expect = FULL_RUN_RECORDS if passed >= FULL_RUN_TESTS else 1
    report = logcheck.check(LOGS, expect_records=expect)
    write = reporter.write_line if reporter else print
    if reporter:
        reporter.ensure_newline()
    if report.hits or report.problems:
        for hit in report.hits[:50]:
            write(f"log check: {hit.describe(ROOT)}", red=True)
        if len(report.hits) > 50:
            write(f"log check: … and {len(report.hits) - 50} more", red=True)
        for problem in report.problems:
            write(f"log check cannot vouch for the logs: {problem}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        return
    write(
        f"log check: {report.records} records in {report.files} files searched for "
        f"{report.secrets} secrets and pieces of personal data: none found"
    )


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> None:
    """Hash test passwords with argon2's cheapest parameters, as argon2-cffi advises for tests:
    the real ones take a fifth of a second a hash, and most admin tests sign someone in. Still
    argon2id; servers the tests start as separate processes keep the real parameters."""
    users._hasher = PasswordHasher.from_parameters(CHEAPEST)


def _npm_install() -> Path:
    """``npm ci`` in the repository (once, whichever xdist worker gets there first)."""
    modules = ROOT / "node_modules"
    stamp = modules / ".kdc-installed"
    lock_path = ROOT / ".npm-install.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lockfile = ROOT / "package-lock.json"
        if stamp.is_file() and stamp.read_text() == lockfile.read_text():
            return modules
        npm = shutil.which("npm")
        if npm is None:
            raise FileNotFoundError("npm")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ROOT,
            check=True,
            timeout=600,
        )
        stamp.write_text(lockfile.read_text())
    return modules


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The JavaScript tools the tests use (package.json: an OpenID Connect provider, axe-core,
    the site's style build), installed by ``npm ci`` into ``node_modules``. Without Node and npm
    the test skips, or fails when ``KDC_REQUIRE_NODE`` or ``KDC_FAIL_ON_SKIP`` is set (as in CI).
    """
    if shutil.which("node") is None or shutil.which("npm") is None:
        message = "Node.js and npm are needed (Debian's nodejs and npm packages)"
        for required in ("KDC_REQUIRE_NODE", "KDC_FAIL_ON_SKIP"):
            if os.environ.get(required):
                pytest.fail(f"{message} but {required} is set")
        pytest.skip(message)
    return _npm_install()
