"""ward briefings, topic choices, success stories and newsletter issues

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kdc_core.db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = kdc_core.db.base.UTCDateTime(timezone=True)


def _fk(column: str, table: str, source: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_{source}_{column}_{table}"), ondelete=ondelete
    )


def _index(table: str, column: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "briefings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("public_on", sa.Date(), nullable=False),
        sa.Column("significant", sa.Boolean(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("posted_at", UTC, nullable=False),
        _fk("service_id", "services", "briefings", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefings")),
    )
    _index("briefings", "public_on")
    _index("briefings", "service_id")
    op.create_table(
        "briefing_wards",
        sa.Column("briefing_id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        _fk("briefing_id", "briefings", "briefing_wards", "CASCADE"),
        _fk("ward_id", "wards", "briefing_wards", "CASCADE"),
        sa.PrimaryKeyConstraint("briefing_id", "ward_id", name=op.f("pk_briefing_wards")),
    )
    _index("briefing_wards", "ward_id")
    op.create_table(
        "briefing_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("briefing_id", sa.Integer(), nullable=False),
        sa.Column("councillor_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("sent_at", UTC, nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        _fk("briefing_id", "briefings", "briefing_sends", "CASCADE"),
        _fk("councillor_id", "councillors", "briefing_sends", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_sends")),
        sa.UniqueConstraint(
            "briefing_id",
            "councillor_id",
            "channel",
            name=op.f("uq_briefing_sends_briefing_id_councillor_id_channel"),
        ),
    )
    _index("briefing_sends", "briefing_id")
    _index("briefing_sends", "councillor_id")
    op.create_table(
        "topic_choices",
        sa.Column("councillor_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False),
        sa.Column("changed_at", UTC, nullable=False),
        _fk("councillor_id", "councillors", "topic_choices", "CASCADE"),
        sa.PrimaryKeyConstraint("councillor_id", "topic", name=op.f("pk_topic_choices")),
    )
    op.create_table(
        "topic_reviews",
        sa.Column("councillor_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        _fk("councillor_id", "councillors", "topic_reviews", "CASCADE"),
        sa.PrimaryKeyConstraint("councillor_id", name=op.f("pk_topic_reviews")),
    )
    op.create_table(
        "success_stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.Column("image_alt", sa.String(length=300), nullable=True),
        _fk("ward_id", "wards", "success_stories", "CASCADE"),
        _fk("service_id", "services", "success_stories", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_stories")),
    )
    _index("success_stories", "published_on")
    _index("success_stories", "ward_id")
    _index("success_stories", "service_id")
    op.create_table(
        "newsletter_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("councillor_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("built_at", UTC, nullable=False),
        sa.Column("sent_at", UTC, nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        _fk("ward_id", "wards", "newsletter_issues", "CASCADE"),
        _fk("councillor_id", "councillors", "newsletter_issues", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_issues")),
        sa.UniqueConstraint(
            "ward_id",
            "month",
            "councillor_id",
            name=op.f("uq_newsletter_issues_ward_id_month_councillor_id"),
        ),
    )
    _index("newsletter_issues", "ward_id")
    _index("newsletter_issues", "month")
    _index("newsletter_issues", "councillor_id")


def downgrade() -> None:
    for table in (
        "newsletter_issues",
        "success_stories",
        "topic_reviews",
        "topic_choices",
        "briefing_sends",
        "briefing_wards",
        "briefings",
    ):
        op.drop_table(table)
