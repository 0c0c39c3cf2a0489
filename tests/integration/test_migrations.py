"""The Alembic migrations themselves, on an empty database (not the per-session template)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, inspect

from kdc_core.db import Base, load_tables
from kdc_core.db.engine import make_engine
from kdc_core.db.migrate import current_revision, downgrade, head_revision, upgrade


@pytest.fixture(autouse=True)
def every_table() -> None:
    """The metadata as the migrations must match it: every table module imported."""
    load_tables()


@pytest.fixture
def engine(kdc_database_url: str) -> Iterator[Engine]:
    engine = make_engine(kdc_database_url)
    yield engine
    engine.dispose()


def test_schema_migrates_from_empty_to_head_and_matches_the_rows(engine):
    assert inspect(engine).get_table_names() == []
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_upgrade_twice_is_a_no_op_and_downgrade_empties(engine):
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_a_copy_of_the_session_template_is_at_head_and_upgrade_is_a_no_op(kdc_app):
    assert current_revision(kdc_app.engine) == head_revision()
    assert set(Base.metadata.tables) <= set(inspect(kdc_app.engine).get_table_names())
    kdc_app.upgrade_schema()
    assert current_revision(kdc_app.engine) == head_revision()


def test_the_heads_read_from_the_migration_files_are_alembic_s():
    from alembic.script import ScriptDirectory

    from kdc_core.db.migrate import alembic_config, file_heads

    assert file_heads() == set(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_require_schema_passes_at_head_and_names_what_to_run_otherwise(engine):
    from kdc_core.db.migrate import require_schema
    from kdc_core.errors import KdcError

    with pytest.raises(KdcError, match=r"no kdc tables yet: run `kdc init` first"):
        require_schema(engine)
    upgrade(engine, "0019")
    with pytest.raises(KdcError, match=r"is at schema 0019, this kdc needs .*`kdc init`"):
        require_schema(engine)
    upgrade(engine)
    require_schema(engine)
