"""officers confirm their own details: when they last said the directory entry is right

``officers.confirmed_at`` is kept by kdc, never by the directory sync, so a confirmation
survives the next sync; the freshness report counts an entry as checked from the later of
the directory's ``updated_at`` and this.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kdc_core.db.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UTC = kdc_core.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("officers") as batch:
        batch.add_column(sa.Column("confirmed_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("officers") as batch:
        batch.drop_column("confirmed_at")
