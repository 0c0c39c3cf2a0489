"""Suite-wide settings and fixtures. With KDC_FAIL_ON_SKIP=1 (as in CI) any skipped test fails the
run."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from kdc_core.users import service as users


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not os.environ.get("KDC_FAIL_ON_SKIP"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        reporter.write_line(f"KDC_FAIL_ON_SKIP: {skipped} tests were skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


ROOT = Path(__file__).resolve().parent.parent


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
