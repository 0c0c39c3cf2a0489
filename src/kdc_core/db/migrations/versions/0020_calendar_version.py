"""the calendar version feeds answer conditional requests from, and the log of what moved it

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 06:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    version = op.create_table(
        "calendar_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_version")),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])
    op.create_table(
        "calendar_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_changes")),
    )
    op.create_index(op.f("ix_calendar_changes_version"), "calendar_changes", ["version"])


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_changes_version"), table_name="calendar_changes")
    op.drop_table("calendar_changes")
    op.drop_table("calendar_version")
