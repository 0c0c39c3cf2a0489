"""A PostgreSQL test database made from the schema template is recycled after its test: put
back exactly as a fresh copy would be, or dropped when that cannot be guaranteed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.db.people import CouncillorRow, WardRow
from kdc_core.testing import FILLERS
from kdc_core.testing.databases import PostgresTemplates, drop_postgres_database, no_postgres

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def built(kdc_postgres_url: str | None) -> Iterator[PostgresTemplates]:
    if kdc_postgres_url is None:
        no_postgres()
    made = PostgresTemplates(kdc_postgres_url, FILLERS)
    yield made
    made.drop()


@pytest.fixture
def templates(built: PostgresTemplates) -> Iterator[PostgresTemplates]:
    """The module's templates, with no spare at the start of each test."""
    yield built
    for spares in built._spares.values():
        for spare in spares:
            drop_postgres_database(built.server_url, spare)
    built._spares.clear()


def conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def contents(url: str) -> dict[str, Any]:
    """Every table's rows, sorted, and every sequence's position."""
    with psycopg.connect(conninfo(url)) as conn:
        tables = [
            t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        ]
        out: dict[str, Any] = {}
        for table in tables:
            rows = conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
            out[table] = sorted(map(repr, rows.fetchall()))
        out["sequences"] = sorted(
            conn.execute("SELECT sequencename, last_value FROM pg_sequences").fetchall()
        )
    return out


def exists(templates: PostgresTemplates, name: str) -> bool:
    with templates._admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        return found.scalar() is not None


def write_a_council(url: str, tmp_path) -> None:
    kdc = Kdc(Settings(database_url=url, instance_path=tmp_path / "i", environ={}))
    try:
        with kdc.unit_of_work() as uow:
            ward = WardRow(name="Dalton", slug="dalton")
            uow.session.add(ward)
            uow.session.flush()
            uow.session.add(CouncillorRow(name="Ann Smith", ward_id=ward.id))
        with psycopg.connect(conninfo(url), autocommit=True) as conn:
            conn.execute("DELETE FROM enquiry_categories")
    finally:
        kdc.dispose()


def test_a_used_schema_copy_comes_back_exactly_as_a_fresh_copy(templates, tmp_path):
    with templates.lease() as url:
        templates.copy("schema", url)
        fresh = contents(url)
        assert fresh["enquiry_categories"], "the template has rows of its own"
        write_a_council(url, tmp_path)
        assert contents(url) != fresh
    assert not exists(templates, make_url(url).database or "")
    assert len(templates._spares["schema"]) == 1

    with templates.lease() as again:
        templates.copy("schema", again)
        assert templates._spares["schema"] == [], "the spare was used"
        assert contents(again) == fresh


def statistics(url: str) -> int:
    with psycopg.connect(conninfo(url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_statistic WHERE starelid = 'wards'::regclass"
        ).fetchone()
    return int(row[0]) if row else 0


def test_a_recycled_copy_keeps_none_of_the_planners_statistics(templates, tmp_path):
    with templates.lease() as url:
        templates.copy("schema", url)
        write_a_council(url, tmp_path)
        with psycopg.connect(conninfo(url), autocommit=True) as conn:
            conn.execute("ANALYZE wards")
        assert statistics(url) > 0
    with templates.lease() as again:
        templates.copy("schema", again)
        assert templates._spares["schema"] == [], "the spare was used"
        assert statistics(again) == 0


def test_a_copy_left_with_open_connections_is_still_recycled(templates, tmp_path):
    with templates.lease() as url:
        templates.copy("schema", url)
        left_open = psycopg.connect(conninfo(url))
        left_open.execute("SELECT 1")
    assert len(templates._spares["schema"]) == 1
    left_open.close()


@pytest.mark.parametrize(
    "change",
    [
        "CREATE TABLE extra (id integer)",
        "ALTER TABLE wards ADD COLUMN extra text",
        "ALTER TABLE wards ALTER COLUMN name TYPE varchar(500)",
        "CREATE INDEX extra_index ON wards (slug, name)",
        "DROP TABLE alembic_version",
    ],
)
def test_a_copy_whose_structure_changed_is_dropped(templates, change):
    with templates.lease() as url:
        templates.copy("schema", url)
        with psycopg.connect(conninfo(url), autocommit=True) as conn:
            conn.execute(change)
    assert templates._spares == {}
    assert not exists(templates, make_url(url).database or "")


def fill_a_council(url: str) -> None:
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        for n in range(1, 6):
            conn.execute(
                "INSERT INTO wards (name, slug, created_at, modified_at)"
                " VALUES (%s, %s, now(), now())",
                (f"Ward {n}", f"ward-{n}"),
            )


def test_a_copy_of_a_filled_template_has_what_the_test_changed_put_back(templates, tmp_path):
    templates.fillers["council"] = fill_a_council
    with templates.lease() as url:
        templates.copy("council", url)
        fresh = contents(url)
        assert len(fresh["wards"]) == 5
        with psycopg.connect(conninfo(url), autocommit=True) as conn:
            conn.execute("UPDATE wards SET name = 'Renamed' WHERE slug = 'ward-2'")
            conn.execute("DELETE FROM wards WHERE slug = 'ward-4'")
        write_a_council(url, tmp_path)
        assert contents(url) != fresh
    assert len(templates._spares["council"]) == 1

    with templates.lease() as again:
        templates.copy("council", again)
        assert contents(again) == fresh
