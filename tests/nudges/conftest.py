"""Helpers for the nudge tests: a small book of partners like the acceptance check's, and clocks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.app import build_runtime
from bot.clock import FixedClock
from bot.runtime import Runtime
from storage.db import Database
from storage.models import NudgeLog
from storage.partners import add_partner
from tests.conftest import make_settings
from tests.slack_standin import ApiCall, SlackStandIn

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
CHANNEL = "C0SALES01"
ALICE, BRUNO, CHLOE = "U0ALICE01", "U0BRUNO01", "U0CHLOE01"
GONE = "U0GONE001"  # a deactivated account, when a test adds it to the stand-in
OWNERS = {ALICE: "alice@example.com", BRUNO: "bruno@example.com", CHLOE: "chloe@example.com"}
LONG_AGO = dt.datetime(2008, 8, 8, 10, 0, tzinfo=dt.UTC)


def paris(*args: int) -> dt.datetime:
    """A Paris wall time as an aware datetime."""
    return dt.datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def add(
    rt: Runtime,
    partner_id: str,
    name: str,
    owner: str | None,
    *,
    status: str = "not_contacted",
    at: dt.datetime = LONG_AGO,
    email: str | None = None,
) -> None:
    """Insert one partner with its first history entry (`email`: the owner's as imported, else the owner's own)."""
    with rt.db.session(write=True) as session:
        add_partner(
            session=session,
            partner_id=partner_id,
            name=name,
            country="FR",
            owner_email=OWNERS.get(owner or "", "nobody@example.com") if email is None else email,
            owner_user_id=owner,
            status=status,
            note="",
            at=at,
            by="import:test.csv",
            source="import",
        )


def load_book(rt: Runtime) -> None:
    """Alice 5 open, Bruno 4 registered, Chloe 4 open: 13 partners, 4 registered (the acceptance book)."""
    for i, owner in enumerate((ALICE, BRUNO, CHLOE)):
        name = {ALICE: "Alice", BRUNO: "Bruno", CHLOE: "Chloe"}[owner]
        for j in range(4):
            add(
                rt,
                f"LNK-{i}{j:03d}",
                f"{name} Partner {j} SARL",
                owner,
                status="registered" if owner == BRUNO else "not_contacted",
                at=LONG_AGO + dt.timedelta(days=j),
            )
    add(rt, "LNK-9001", "Réseaux Dupont & Fils", ALICE, at=LONG_AGO - dt.timedelta(days=1))


def runtime(standin: SlackStandIn, database_url: str, clock: FixedClock, **overrides: Any) -> Runtime:
    """A Runtime on its own engine (as a second process would have), with settings overridden."""
    return build_runtime(make_settings(standin, database_url, **overrides), db=Database(database_url), clock=clock)


def posts(standin: SlackStandIn) -> list[ApiCall]:
    """Successful chat.postMessage calls, oldest first."""
    return standin.calls_to("chat.postMessage")


def posts_by_recipient(standin: SlackStandIn) -> Counter[str]:
    """How many messages each user or channel got."""
    return Counter(str(c.args["channel"]) for c in posts(standin))


def nudges_on(*, session: Session, local_date: dt.date) -> list[NudgeLog]:
    """Every nudge logged for `local_date`, in order."""
    return list(session.exec(select(NudgeLog).where(NudgeLog.local_date == local_date).order_by(col(NudgeLog.id))))


def log_rows(rt: Runtime, day: dt.date) -> list[NudgeLog]:
    """The nudge log of one local date."""
    with rt.db.session() as session:
        return nudges_on(session=session, local_date=day)


def fake_png(_series: object) -> bytes:
    """A chart renderer for tests that check the upload, not the drawing."""
    return b"\x89PNG\r\n\x1a\n" + b"fake chart"


@pytest.fixture
def book(rt: Runtime) -> Runtime:
    load_book(rt)
    return rt
