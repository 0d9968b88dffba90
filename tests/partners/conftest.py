"""A small partner book shared by the partner tests (owners are the stand-in's people)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlmodel import col, select

from bot.runtime import Runtime
from storage import partners as store
from storage.db import Database
from storage.models import Partner, StatusChange

ALICE, BRUNO, CHLOE, OTHER = "U0ALICE01", "U0BRUNO01", "U0CHLOE01", "U0OTHER01"
GONE = "U0GONE001"  # a deactivated account, when a test adds it to the stand-in
BOOK = [
    # partner_id, name, country, owner e-mail, owner ID, status, days since last update
    ("LNK-0000", "Alice Partner 0 SARL", "FR", "alice@example.com", ALICE, "not_contacted", 9),
    ("LNK-0001", "Alice Partner 1 SARL", "FR", "alice@example.com", ALICE, "contacted", 5),
    ("LNK-0002", "Alice Partner 2 SARL", "FR", "alice@example.com", ALICE, "not_contacted", 3),
    ("LNK-9001", "Réseaux Dupont & Fils", "FR", "alice@example.com", ALICE, "not_contacted", 12),
    ("LNK-1000", "Bruno Partner 0 SARL", "FR", "bruno@example.com", BRUNO, "registered", 2),
    ("LNK-2000", "Chloe Partner 0 Inc", "US", "chloe@example.com", CHLOE, "in_progress", 1),
    ("LNK-5000", "Orphan Networks", "BE", "newcomer@example.com", None, "not_contacted", 4),
]
NOW = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)


@dataclass
class Book:
    """Read partners and history back from the database."""

    db: Database

    def partner(self, key: str) -> Partner:
        with self.db.session() as session:
            partner = store.get_partner(session=session, key=key)
        assert partner is not None
        return partner

    def history(self, key: str) -> list[StatusChange]:
        partner = self.partner(key)
        assert partner.id is not None
        with self.db.session() as session:
            query = select(StatusChange).where(StatusChange.partner_pk == partner.id).order_by(col(StatusChange.id))
            return list(session.exec(query))


def fill(db: Database) -> None:
    """Write BOOK into `db`."""
    with db.session(write=True) as session:
        for pid, name, country, email, owner, status, days in BOOK:
            store.add_partner(
                session=session,
                partner_id=pid,
                name=name,
                country=country,
                owner_email=email,
                owner_user_id=owner,
                status=status,
                note="",
                at=NOW - dt.timedelta(days=days),
                by="import:book.csv",
                source="import",
            )


@pytest.fixture
def book(rt: Runtime) -> Book:
    fill(rt.db)
    return Book(rt.db)
