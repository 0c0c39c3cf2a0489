"""Test databases: fresh empty ones, and copies of templates migrated once per session.

Running every Alembic migration for every test is most of a small test's time. Instead a
template is migrated (and, for the demo council, seeded) once, and each test gets a copy:
SQLite copies the template file; PostgreSQL runs ``CREATE DATABASE … TEMPLATE``. A copy is
exactly what the migrations (and ``seed_demo``) would have left, so ``Kdc.upgrade_schema()``
on it is a no-op.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from kdc_core.db.engine import make_engine
from kdc_core.db.migrate import upgrade

if TYPE_CHECKING:
    from kdc_core.testing.pg_reset import Snapshot

POSTGRES_ENV = "KDC_TEST_POSTGRES_URL"

#: Fills a freshly migrated template database, given its URL.
Filler = Callable[[str], None]


def _admin_engine(server_url: str) -> Engine:
    return create_engine(server_url, isolation_level="AUTOCOMMIT")


def _postgres_database(base_url: str) -> Iterator[str]:
    """Create a throwaway database on the server at ``base_url``; drop it afterwards."""
    name = f"kdc_test_{uuid.uuid4().hex[:12]}"
    create_postgres_database(base_url, name)
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        drop_postgres_database(base_url, name)


def _on_server(server: str | Engine, statement: str, **params: object) -> None:
    """Run one statement outside a transaction, through ``server``: an admin engine kept by
    the caller, or a server URL (an engine is made for the statement and disposed)."""
    admin = server if isinstance(server, Engine) else _admin_engine(server)
    try:
        with admin.connect() as conn:
            conn.execute(text(statement), params)
    finally:
        if admin is not server:
            admin.dispose()


def create_postgres_database(server: str | Engine, name: str, template: str | None = None) -> None:
    suffix = f' TEMPLATE "{template}"' if template else ""
    _on_server(server, f'CREATE DATABASE "{name}"{suffix}')


def drop_postgres_database(server: str | Engine, name: str) -> None:
    _on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rename_postgres_database(server: str | Engine, name: str, new_name: str) -> None:
    _on_server(server, f'ALTER DATABASE "{name}" RENAME TO "{new_name}"')


@contextlib.contextmanager
def postgres_databases(
    server_url: str, prefix: str = "kdc_bench"
) -> Iterator[Callable[[str], str]]:
    """``make(name)`` gives the URL of a new, empty database on ``server_url``; every database
    made is dropped on leaving the block (for benchmarks and other throwaway runs)."""
    made: list[str] = []

    def make(name: str) -> str:
        database = f"{prefix}_{name}_{uuid.uuid4().hex[:8]}"
        create_postgres_database(server_url, database)
        made.append(database)
        return make_url(server_url).set(database=database).render_as_string(hide_password=False)

    try:
        yield make
    finally:
        for database in made:
            drop_postgres_database(server_url, database)


def database_url_for(kind: str, tmp_path: Path, postgres_url: str | None = None) -> Iterator[str]:
    """Yield a fresh, empty database URL of ``kind`` (``"sqlite"`` or ``"postgres"``)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'kdc.sqlite3'}"
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r}")
    if not postgres_url:
        no_postgres()
    yield from _postgres_database(postgres_url)


def no_postgres() -> NoReturn:
    """Skip the test for want of a PostgreSQL server, or fail it when one is required
    (``KDC_REQUIRE_POSTGRES``)."""
    reason = f"no PostgreSQL: set {POSTGRES_ENV} or install the server binaries"
    if os.environ.get("KDC_REQUIRE_POSTGRES"):
        pytest.fail(f"{reason} (KDC_REQUIRE_POSTGRES is set)")
    pytest.skip(reason)


def migrate(database_url: str) -> None:
    """Bring the database at ``database_url`` to the schema's head."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


class Templates:
    """Template databases of one kind, built on first use and kept for the session.

    ``fillers`` maps a template's name to what fills it after the migrations (``"schema"``
    adds nothing). A template built from another starts as a copy of the schema template.
    """

    def __init__(self, fillers: Mapping[str, Filler]) -> None:
        self.fillers: dict[str, Filler] = {"schema": _nothing, **fillers}
        self._built: dict[str, str] = {}

    def _fill(self, kind: str, url: str) -> None:
        if kind == "schema":
            migrate(url)
        self.fillers[kind](url)


def _nothing(_url: str) -> None:
    return None


class SqliteTemplates(Templates):
    """SQLite templates: files in ``folder``, copied byte for byte."""

    def __init__(self, folder: Path, fillers: Mapping[str, Filler]) -> None:
        super().__init__(fillers)
        self.folder = folder

    def template(self, kind: str) -> str:
        if kind not in self._built:
            path = self.folder / f"{kind}.sqlite3"
            if kind != "schema":
                shutil.copyfile(self.template("schema"), path)
            self._fill(kind, f"sqlite:///{path}")
            self._built[kind] = str(path)
        return self._built[kind]

    def copy(self, kind: str, database_url: str) -> None:
        """Make the database file at ``database_url`` a copy of the ``kind`` template."""
        database = make_url(database_url).database
        if not database or database == ":memory:":
            raise ValueError(f"cannot copy a template to {database_url!r}: not a file")
        target = Path(database)
        target.parent.mkdir(parents=True, exist_ok=True)
        for extra in ("-wal", "-shm"):
            Path(f"{target}{extra}").unlink(missing_ok=True)
        shutil.copyfile(self.template(kind), target)


class PostgresTemplates(Templates):
    """PostgreSQL templates: databases on the server at ``server_url``.

    A test database copied from a template is not dropped after the test if it can be put
    back as it was (:mod:`kdc_core.testing.pg_reset`): it is kept as a spare, and the next
    copy of that template is a spare renamed, which is much cheaper than ``CREATE DATABASE
    … TEMPLATE``. Use :meth:`lease` for a test database that may be recycled that way.
    """

    def __init__(self, server_url: str, fillers: Mapping[str, Filler]) -> None:
        super().__init__(fillers)
        self.server_url = server_url
        self.prefix = f"kdc_template_{uuid.uuid4().hex[:8]}"
        self._admin = _admin_engine(server_url)
        self._snapshots: dict[str, Snapshot] = {}
        self._spares: dict[str, list[str]] = {}
        self._copies: dict[str, str] = {}

    def _url(self, name: str) -> str:
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def _conninfo(self, name: str) -> str:
        url = make_url(self.server_url).set(drivername="postgresql", database=name)
        return url.render_as_string(hide_password=False)

    def template(self, kind: str) -> str:
        if kind not in self._built:
            name = f"{self.prefix}_{kind}"
            base = None if kind == "schema" else self.template("schema")
            create_postgres_database(self._admin, name, base)
            self._fill(kind, self._url(name))
            from kdc_core.testing.pg_reset import snapshot

            self._snapshots[kind] = snapshot(self._conninfo(name))
            self._built[kind] = name
        return self._built[kind]

    def copy(self, kind: str, database_url: str) -> None:
        """Replace the database at ``database_url`` (on the same server) by a copy of ``kind``."""
        name = make_url(database_url).database
        if not name:
            raise ValueError(f"no database name in {database_url!r}")
        template = self.template(kind)
        drop_postgres_database(self._admin, name)
        spares = self._spares.get(kind)
        if spares:
            rename_postgres_database(self._admin, spares.pop(), name)
        else:
            create_postgres_database(self._admin, name, template)
        self._copies[name] = kind

    @contextlib.contextmanager
    def lease(self) -> Iterator[str]:
        """The URL of a test database that does not exist yet: :meth:`copy` makes it. On
        leaving, a copy of a template that can be reset becomes a spare; anything else is
        dropped."""
        name = f"kdc_test_{uuid.uuid4().hex[:12]}"
        try:
            yield self._url(name)
        finally:
            if not self._recycle(name):
                drop_postgres_database(self._admin, name)

    def _recycle(self, name: str) -> bool:
        import psycopg

        from kdc_core.testing.pg_reset import reset

        kind = self._copies.pop(name, None)
        if kind is None or kind not in self._snapshots:
            return False
        _on_server(
            self._admin,
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = :name AND pid <> pg_backend_pid()",
            name=name,
        )
        try:
            if not reset(self._conninfo(name), self._snapshots[kind]):
                return False
            spare = f"{self.prefix}_spare_{uuid.uuid4().hex[:8]}"
            rename_postgres_database(self._admin, name, spare)
        except (psycopg.Error, SQLAlchemyError):
            return False
        self._spares.setdefault(kind, []).append(spare)
        return True

    def drop(self) -> None:
        spares = [name for names in self._spares.values() for name in names]
        for name in [*spares, *self._built.values()]:
            drop_postgres_database(self._admin, name)
        self._spares.clear()
        self._built.clear()
        self._admin.dispose()
