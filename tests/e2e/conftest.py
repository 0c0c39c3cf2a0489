"""Headless Chromium for the browser tests.

Chromium is Debian's (``/usr/bin/chromium``, or ``KDC_CHROMIUM``). Without it the tests that use
the ``browser`` fixture skip, unless ``KDC_REQUIRE_BROWSER`` or ``KDC_FAIL_ON_SKIP`` is set (as in
CI), when they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """The Chromium to drive; skips the test, or fails it when a browser is required."""
    path = os.environ.get("KDC_CHROMIUM", "/usr/bin/chromium")
    if Path(path).is_file() and os.access(path, os.X_OK):
        return path
    message = f"Chromium not found at {path} (set KDC_CHROMIUM)"
    for required in ("KDC_REQUIRE_BROWSER", "KDC_FAIL_ON_SKIP"):
        if os.environ.get(required):
            pytest.fail(f"{message} but {required} is set")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium per test module."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    """A fresh browser context on the module's ``base_url``; dialogs are recorded and dismissed."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
