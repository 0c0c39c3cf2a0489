"""committees and committee memberships as data

A committee is known by its source's id (ModernGov's committee id) and carries the source's
deleted/expired flags; a membership is one councillor's seat on one committee, with a role
(Chair, Vice-Chair, Member, Substitute …). Council meetings concern their committee's members
through these rows as well as through roles that name a committee.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kdc_core.db.base

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UTC = kdc_core.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "committees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("expired", sa.Boolean(), nullable=False),
        sa.Column("archived_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("modified_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committees")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_committees_source_external_id")),
    )
    op.create_index(op.f("ix_committees_title"), "committees", ["title"])
    op.create_table(
        "committee_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("councillor_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committees.id"],
            name=op.f("fk_committee_memberships_committee_id_committees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["councillor_id"],
            ["councillors.id"],
            name=op.f("fk_committee_memberships_councillor_id_councillors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_memberships")),
        sa.UniqueConstraint(
            "committee_id",
            "councillor_id",
            name=op.f("uq_committee_memberships_committee_id_councillor_id"),
        ),
    )
    op.create_index(
        op.f("ix_committee_memberships_committee_id"), "committee_memberships", ["committee_id"]
    )
    op.create_index(
        op.f("ix_committee_memberships_councillor_id"),
        "committee_memberships",
        ["councillor_id"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_committee_memberships_councillor_id"), "committee_memberships")
    op.drop_index(op.f("ix_committee_memberships_committee_id"), "committee_memberships")
    op.drop_table("committee_memberships")
    op.drop_index(op.f("ix_committees_title"), "committees")
    op.drop_table("committees")
