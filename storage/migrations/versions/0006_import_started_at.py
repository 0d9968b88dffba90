"""when a partner import started running: a run cut off by a crash is told apart from one still running

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 01:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partner_import", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at", storage.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("partner_import", schema=None) as batch_op:
        batch_op.drop_column("started_at")
