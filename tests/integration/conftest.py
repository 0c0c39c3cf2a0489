"""Every integration test runs twice: on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from smtp_server import Mailbox, smtp_server

from kdc_core import testing


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def kdc_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from testing.database_for_test(request, request.param, tmp_path)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the test: (its mailbox, its port)."""
    with smtp_server() as server:
        yield server
