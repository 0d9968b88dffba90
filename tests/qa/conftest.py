"""A few partners for the live answers (owners are the stand-in's people)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.qa.semantic import Encoder, shared_encoder
from bot.runtime import Runtime
from storage import knowledge as store
from storage.db import Database
from storage.partners import add_partner
from tests.conftest import ADMIN

ALICE, BRUNO = "U0ALICE01", "U0BRUNO01"
NOW = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)
PARTNERS = [
    ("LNK-0001", "Réseaux Dupont & Fils", ALICE, "not_contacted"),
    ("LNK-0002", "Alpes Télécom SARL", ALICE, "in_progress"),
    ("LNK-0003", "Bretagne Réseaux SA", ALICE, "registered"),
    ("LNK-0004", "Nord Informatique", BRUNO, "registered"),
    ("LNK-0005", "Sud Connect", BRUNO, "declined"),
]


@pytest.fixture
def partners(db: Database) -> list[tuple[str, str, str, str]]:
    """Write PARTNERS into the test database."""
    with db.session(write=True) as session:
        for partner_id, name, owner, status in PARTNERS:
            add_partner(
                session=session,
                partner_id=partner_id,
                name=name,
                country="FR",
                owner_email=f"{owner.lower()}@example.com",
                owner_user_id=owner,
                status=status,
                note="",
                at=NOW - dt.timedelta(days=1),
                by="test",
                source="import",
            )
    return PARTNERS


def save_parking_entry(rt: Runtime) -> None:
    """An entry an admin added from Slack, as another process would store it: "Where do I park?" """
    with rt.db.session(write=True) as session:
        store.save_entry(
            session=session,
            slug="parking",
            questions_en="Where do I park?",
            questions_fr="",
            answer_en="Level -2.",
            answer_fr="",
            source="<@U0ADMIN01> (2008-09-02)",
            origin="admin",
            by=ADMIN,
            now=rt.clock.now(),
        )


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    """The process's sentence encoder, loaded: the tests that use it need the model."""
    encoder = shared_encoder()
    assert encoder.available, encoder.status
    return encoder
