"""enquiries: casework, people, notes, append-only audit, categories, reference counters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kdc_core.db.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC = kdc_core.db.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "enquiry_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("acknowledge_days", sa.Integer(), nullable=False),
        sa.Column("respond_days", sa.Integer(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("follow_up_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enquiry_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_enquiry_categories_name")),
    )
    op.create_table(
        "enquiry_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_enquiry_counters")),
    )
    op.create_table(
        "enquiry_service_contacts",
        sa.Column("service_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_enquiry_service_contacts_officer_id_officers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_enquiry_service_contacts_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_enquiry_service_contacts")),
    )
    op.create_table(
        "enquiries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("legacy_reference", sa.String(length=64), nullable=True),
        sa.Column("ward_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("constituent_name", sa.String(length=200), nullable=True),
        sa.Column("constituent_email", sa.String(length=254), nullable=True),
        sa.Column("constituent_phone", sa.String(length=40), nullable=True),
        sa.Column("constituent_address", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", UTC(timezone=True), nullable=False),
        sa.Column("acknowledge_by", sa.Date(), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=False),
        sa.Column("original_respond_by", sa.Date(), nullable=False),
        sa.Column("extension_stage", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("routed_by", sa.String(length=20), nullable=False),
        sa.Column("advocacy", sa.Boolean(), nullable=False),
        sa.Column("info_public", sa.Boolean(), nullable=True),
        sa.Column("info_not_barred", sa.Boolean(), nullable=True),
        sa.Column("info_not_confidential", sa.Boolean(), nullable=True),
        sa.Column("acknowledged_at", UTC(timezone=True), nullable=True),
        sa.Column("resolved_at", UTC(timezone=True), nullable=True),
        sa.Column("resolved_in_time", sa.Boolean(), nullable=True),
        sa.Column("closed_at", UTC(timezone=True), nullable=True),
        sa.Column("anonymised_at", UTC(timezone=True), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_enquiries_officer_id_officers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_enquiries_service_id_services"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ward_id"], ["wards.id"], name=op.f("fk_enquiries_ward_id_wards"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enquiries")),
        sa.UniqueConstraint("legacy_reference", name=op.f("uq_enquiries_legacy_reference")),
        sa.UniqueConstraint("reference", name=op.f("uq_enquiries_reference")),
        sa.UniqueConstraint("year", "number", name=op.f("uq_enquiries_year_number")),
    )
    with op.batch_alter_table("enquiries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enquiries_open_due",
            ["status", "respond_by", "ward_id", "service_id", "officer_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_enquiries_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enquiries_service_id"), ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enquiries_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_enquiries_ward_id"), ["ward_id"], unique=False)

    op.create_table(
        "enquiry_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enquiry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enquiry_id"],
            ["enquiries.id"],
            name=op.f("fk_enquiry_people_enquiry_id_enquiries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enquiry_people")),
        sa.UniqueConstraint(
            "enquiry_id",
            "kind",
            "person_id",
            name=op.f("uq_enquiry_people_enquiry_id_kind_person_id"),
        ),
    )
    with op.batch_alter_table("enquiry_people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enquiry_people_enquiry_id"), ["enquiry_id"], unique=False
        )

    op.create_table(
        "enquiry_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enquiry_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enquiry_id"],
            ["enquiries.id"],
            name=op.f("fk_enquiry_notes_enquiry_id_enquiries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enquiry_notes")),
    )
    with op.batch_alter_table("enquiry_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enquiry_notes_enquiry_id"), ["enquiry_id"], unique=False
        )

    op.create_table(
        "enquiry_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enquiry_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=True),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enquiry_id"],
            ["enquiries.id"],
            name=op.f("fk_enquiry_audit_enquiry_id_enquiries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enquiry_audit")),
    )
    with op.batch_alter_table("enquiry_audit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enquiry_audit_enquiry_id"), ["enquiry_id"], unique=False
        )


def downgrade() -> None:
    for table in ("enquiry_audit", "enquiry_notes", "enquiry_people"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_enquiry_id"))
        op.drop_table(table)
    with op.batch_alter_table("enquiries", schema=None) as batch_op:
        for name in ("ward_id", "status", "service_id", "officer_id"):
            batch_op.drop_index(batch_op.f(f"ix_enquiries_{name}"))
        batch_op.drop_index("ix_enquiries_open_due")
    op.drop_table("enquiries")
    op.drop_table("enquiry_service_contacts")
    op.drop_table("enquiry_counters")
    op.drop_table("enquiry_categories")
