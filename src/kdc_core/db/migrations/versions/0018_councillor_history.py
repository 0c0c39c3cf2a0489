"""what a councillor import carries and kept dropping: a postal address, key posts as roles
with dates (and which import keeps them), and the history of a councillor's political group

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("councillors") as batch:
        batch.add_column(sa.Column("address", sa.Text(), nullable=True))
    with op.batch_alter_table("councillor_roles") as batch:
        batch.add_column(sa.Column("start", sa.Date(), nullable=True))
        batch.add_column(sa.Column("end", sa.Date(), nullable=True))
        batch.add_column(sa.Column("source", sa.String(length=40), nullable=True))
    op.create_table(
        "councillor_group_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("councillor_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["councillor_id"],
            ["councillors.id"],
            name=op.f("fk_councillor_group_memberships_councillor_id_councillors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["political_groups.id"],
            name=op.f("fk_councillor_group_memberships_group_id_political_groups"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_councillor_group_memberships")),
    )
    with op.batch_alter_table("councillor_group_memberships") as batch:
        batch.create_index(
            batch.f("ix_councillor_group_memberships_councillor_id"), ["councillor_id"]
        )
        batch.create_index(batch.f("ix_councillor_group_memberships_group_id"), ["group_id"])


def downgrade() -> None:
    with op.batch_alter_table("councillor_group_memberships") as batch:
        batch.drop_index(batch.f("ix_councillor_group_memberships_group_id"))
        batch.drop_index(batch.f("ix_councillor_group_memberships_councillor_id"))
    op.drop_table("councillor_group_memberships")
    with op.batch_alter_table("councillor_roles") as batch:
        batch.drop_column("source")
        batch.drop_column("end")
        batch.drop_column("start")
    with op.batch_alter_table("councillors") as batch:
        batch.drop_column("address")
