"""private calendar-feed tokens (SHA-256 digests only)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 19:57:01.540298
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kdc_core.db.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_kind", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", kdc_core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", kdc_core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_tokens_token_hash")),
    )
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_feed_tokens_owner", ["owner_kind", "owner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_tokens_owner")

    op.drop_table("feed_tokens")
