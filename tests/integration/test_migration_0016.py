"""Migration 0016 (categories as data): every category in use gets its row, with the defaults
its enquiries were already using, and a fresh database gets ``General``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from kdc_core.db.engine import make_engine
from kdc_core.db.migrate import upgrade


@pytest.fixture
def engine(kdc_database_url: str) -> Iterator[Engine]:
    engine = make_engine(kdc_database_url)
    yield engine
    engine.dispose()


def categories(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT name, acknowledge_days, respond_days, retention_days, "
                    "follow_up_days, service_id, active FROM enquiry_categories ORDER BY name"
                )
            )
        ]


def test_categories_in_use_get_rows_and_general_is_added(engine):
    upgrade(engine, "0015")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO enquiry_categories (name, acknowledge_days, respond_days, "
                "retention_days, follow_up_days) VALUES ('Noise', 2, 5, 365, 14)"
            )
        )
        for number, category in enumerate(("Potholes", "potholes", "noise", "Street lights")):
            conn.execute(
                text(
                    "INSERT INTO enquiries (reference, year, number, category, description, "
                    "status, received_at, acknowledge_by, respond_by, original_respond_by, "
                    "extension_stage, routed_by, advocacy, created_at, updated_at) VALUES "
                    "(:ref, 2026, :n, :category, 'x', 'received', '2026-11-02 09:00:00', "
                    "'2026-11-03', '2026-11-16', '2026-11-16', 0, 'unassigned', :no, "
                    "'2026-11-02 09:00:00', '2026-11-02 09:00:00')"
                ),
                {"ref": f"KE-2026-{number:06d}", "n": number, "category": category, "no": False},
            )
    upgrade(engine)
    assert categories(engine) == [
        ("General", 1, 10, 730, 28, None, True),
        ("Noise", 2, 5, 365, 14, None, True),  # its own settings kept
        ("Potholes", 1, 10, 730, 28, None, True),  # one row for both spellings
        ("Street lights", 1, 10, 730, 28, None, True),
    ]


def test_a_fresh_database_has_general_only(engine):
    upgrade(engine)
    assert categories(engine) == [("General", 1, 10, 730, 28, None, True)]
