"""the SLA dashboard's summary of enquiries: per ward, service and officer, how many are
open, answered in time and answered late, and the open ones by respond-by date — filled from
the enquiries already here

Kept from then on by ``kdc_core.db.enquiry_counts`` in the same transaction as every change
to an enquiry; ``kdc enquiries dashboard --rebuild`` recounts it the same way as below.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OPEN = "('received', 'acknowledged', 'in_progress', 'extended')"
DIMENSIONS = {"ward": "ward_id", "service": "service_id", "officer": "officer_id"}


def upgrade() -> None:
    op.create_table(
        "enquiry_totals",
        sa.Column("dimension", sa.String(8), nullable=False),
        sa.Column("key_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "key_id", "state", name=op.f("pk_enquiry_totals")),
    )
    op.create_table(
        "enquiry_open_counts",
        sa.Column("dimension", sa.String(8), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=False),
        sa.Column("key_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "dimension", "respond_by", "key_id", name=op.f("pk_enquiry_open_counts")
        ),
    )
    for dimension, column in DIMENSIONS.items():
        key = f"COALESCE({column}, 0)"
        op.execute(
            "INSERT INTO enquiry_open_counts (dimension, respond_by, key_id, n) "
            f"SELECT '{dimension}', respond_by, {key}, COUNT(*) FROM enquiries "
            f"WHERE status IN {OPEN} GROUP BY respond_by, {key}"
        )
        op.execute(
            "INSERT INTO enquiry_totals (dimension, key_id, state, n) "
            f"SELECT '{dimension}', {key}, 'open', COUNT(*) FROM enquiries "
            f"WHERE status IN {OPEN} GROUP BY {key}"
        )
        op.execute(
            "INSERT INTO enquiry_totals (dimension, key_id, state, n) "
            f"SELECT '{dimension}', {key}, "
            "CASE WHEN resolved_in_time THEN 'in_time' ELSE 'late' END, COUNT(*) "
            f"FROM enquiries WHERE resolved_in_time IS NOT NULL GROUP BY {key}, resolved_in_time"
        )


def downgrade() -> None:
    op.drop_table("enquiry_open_counts")
    op.drop_table("enquiry_totals")
