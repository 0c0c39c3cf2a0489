from __future__ import annotations

from sqlalchemy import inspect

from kdc_core.db import Base
from kdc_core.db.migrate import current_revision, downgrade, head_revision, upgrade


def test_schema_migrates_from_empty_to_head_and_matches_the_rows(kdc_app):
    assert current_revision(kdc_app.engine) == head_revision()
    tables = set(inspect(kdc_app.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_upgrade_twice_is_a_no_op_and_downgrade_empties(kdc_app):
    upgrade(kdc_app.engine)
    assert current_revision(kdc_app.engine) == head_revision()
    downgrade(kdc_app.engine, "base")
    assert set(inspect(kdc_app.engine).get_table_names()) <= {"alembic_version"}
    upgrade(kdc_app.engine)
    assert current_revision(kdc_app.engine) == head_revision()
