"""Sample data for `transition-bot console --demo`: about 50 partners across a few owners."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from bot.statuses import Status
from storage.db import Database
from storage.partners import add_partner, count_by_status
from storage.users import save_user


@dataclass(frozen=True)
class DemoUser:
    """A person of the simulated workspace."""

    user_id: str
    name: str
    email: str
    tz: str
    locale: str = "en-US"


DEMO_USERS = (
    DemoUser("U0DEMO001", "you", "you@example.com", "Europe/Paris"),
    DemoUser("U0ALICE01", "alice", "alice@example.com", "Europe/Paris"),
    DemoUser("U0BRUNO01", "bruno", "bruno@example.com", "Europe/Paris"),
    DemoUser("U0CHLOE01", "chloe", "chloe@example.com", "America/New_York"),
    DemoUser("U0DAVID01", "david", "david@example.com", "Asia/Singapore"),
    DemoUser("U0FRANC01", "françoise", "francoise@example.com", "Europe/Paris", "fr-FR"),  # reads the bot in French
)

_PREFIXES = ["Réseaux", "Télécom", "Net", "Connect", "Data", "Info", "Micro", "Pro", "Euro", "Soft"]
_SUFFIXES = ["Services", "Solutions", "Systèmes", "Distribution", "Informatique", "Conseil", "Partners"]
_FORMS = ["SARL", "SAS", "SA", "GmbH", "Ltd", "BV", "Srl"]
_COUNTRIES = ["FR", "FR", "FR", "BE", "CH", "DE", "GB", "NL", "IT", "US"]
_WEIGHTS = {
    Status.NOT_CONTACTED: 30,
    Status.CONTACTED: 25,
    Status.IN_PROGRESS: 20,
    Status.REGISTERED: 20,
    Status.DECLINED: 5,
}


def load_demo(db: Database, *, now: dt.datetime, count: int = 50, seed: int = 8) -> int:
    """Insert the demo users and partners unless partners exist already; return partners added."""
    rng = random.Random(seed)
    with db.session(write=True) as session:
        if sum(count_by_status(session=session).values()):
            return 0
        for user in DEMO_USERS:
            save_user(
                session=session,
                user_id=user.user_id,
                email=user.email,
                name=user.name,
                tz=user.tz,
                deleted=False,
                now=now,
                locale=user.locale,
            )
        owners = DEMO_USERS[:4]
        statuses = list(_WEIGHTS)
        for i in range(count):
            owner = owners[i % len(owners)]
            name = f"{rng.choice(_PREFIXES)} {rng.choice(_SUFFIXES)} {rng.choice(_FORMS)}"
            if i == 0:
                name = "Réseaux Dupont & Fils"
            status = rng.choices(statuses, weights=[_WEIGHTS[s] for s in statuses])[0]
            at = now - dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
            add_partner(
                session=session,
                partner_id=f"LNK-{1000 + i}",
                name=f"{name} {i}" if i else name,
                country=rng.choice(_COUNTRIES),
                owner_email=owner.email,
                owner_user_id=owner.user_id,
                status=status.value,
                note="",
                at=at,
                by="demo",
                source="import",
            )
    return count
