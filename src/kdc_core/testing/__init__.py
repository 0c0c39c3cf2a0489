"""pytest fixtures for people writing kdc plugins (installed as the ``kdc`` pytest plugin).

- ``kdc_database_url``: a fresh, empty database for the test. SQLite in ``tmp_path`` by
  default; tests parametrised with ``indirect=True`` can ask for ``"postgres"``: a fresh
  database on the server named by ``KDC_TEST_POSTGRES_URL``, or else on a throwaway cluster
  the test session starts itself from the PostgreSQL server binaries (Debian's
  ``postgresql`` package). With neither, those tests skip — set ``KDC_REQUIRE_POSTGRES=1``
  to make that a failure instead.
- ``kdc_app``: a :class:`kdc_core.Kdc` on that database with the schema at head, plus any
  plugins listed by the ``kdc_extra_plugins`` fixture (override it in your conftest).
- ``kdc_run``: run a ``kdc`` command in-process against ``kdc_app`` and get click's result.

Throwaway servers for tests and benchmarks live in submodules: :mod:`kdc_core.testing.postgres`
(a PostgreSQL cluster), :mod:`kdc_core.testing.radicale` (a CalDAV server),
:mod:`kdc_core.testing.slapd` (an OpenLDAP server) and :mod:`kdc_core.testing.casework_api` (a
reference server for the casework JSON API). Nothing outside tests and benchmarks imports them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.plugins import make_plugin_manager

POSTGRES_ENV = "KDC_TEST_POSTGRES_URL"


def _postgres_database(base_url: str) -> Iterator[str]:
    """Create a throwaway database on the server at ``base_url``; drop it afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kdc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_url_for(kind: str, tmp_path: Path, postgres_url: str | None = None) -> Iterator[str]:
    """Yield a fresh database URL of ``kind`` (``"sqlite"`` or ``"postgres"``)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'kdc.sqlite3'}"
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r}")
    if not postgres_url:
        reason = f"no PostgreSQL: set {POSTGRES_ENV} or install the server binaries"
        if os.environ.get("KDC_REQUIRE_POSTGRES"):
            pytest.fail(f"{reason} (KDC_REQUIRE_POSTGRES is set)")
        pytest.skip(reason)
    yield from _postgres_database(postgres_url)


@pytest.fixture(scope="session")
def kdc_postgres_url() -> Iterator[str | None]:
    """The server to make test databases on: ``KDC_TEST_POSTGRES_URL``, or a throwaway cluster."""
    from kdc_core.testing.postgres import find_bindir, server_url

    if not os.environ.get(POSTGRES_ENV) and find_bindir() is None:
        yield None
        return
    with server_url() as url:
        yield url


@pytest.fixture
def kdc_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    kind = getattr(request, "param", "sqlite")
    server = request.getfixturevalue("kdc_postgres_url") if kind == "postgres" else None
    yield from database_url_for(kind, tmp_path, server)


@pytest.fixture
def kdc_extra_plugins() -> Sequence[tuple[str, Any]]:
    """(name, plugin) pairs to register on top of the installed ones; override to add yours."""
    return ()


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
    )


@pytest.fixture
def kdc_app(kdc_settings: Settings, kdc_extra_plugins: Sequence[tuple[str, Any]]) -> Iterator[Kdc]:
    kdc = Kdc(kdc_settings, make_plugin_manager(kdc_settings, kdc_extra_plugins))
    kdc.upgrade_schema()
    yield kdc
    kdc.dispose()


@pytest.fixture
def kdc_run(kdc_app: Kdc) -> Any:
    """``kdc_run("ward", "Almondbury", "--json")`` → click ``Result`` (exit code, output)."""
    from kdc_core.cli import build_cli

    def run(*args: str, input: str | None = None) -> Result:
        group = build_cli(kdc_app)
        return CliRunner().invoke(
            group, list(args), obj=kdc_app, input=input, catch_exceptions=False
        )

    return run
