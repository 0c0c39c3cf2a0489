"""member–officer protocol: adopted versions, findings, political meetings, complaints log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 21:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kdc_core.db.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC = kdc_core.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "protocol_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("adopted_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_protocol_versions_version")),
    )
    op.create_table(
        "protocol_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=80), nullable=False),
        sa.Column("clause", sa.String(length=10), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("protocol_version", sa.String(length=40), nullable=False),
        sa.Column("subject_kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("subject_label", sa.String(length=300), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("found_at", UTC, nullable=False),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("overridden_by", sa.String(length=200), nullable=True),
        sa.Column("overridden_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_findings")),
        sa.UniqueConstraint(
            "rule_id",
            "subject_kind",
            "subject_id",
            "key",
            name=op.f("uq_protocol_findings_rule_id_subject_kind_subject_id_key"),
        ),
    )
    with op.batch_alter_table("protocol_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_protocol_findings_resolved_at"), ["resolved_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_protocol_findings_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "event_political_meetings",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("matter", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_political_meetings_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["political_groups.id"],
            name=op.f("fk_event_political_meetings_group_id_political_groups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_political_meetings")),
    )
    with op.batch_alter_table("event_political_meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_political_meetings_group_id"), ["group_id"], unique=False
        )

    op.create_table(
        "protocol_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("councillor_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["councillor_id"],
            ["councillors.id"],
            name=op.f("fk_protocol_complaints_councillor_id_councillors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_protocol_complaints_officer_id_officers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_complaints")),
    )
    with op.batch_alter_table("protocol_complaints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_protocol_complaints_councillor_id"), ["councillor_id"], unique=False
        )

    op.create_table(
        "protocol_complaint_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["protocol_complaints.id"],
            name=op.f("fk_protocol_complaint_stages_complaint_id_protocol_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_complaint_stages")),
    )
    with op.batch_alter_table("protocol_complaint_stages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_protocol_complaint_stages_complaint_id"), ["complaint_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("protocol_complaint_stages")
    op.drop_table("protocol_complaints")
    op.drop_table("event_political_meetings")
    op.drop_table("protocol_findings")
    op.drop_table("protocol_versions")
