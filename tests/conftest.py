"""Suite-wide settings. With KDC_FAIL_ON_SKIP=1 (as in CI) any skipped test fails the run."""

from __future__ import annotations

import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not os.environ.get("KDC_FAIL_ON_SKIP"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        reporter.write_line(f"KDC_FAIL_ON_SKIP: {skipped} tests were skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
