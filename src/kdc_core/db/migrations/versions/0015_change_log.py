"""the change log: who changed which record, which fields, when

One row per committed change to a tracked record, written in the change's own transaction
by every path (admin, CLI, imports). Field names only, never values.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kdc_core.db.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UTC = kdc_core.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("key", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    op.create_index("ix_change_log_entity_key", "change_log", ["entity", "key", "id"])
    op.create_index("ix_change_log_at", "change_log", ["at"])
    op.create_index("ix_change_log_source", "change_log", ["source"])


def downgrade() -> None:
    op.drop_index("ix_change_log_source", table_name="change_log")
    op.drop_index("ix_change_log_at", table_name="change_log")
    op.drop_index("ix_change_log_entity_key", table_name="change_log")
    op.drop_table("change_log")
