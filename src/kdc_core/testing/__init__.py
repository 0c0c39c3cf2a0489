"""pytest fixtures for people writing kdc plugins (installed as the ``kdc`` pytest plugin).

- ``kdc_database_url``: a fresh, empty database for the test. SQLite in ``tmp_path`` by
  default; tests parametrised with ``indirect=True`` can ask for ``"postgres"``: a fresh
  database on the server named by ``KDC_TEST_POSTGRES_URL``, or else on a throwaway cluster
  the test session starts itself from the PostgreSQL server binaries (Debian's
  ``postgresql`` package). With neither, those tests skip — set ``KDC_REQUIRE_POSTGRES=1``
  to make that a failure instead.
- ``kdc_app``: a :class:`kdc_core.Kdc` on that database with the schema at head, plus any
  plugins listed by the ``kdc_extra_plugins`` fixture (override it in your conftest). The
  schema is a copy of a template database migrated once per test session (see
  :mod:`kdc_core.testing.databases`), so a test that checks the migrations themselves should
  take ``kdc_database_url``, which stays empty, and migrate it.
- ``kdc_template``: which template ``kdc_app`` copies: ``"schema"`` (the default), or
  ``"demo"`` for the demo council already loaded (``seed_demo`` then runs once per session,
  not per test, so plugins hear no changes from it). Override it in a module, or
  parametrise a test with it.
- ``kdc_copy_template``: ``kdc_copy_template(url)`` (or ``(url, "demo")``) turns an empty test
  database into a copy of a template, for tests that build their own :class:`kdc_core.Kdc`;
  :func:`copy_template` does the same from a module- or session-scoped fixture.
- ``kdc_run``: run a ``kdc`` command in-process against ``kdc_app`` and get click's result.

Throwaway servers for tests and benchmarks live in submodules: :mod:`kdc_core.testing.postgres`
(a PostgreSQL cluster), :mod:`kdc_core.testing.radicale` (a CalDAV server),
:mod:`kdc_core.testing.slapd` (an OpenLDAP server), :mod:`kdc_core.testing.casework_api` (a
reference server for the casework JSON API) and :mod:`kdc_core.testing.nginx` (``kdc serve``
workers behind nginx). Nothing outside tests and benchmarks imports them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import make_url

from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.plugins import make_plugin_manager
from kdc_core.testing.databases import (
    POSTGRES_ENV,
    PostgresTemplates,
    SqliteTemplates,
    database_url_for,
    no_postgres,
)

__all__ = [
    "POSTGRES_ENV",
    "copy_template",
    "database_for_test",
    "database_url_for",
    "kdc_app",
    "kdc_copy_template",
    "kdc_database_url",
    "kdc_extra_plugins",
    "kdc_postgres_url",
    "kdc_run",
    "kdc_settings",
    "kdc_template",
]


def _seed_demo(database_url: str) -> None:
    """Load the demo council, as ``kdc seed-demo`` would, with the installed plugins."""
    from kdc_core.demo import seed_demo

    folder = Path(make_url(database_url).database or ".").parent
    settings = Settings(database_url=database_url, instance_path=folder / "instance", environ={})
    kdc = Kdc(settings, make_plugin_manager(settings))
    try:
        with kdc.unit_of_work(source="demo") as uow:
            seed_demo(uow)
    finally:
        kdc.dispose()


FILLERS = {"demo": _seed_demo}


@pytest.fixture(scope="session")
def kdc_postgres_url() -> Iterator[str | None]:
    """The server to make test databases on: ``KDC_TEST_POSTGRES_URL``, or a throwaway cluster."""
    from kdc_core.testing.postgres import find_bindir, server_url

    if not os.environ.get(POSTGRES_ENV) and find_bindir() is None:
        yield None
        return
    with server_url() as url:
        yield url


@pytest.fixture(scope="session")
def kdc_sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    """SQLite template files, migrated (and seeded) once per session on first use."""
    return SqliteTemplates(tmp_path_factory.mktemp("kdc-templates"), FILLERS)


@pytest.fixture(scope="session")
def kdc_postgres_templates(kdc_postgres_url: str | None) -> Iterator[PostgresTemplates]:
    """PostgreSQL template databases on ``kdc_postgres_url``, dropped at the end."""
    if kdc_postgres_url is None:
        no_postgres()
    templates = PostgresTemplates(kdc_postgres_url, FILLERS)
    yield templates
    templates.drop()


def copy_template(request: pytest.FixtureRequest, database_url: str, kind: str = "schema") -> None:
    """Make the empty test database at ``database_url`` a copy of the ``kind`` template
    (``"schema"``: migrated to head; ``"demo"``: that plus the demo council)."""
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        request.getfixturevalue("kdc_sqlite_templates").copy(kind, database_url)
    elif backend == "postgresql":
        request.getfixturevalue("kdc_postgres_templates").copy(kind, database_url)
    else:
        raise ValueError(f"no templates for {backend} databases")


@pytest.fixture
def kdc_copy_template(request: pytest.FixtureRequest) -> Callable[..., None]:
    """``kdc_copy_template(url, kind="schema")``: see :func:`copy_template`."""

    def copy(database_url: str, kind: str = "schema") -> None:
        copy_template(request, database_url, kind)

    return copy


def database_for_test(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> Iterator[str]:
    """For a ``kdc_database_url`` fixture: a fresh, empty database of ``kind`` (``"sqlite"``
    or ``"postgres"``) for the test.

    When the test uses ``kdc_app``, which replaces the database by a copy of a template
    anyway, an empty PostgreSQL database is not made first: the URL names a database that
    :func:`copy_template` makes, and that is recycled afterwards when it can be (see
    :class:`~kdc_core.testing.databases.PostgresTemplates`).
    """
    if kind != "postgres":
        yield from database_url_for(kind, tmp_path)
        return
    server = request.getfixturevalue("kdc_postgres_url")
    if server is None:
        no_postgres()
    if "kdc_app" in request.fixturenames:
        with request.getfixturevalue("kdc_postgres_templates").lease() as url:
            yield url
        return
    yield from database_url_for(kind, tmp_path, server)


@pytest.fixture
def kdc_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database (SQLite; ``"postgres"`` when parametrised indirectly)."""
    yield from database_for_test(request, getattr(request, "param", "sqlite"), tmp_path)


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
def kdc_template() -> str:
    """The template ``kdc_app`` starts from: ``"schema"``, or ``"demo"`` (override to choose)."""
    return "schema"


@pytest.fixture
def kdc_app(
    request: pytest.FixtureRequest,
    kdc_settings: Settings,
    kdc_extra_plugins: Sequence[tuple[str, Any]],
    kdc_template: str,
) -> Iterator[Kdc]:
    """A :class:`kdc_core.Kdc` on ``kdc_database_url``: a copy of the ``kdc_template``
    database, so its schema is at head."""
    copy_template(request, kdc_settings.database_url, kdc_template)
    kdc = Kdc(kdc_settings, make_plugin_manager(kdc_settings, kdc_extra_plugins))
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
