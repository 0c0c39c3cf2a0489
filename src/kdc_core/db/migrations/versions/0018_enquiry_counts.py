"""the SLA dashboard's summary of enquiries: open ones by response date, answered ones by in
time or late, per ward, service and officer — filled from the enquiries already here

Kept from then on by ``kdc_core.db.enquiry_counts`` in the same transaction as every change
to an enquiry; ``kdc enquiries dashboard --rebuild`` recounts it the same way as below.

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-05 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0013"
branch_labels = None
depends_on = None

OPEN = "('received', 'acknowledged', 'in_progress', 'extended')"
DIMENSIONS = {"ward": "ward_id", "service": "service_id", "officer": "officer_id"}


def upgrade() -> None:
    op.create_table(
        "enquiry_open_counts",
        sa.Column("dimension", sa.String(8), nullable=False),
        sa.Column("key_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "dimension", "key_id", "respond_by", name=op.f("pk_enquiry_open_counts")
        ),
    )
    op.create_table(
        "enquiry_answered_counts",
        sa.Column("dimension", sa.String(8), nullable=False),
        sa.Column("key_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("in_time", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "dimension", "key_id", "in_time", name=op.f("pk_enquiry_answered_counts")
        ),
    )
    for dimension, column in DIMENSIONS.items():
        key = f"COALESCE({column}, 0)"
        op.execute(
            "INSERT INTO enquiry_open_counts (dimension, key_id, respond_by, n) "
            f"SELECT '{dimension}', {key}, respond_by, COUNT(*) FROM enquiries "
            f"WHERE status IN {OPEN} GROUP BY {key}, respond_by"
        )
        op.execute(
            "INSERT INTO enquiry_answered_counts (dimension, key_id, in_time, n) "
            f"SELECT '{dimension}', {key}, resolved_in_time, COUNT(*) FROM enquiries "
            f"WHERE resolved_in_time IS NOT NULL GROUP BY {key}, resolved_in_time"
        )


def downgrade() -> None:
    op.drop_table("enquiry_answered_counts")
    op.drop_table("enquiry_open_counts")
