"""What the admin's browser tests share: a demo council on disk, the real app on waitress,
signing in, and screenshots under ``test-artifacts/screenshots/``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from kdc_admin import create_app
from kdc_admin.server import make_server
from kdc_admin.testing import PASSWORD, TEST_SECRET, add_user, running
from kdc_core import Kdc, Settings
from kdc_core.testing import copy_template

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LIAISON = "liaison@example.gov.uk"


def demo_kdc(request: pytest.FixtureRequest, folder: Path, users: Iterable[tuple[str, str]]) -> Kdc:
    """A SQLite demo council in ``folder`` (a copy of the session's demo template) with these
    (email, role) accounts."""
    url = f"sqlite:///{folder / 'kdc.sqlite3'}"
    copy_template(request, url, "demo")
    kdc = Kdc(Settings(database_url=url, instance_path=folder / "instance", environ={}))
    for email, role in users:
        add_user(kdc, email, role)
    return kdc


@contextlib.contextmanager
def served(kdc: Kdc, app: Flask | None = None) -> Iterator[str]:
    """The real app (or ``app``, built on ``kdc``) on waitress (the server ``kdc serve`` uses)
    on a free port: its base URL."""
    app = app or create_app(kdc, SECRET_KEY=TEST_SECRET)
    with running(make_server(app, "127.0.0.1", 0, threads=4)) as port:
        yield f"http://127.0.0.1:{port}"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, email: str = LIAISON) -> None:
    page.goto("/admin/")
    assert "/login" in page.url
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
