"""enquiry categories are data: a default service and an active flag; every category in use
has its row, and a fresh database has one category, General

An enquiry is opened only in a category that has a row and is active. So that existing cases
keep their timescales, every category name already used by an enquiry without a row gets one
with the defaults it was using (acknowledge 1, respond 10 working days, keep 730 days, reopen
within 28). ``General`` (the same defaults) is added unless a category of that name exists.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 00:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

DEFAULT = "General"


def upgrade() -> None:
    with op.batch_alter_table("enquiry_categories") as batch:
        batch.add_column(sa.Column("service_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.create_foreign_key(
            op.f("fk_enquiry_categories_service_id_services"),
            "services",
            ["service_id"],
            ["id"],
            ondelete="SET NULL",
        )
    conn = op.get_bind()
    categories = sa.table(
        "enquiry_categories",
        sa.column("name", sa.String),
        sa.column("acknowledge_days", sa.Integer),
        sa.column("respond_days", sa.Integer),
        sa.column("retention_days", sa.Integer),
        sa.column("follow_up_days", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    enquiries = sa.table("enquiries", sa.column("category", sa.String))
    have = {n.lower() for n in conn.scalars(sa.select(categories.c.name))}
    wanted: dict[str, str] = {}
    used = conn.scalars(sa.select(enquiries.c.category).distinct()).all()
    for name in sorted(n for n in used if n):  # of two spellings, the capitalised one
        if name.lower() not in have:
            wanted.setdefault(name.lower(), name)
    if DEFAULT.lower() not in have:
        wanted.setdefault(DEFAULT.lower(), DEFAULT)
    if wanted:
        conn.execute(
            categories.insert(),
            [
                {
                    "name": name,
                    "acknowledge_days": 1,
                    "respond_days": 10,
                    "retention_days": 730,
                    "follow_up_days": 28,
                    "active": True,
                }
                for name in sorted(wanted.values())
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("enquiry_categories") as batch:
        batch.drop_constraint(op.f("fk_enquiry_categories_service_id_services"), type_="foreignkey")
        batch.drop_column("active")
        batch.drop_column("service_id")
