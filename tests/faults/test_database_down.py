"""The database stops or hangs during requests: a clear reply within 3 s, /healthz tells, recovery on its own."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from bot.clock import FixedClock
from tests.conftest import ADMIN, RunningBot
from tests.faults.conftest import ProxiedPostgres, bot_on, healthz, wait_healthy
from tests.fuzz.conftest import OWNER, seed_partners
from tests.slack_standin import SlackStandIn, text_of

NOTHING_CHANGED = "nothing was changed"


def timed_command(
    bot: RunningBot, standin: SlackStandIn, command: str, text: str, user: str = ADMIN
) -> tuple[str, float]:
    """Send a command; return the reply's text and the seconds from sending to the reply."""
    started = time.perf_counter()
    status, _, key = bot.sender.command(command, text, user)
    assert status == 200
    reply = standin.wait_response(key, timeout=10)
    return text_of(reply), time.perf_counter() - started


def test_postgres_stopping_gives_a_clear_reply_and_the_bot_recovers(
    proxied_postgres: ProxiedPostgres, standin: SlackStandIn, clock: FixedClock
) -> None:
    bot = bot_on(proxied_postgres.url, standin, clock)
    try:
        text, _ = timed_command(bot, standin, "/transition", "progress")
        assert NOTHING_CHANGED not in text

        proxied_postgres.proxy.cut()
        text, took = timed_command(bot, standin, "/transition", "progress")
        assert NOTHING_CHANGED in text and "try again" in text.lower()
        assert took < 3.0
        status, body, took = healthz(bot)
        assert (status, body["database"]) == (503, "down")
        assert took < 2.5

        proxied_postgres.proxy.restore()
        wait_healthy(bot, within=5)
        text, took = timed_command(bot, standin, "/transition", "progress")
        assert NOTHING_CHANGED not in text
        assert "registered" in text.lower()
    finally:
        bot.stop()
        bot.rt.db.dispose()


def test_postgres_hanging_keeps_healthz_fast_and_recovers(
    proxied_postgres: ProxiedPostgres, standin: SlackStandIn, clock: FixedClock
) -> None:
    bot = bot_on(proxied_postgres.url, standin, clock)
    try:
        assert healthz(bot)[0] == 200
        proxied_postgres.proxy.stall()
        for _ in range(3):  # callers during a hang share one check instead of piling up
            status, body, took = healthz(bot)
            assert (status, body["database"]) == (503, "down")
            assert took < 2.5
        proxied_postgres.proxy.restore()
        wait_healthy(bot, within=5)
    finally:
        proxied_postgres.proxy.restore()
        bot.stop()
        bot.rt.db.dispose()


def lock_sqlite(url: str) -> sqlite3.Connection:
    """Hold SQLite's write lock from another connection, as a stuck writer or a backup would."""
    path = Path(url.removeprefix("sqlite:///"))
    holder = sqlite3.connect(path, isolation_level=None, timeout=1)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    import shutil

    path = tmp_path / "bot.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_sqlite_locked_shows_in_healthz_and_events_are_still_acknowledged_in_time(
    sqlite_url: str, standin: SlackStandIn, clock: FixedClock
) -> None:
    bot = bot_on(sqlite_url, standin, clock)
    try:
        assert healthz(bot)[0] == 200
        holder = lock_sqlite(sqlite_url)
        try:
            status, body, took = healthz(bot)
            assert (status, body["database"]) == (503, "down")
            assert took < 2.5
            # The exactly-once claim cannot be written; the ack must still beat Slack's 3 s.
            status, _, took = bot.sender.direct_message("U0ALICE01", "hello while locked")
            assert status < 500
            assert took < 3.0
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        wait_healthy(bot, within=3)
    finally:
        bot.stop()
        bot.rt.db.dispose()


def test_sqlite_locked_during_an_update_gives_a_clear_reply_in_time_and_the_retry_lands(
    sqlite_url: str, standin: SlackStandIn, clock: FixedClock
) -> None:
    bot = bot_on(sqlite_url, standin, clock)
    try:
        seed_partners(bot.rt)
        holder = lock_sqlite(sqlite_url)
        try:
            text, took = timed_command(bot, standin, "/partner", "update LNK-0001 registered first try", OWNER)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert NOTHING_CHANGED in text.replace("*", "") and "try again" in text.lower()
        assert took < 3.0
        assert partner_status(bot, "LNK-0001") == "not_contacted"

        text, _ = timed_command(bot, standin, "/partner", "update LNK-0001 registered second try", OWNER)
        assert NOTHING_CHANGED not in text.replace("*", "")
        assert partner_status(bot, "LNK-0001") == "registered"
    finally:
        bot.stop()
        bot.rt.db.dispose()


def test_postgres_stopping_during_updates_changes_nothing_and_says_so(
    proxied_postgres: ProxiedPostgres, standin: SlackStandIn, clock: FixedClock
) -> None:
    bot = bot_on(proxied_postgres.url, standin, clock)
    try:
        seed_partners(bot.rt)
        proxied_postgres.proxy.cut()
        text, took = timed_command(bot, standin, "/partner", "update LNK-0001 registered while down", OWNER)
        assert NOTHING_CHANGED in text.replace("*", "") and took < 3.0
        proxied_postgres.proxy.restore()
        wait_healthy(bot, within=5)
        assert partner_status(bot, "LNK-0001") == "not_contacted"
        text, _ = timed_command(bot, standin, "/partner", "update LNK-0001 registered back up", OWNER)
        assert NOTHING_CHANGED not in text.replace("*", "")
        assert partner_status(bot, "LNK-0001") == "registered"
    finally:
        proxied_postgres.proxy.restore()
        bot.stop()
        bot.rt.db.dispose()


def partner_status(bot: RunningBot, partner_id: str) -> str:
    from storage.partners import get_partner

    with bot.rt.db.session() as session:
        partner = get_partner(session=session, key=partner_id)
        assert partner is not None
        return partner.status
