"""What every fuzz test shares: seeded partners, hostile text, a snapshot of what must not change, and the checks."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bot.i18n import Lang, t
from bot.runtime import Runtime
from storage.partners import add_partner
from tests.conftest import ADMIN
from tests.slack_standin import SlackStandIn, text_of

OWNER = "U0ALICE01"
STRANGER = "U0OTHER01"  # neither an owner nor an admin: nothing they send may change a partner
USERS = [OWNER, "U0BRUNO01", STRANGER, ADMIN, "U0NOBODY9", "", "W0ENTERPR1"]
PARTNERS = {
    "LNK-0001": ("Réseaux Dupont & Fils", "alice@example.com", OWNER),
    "LNK-0002": ("<!channel> Evil & Co <@U0BRUNO01>", "alice@example.com", OWNER),
    "LNK-0003": ("Bruno Networks", "bruno@example.com", "U0BRUNO01"),
}
STATUS_WORDS = ["contacted", "in progress", "registered", "declined", "not_contacted", "enregistré", "refusé", "flying"]
VERBS = ["help", "show", "update", "assign", "mine", "find", "deadline", "progress", "nudge", "now", "aide", "snooze"]
NASTY = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0BRUNO01|bruno>",
    "<#C0SALES01|sales>",
    "<https://evil.example|click here>",
    "\u202eevil\u202c",
    "\x00",
    "a\u0301\u0302\u0303\u0304" * 40,
    "💥🇫🇷👩‍👩‍👧",
    "x" * 5000,
    '"unterminated',
    "'; DROP TABLE partner;--",
    "*bold* _it_ ~s~ `code` ```block``` > quote",
    "&amp; &lt; &gt;",
    "%s %d {0} {}",
    "\n\n\t\r",
    "\ufeff\u200b\u2066",
    "LNK-0001",
    "lnk-0002",
    "@alice",
]

words = st.one_of(st.sampled_from(VERBS + STATUS_WORDS + NASTY + list(PARTNERS)), st.text(max_size=40))
hostile_text = st.one_of(
    st.lists(words, max_size=8).map(" ".join),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=3000, max_size=6000),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
PINGS = ("<!channel>", "<!here>", "<!everyone>")


def seed_partners(rt: Runtime) -> None:
    """Three partners, one with a name built to ping and break formatting."""
    with rt.db.session(write=True) as session:
        for partner_id, (name, email, owner) in PARTNERS.items():
            add_partner(
                session=session,
                partner_id=partner_id,
                name=name,
                country="FR",
                owner_email=email,
                owner_user_id=owner,
                status="not_contacted",
                note="<!here> first call *planned*",
                at=rt.clock.now(),
                by="import:fuzz.csv",
                source="import",
            )


PROTECTED = ("partner", "status_change", "setting", "knowledge_entry", "nudge_log")


def snapshot(rt: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables no stranger may change."""
    with rt.db.engine.connect() as conn:
        return {
            table: sorted((tuple(map(str, row)) for row in conn.exec_driver_sql(f"SELECT * FROM {table}")), key=str)
            for table in PROTECTED
        }


def settle(standin: SlackStandIn, quiet: float = 0.4, limit: float = 10.0) -> None:
    """Wait until the bot has stopped calling Slack for `quiet` seconds (its work after acks is done)."""
    started = time.time()
    last = -1
    while time.time() - started < limit:
        now = len(standin.calls) + len(standin.responses)
        if now == last:
            return
        last = now
        time.sleep(quiet)


def assert_clean(standin: SlackStandIn, caplog: pytest.LogCaptureFixture) -> None:
    """No Slack API misuse, no unhandled error, no internal-error reply, no live ping in anything sent."""
    assert standin.problems == []
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert errors == [], [f"{r.name}: {r.getMessage()}" for r in errors]
    sent = [text_of(r["payload"]) for r in standin.responses] + [text_of(c.args) for c in standin.calls]
    internal = [t("error.internal", lang) for lang in Lang]
    for text in sent:
        assert not any(reply in text for reply in internal)
        assert "Traceback" not in text
        for ping in PINGS:
            assert ping not in text
