"""the bot learns from use: verdicts on asked questions (examples) and the fitted ranker every process loads

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qa_example",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id", name="uq_qa_example_question"),
    )
    op.create_table(
        "qa_fit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fitted_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qa_fit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_fit_fitted_at"), ["fitted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qa_fit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_fit_fitted_at"))
    op.drop_table("qa_fit")
    op.drop_table("qa_example")
