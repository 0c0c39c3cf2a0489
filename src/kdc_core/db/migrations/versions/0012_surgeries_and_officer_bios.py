"""councillors' surgery details and officers' pen portraits

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("councillors") as batch:
        batch.add_column(sa.Column("surgery", sa.Text(), nullable=True))
    with op.batch_alter_table("officers") as batch:
        batch.add_column(sa.Column("bio", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("officers") as batch:
        batch.drop_column("bio")
    with op.batch_alter_table("councillors") as batch:
        batch.drop_column("surgery")
