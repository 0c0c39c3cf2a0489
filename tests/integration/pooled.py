"""A PostgreSQL-only database and a Kdc with a connection per thread, for the tests that race
many threads at one database (SQLite serialises writers by itself, so it is left out)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kdc_core import testing
from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.db.engine import make_engine


def postgres_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """For a module's ``kdc_database_url`` fixture: PostgreSQL only."""
    yield from testing.database_url_for(
        "postgres", tmp_path, request.getfixturevalue("kdc_postgres_url")
    )


def pooled_kdc(database_url: str, instance_path: Path, connections: int) -> Kdc:
    """A Kdc whose engine keeps ``connections`` connections and no more."""
    settings = Settings(database_url=database_url, instance_path=instance_path, environ={})
    engine = make_engine(database_url, pool_size=connections, max_overflow=0)
    return Kdc(settings, engine=engine)
