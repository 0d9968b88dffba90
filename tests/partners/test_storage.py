"""Partner queries on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt

from bot.statuses import OPEN
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


def test_open_statuses_match_the_domain() -> None:
    assert {s.value for s in OPEN} == store.OPEN_STATUSES


def test_open_partners_by_owner_groups_oldest_first_and_skips_closed_and_unowned(db: Database) -> None:
    add(db, "A-1", "U1", "contacted", days_ago=1)
    add(db, "A-2", "U1", "not_contacted", days_ago=5)
    add(db, "A-3", "U1", "registered", days_ago=9)
    add(db, "B-1", "U2", "in_progress")
    add(db, "B-2", "U2", "declined")
    add(db, "C-1", None, "not_contacted")
    with db.session() as session:
        grouped = store.open_partners_by_owner(session=session)
    assert {owner: [p.partner_id for p in ps] for owner, ps in grouped.items()} == {
        "U1": ["A-2", "A-1"],
        "U2": ["B-1"],
    }


def test_open_partners_by_owner_skips_partners_snoozed_through_today(db: Database) -> None:
    add(db, "A-1", "U1", "contacted")
    add(db, "A-2", "U1", "contacted")
    add(db, "A-3", "U1", "contacted")
    today = dt.date(2008, 9, 2)
    with db.session(write=True) as session:
        for pid, until in (("A-1", today), ("A-2", today - dt.timedelta(days=1))):
            partner = store.get_partner(session=session, key=pid)
            assert partner is not None
            partner.snoozed_until = until
            session.add(partner)
    with db.session() as session:
        grouped = store.open_partners_by_owner(session=session, today=today)
        everything = store.open_partners_by_owner(session=session)
    assert [p.partner_id for p in grouped["U1"]] == ["A-2", "A-3"]
    assert len(everything["U1"]) == 3
