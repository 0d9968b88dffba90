"""Partner queries on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt

from storage import partners as store
from storage.db import Database

NOW = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)


def add(db: Database, pid: str, owner: str | None, status: str, *, days_ago: int = 0) -> None:
    with db.session(write=True) as session:
        store.add_partner(
            session=session,
            partner_id=pid,
            name=f"Partner {pid}",
            country="FR",
            owner_email=f"{(owner or 'nobody').lower()}@example.com",
            owner_user_id=owner,
            status=status,
            note="",
            at=NOW - dt.timedelta(days=days_ago),
            by="test",
            source="import",
        )
