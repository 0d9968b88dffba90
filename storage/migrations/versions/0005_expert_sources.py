"""an expert's answer stores who answered and when, as `faq add` does: rows saved before kept "answer from " in
front, which the bot printed after its own "answer from our expert"

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PREFIX = "answer from "
entry = sa.table("knowledge_entry", sa.column("source", sa.String), sa.column("origin", sa.String))


def upgrade() -> None:
    saved_before = sa.and_(entry.c.origin == "expert", entry.c.source.like(PREFIX + "%"))
    op.execute(entry.update().where(saved_before).values(source=sa.func.substr(entry.c.source, len(PREFIX) + 1)))


def downgrade() -> None:
    saved_since = sa.and_(entry.c.origin == "expert", entry.c.source != "", ~entry.c.source.like(PREFIX + "%"))
    op.execute(entry.update().where(saved_since).values(source=PREFIX + entry.c.source))
