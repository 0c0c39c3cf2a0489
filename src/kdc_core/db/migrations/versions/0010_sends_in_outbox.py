"""sends in the outbox: briefing and newsletter deliveries are recorded there, not beside it

Every briefing sent (``briefing_sends``) and every newsletter issue sent
(``newsletter_issues.sent_at``) becomes a ``sent`` row of ``outbox_messages`` under the key
the outbox now uses (``briefing:<id>:<councillor>:<channel>``,
``newsletter:<ward>:<month>:<councillor>``), so nothing sent before is queued again; then
the old records go. The message bodies were never kept, so those rows have an empty body.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kdc_core.db.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UTC = kdc_core.db.base.UTCDateTime(timezone=True)
TEXT = sa.String()


def _s(column: str) -> str:
    return f"CAST({column} AS VARCHAR)"


def upgrade() -> None:
    empty = sa.bindparam("empty", b"", type_=sa.LargeBinary())
    op.get_bind().execute(
        sa.text(
            "INSERT INTO outbox_messages (key, kind, channel, mailer, recipient, recipient_name,"
            " councillor_id, subject, body, status, attempts, created_at, next_attempt_at,"
            " sent_at, reference)"
            f" SELECT 'briefing:' || {_s('s.briefing_id')} || ':' || {_s('s.councillor_id')}"
            " || ':' || s.channel, 'briefing', s.channel, 'before-outbox',"
            " CASE WHEN s.channel = 'sms' THEN COALESCE(c.mobile, '') ELSE COALESCE(c.email, '')"
            " END, c.name, s.councillor_id, b.title, :empty, 'sent', 1, s.sent_at, s.sent_at,"
            " s.sent_at, s.reference"
            " FROM briefing_sends s JOIN briefings b ON b.id = s.briefing_id"
            " JOIN councillors c ON c.id = s.councillor_id"
            " ON CONFLICT (key) DO NOTHING"
        ).bindparams(empty)
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO outbox_messages (key, kind, channel, mailer, recipient, recipient_name,"
            " councillor_id, subject, body, status, attempts, created_at, next_attempt_at,"
            " sent_at, reference)"
            f" SELECT 'newsletter:' || {_s('i.ward_id')} || ':' || i.month || ':'"
            f" || {_s('i.councillor_id')}, 'newsletter', 'email', 'before-outbox',"
            " COALESCE(c.email, ''), c.name, i.councillor_id, i.subject, :empty, 'sent', 1,"
            " i.sent_at, i.sent_at, i.sent_at, i.reference"
            " FROM newsletter_issues i JOIN councillors c ON c.id = i.councillor_id"
            " WHERE i.sent_at IS NOT NULL"
            " ON CONFLICT (key) DO NOTHING"
        ).bindparams(empty)
    )
    op.drop_table("briefing_sends")
    with op.batch_alter_table("newsletter_issues") as batch:
        batch.drop_column("sent_at")
        batch.drop_column("reference")


def downgrade() -> None:
    with op.batch_alter_table("newsletter_issues") as batch:
        batch.add_column(sa.Column("sent_at", UTC, nullable=True))
        batch.add_column(sa.Column("reference", sa.String(length=200), nullable=True))
    op.create_table(
        "briefing_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("briefing_id", sa.Integer(), nullable=False),
        sa.Column("councillor_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("sent_at", UTC, nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["briefing_id"],
            ["briefings.id"],
            name=op.f("fk_briefing_sends_briefing_id_briefings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["councillor_id"],
            ["councillors.id"],
            name=op.f("fk_briefing_sends_councillor_id_councillors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_sends")),
        sa.UniqueConstraint(
            "briefing_id",
            "councillor_id",
            "channel",
            name=op.f("uq_briefing_sends_briefing_id_councillor_id_channel"),
        ),
    )
    op.create_index(op.f("ix_briefing_sends_briefing_id"), "briefing_sends", ["briefing_id"])
    op.create_index(op.f("ix_briefing_sends_councillor_id"), "briefing_sends", ["councillor_id"])
