"""Nudge rounds when Slack answers 429, 500 or hangs, and when the process is killed mid-round.

Each round runs as `transition-bot nudge --now` in a child process against the stand-in; what was
sent is read from the stand-in (what Slack has) and from nudge_log (what the bot believes).
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.app import build_runtime
from bot.clock import FixedClock
from bot.nudges.rounds import SWEEP_GRACE, sweep
from storage.db import Database
from tests.bench import process
from tests.conftest import make_settings
from tests.slack_standin import Fault, SlackStandIn

CHANNEL = "C0SALES01"


ZONE = f"Etc/GMT{-max(-12, min(14, 12 - dt.datetime.now(dt.UTC).hour)):+d}"
"""A zone where it is about noon while these tests run (Etc/GMT-3 is UTC+3): the rounds run on the real clock, and
the sweep 11 minutes later must fall on the same local day. In Paris, from 23:49 it did not, and the nudges of a day
just over were expired, as they should be."""


def owners(standin: SlackStandIn, count: int) -> list[str]:
    ids = []
    for n in range(count):
        person = standin.add_person(f"U0NUDGE{n:03d}", f"owner{n}", f"owner{n}@nudge.example", tz=ZONE)
        ids.append(person.user_id)
    return ids


def import_book(env: dict[str, str], workdir: Path, count: int) -> None:
    """Two open partners per owner, imported as an operator would."""
    lines = ["partner_id,name,country,owner_email,status"]
    for n in range(count):
        for k in range(2):
            lines.append(f"LNK-{n:03d}{k},Partner {n}-{k} SARL,FR,owner{n}@nudge.example,")
    book = workdir / "book.csv"
    book.write_text("\n".join(lines) + "\n")
    done = process.cli(["import-partners", str(book)], env=env, workdir=workdir)
    assert done.returncode == 0, done.stderr


def env_for(standin: SlackStandIn, url: str, workdir: Path) -> dict[str, str]:
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    return process.bot_env(
        database_url=url, api_url=standin.api_url, home=workdir, TRANSITION_DEADLINE=deadline, TRANSITION_TIMEZONE=ZONE
    )


def posts_to(standin: SlackStandIn) -> Counter[str]:
    """Successful top-level chat.postMessage calls per recipient: what Slack really shows."""
    return Counter(str(c.args.get("channel")) for c in standin.calls_to("chat.postMessage"))


def log_rows(url: str) -> list[tuple[str, str, str, str | None]]:
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT kind, recipient, state, ts FROM nudge_log ORDER BY id"))
            return [(str(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows]
    finally:
        database.dispose()


def sweep_later(standin: SlackStandIn, url: str, env: dict[str, str]) -> None:
    """The scheduler's sweep, once the grace for stalled claims has passed (same day).

    The clock jumps past the grace, but a post the client gave up on may still be on its way into
    Slack: after ten real minutes it would have landed, so the sweep waits until it has.
    """
    standin.wait_settled()
    later = dt.datetime.now(dt.UTC) + SWEEP_GRACE + dt.timedelta(minutes=1)
    deadline = dt.date.fromisoformat(env["TRANSITION_DEADLINE"])
    settings = make_settings(standin, url, transition_deadline=deadline, transition_timezone=ZONE)
    database = Database(url)
    try:
        sweep(build_runtime(settings, db=database, clock=FixedClock(later)), chart=None)
    finally:
        database.dispose()


def assert_marked_sent_only_when_slack_has_it(standin: SlackStandIn, url: str) -> None:
    posted = {str(c.args.get("channel")): c for c in standin.calls_to("chat.postMessage")}
    delivered_ts = {m["ts"] for messages in standin.history.values() for m in messages if m.get("metadata") is not None}
    for kind, recipient, state, ts in log_rows(url):
        if state == "sent":
            assert recipient in posted, f"{kind} to {recipient} marked sent but never posted"
            assert ts in delivered_ts, f"{kind} to {recipient} marked sent with a ts Slack does not have"


@pytest.fixture
def nudge_db(database_url: str) -> str:
    return database_url


def test_429_500_and_a_hang_are_retried_within_limits_and_nothing_is_marked_sent_wrongly(
    standin: SlackStandIn, nudge_db: str, tmp_path: Path
) -> None:
    people = owners(standin, 4)
    env = env_for(standin, nudge_db, tmp_path)
    import_book(env, tmp_path, 4)
    standin.fail_next(
        "chat.postMessage",
        Fault(status=429, retry_after=1),  # first owner: waits, then goes through
        *[Fault(status=500)] * 4,  # second owner: 1 try + 3 retries, all fail: left for the sweep
        Fault(status=200, hang_s=6),  # third owner: Slack posts it, but answers after the client gave up
    )
    started = time.monotonic()
    done = process.cli(["nudge", "--now"], env=env, workdir=tmp_path, timeout=120)
    took = time.monotonic() - started
    assert done.returncode == 1, done.stderr  # two sends failed: no success for cron, though the sweep retries them
    assert "; 2 failed" in done.stdout and "Traceback" not in done.stderr
    assert took < 60

    attempts = Counter(str(c.args.get("channel")) for c in standin.calls_to("chat.postMessage", ok_only=False))
    assert max(attempts.values()) <= 4  # retried, within limits
    assert_marked_sent_only_when_slack_has_it(standin, nudge_db)
    assert all(n == 1 for n in posts_to(standin).values())

    sweep_later(standin, nudge_db, env)
    assert_marked_sent_only_when_slack_has_it(standin, nudge_db)
    delivered = posts_to(standin)
    assert {p: delivered[p] for p in people} == {p: 1 for p in people}, "each owner gets exactly one digest"
    assert delivered[CHANNEL] == 1
    assert {row[2] for row in log_rows(nudge_db)} == {"sent"}


def test_sigkill_in_the_middle_of_a_round_then_restart_sends_each_nudge_once(
    standin: SlackStandIn, nudge_db: str, tmp_path: Path
) -> None:
    people = owners(standin, 30)
    env = env_for(standin, nudge_db, tmp_path)
    import_book(env, tmp_path, 30)
    # A slow Slack, so the kill lands mid-round, possibly between a post and its mark.
    standin.fail_next("chat.postMessage", *[Fault(status=200, hang_s=0.15)] * 40)
    log = open(tmp_path / "killed.log", "wb")  # noqa: SIM115
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "nudge", "--now"], env=env, cwd=tmp_path, stdout=log, stderr=log
    )
    standin.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 8, timeout=60)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    log.close()
    time.sleep(0.5)  # the call in flight at the kill still lands in Slack
    sent_before_restart = sum(posts_to(standin).values())
    assert 8 <= sent_before_restart < 31

    again = process.cli(["nudge", "--now"], env=env, workdir=tmp_path, timeout=180)
    assert again.returncode == 0, again.stderr
    sweep_later(standin, nudge_db, env)

    delivered = posts_to(standin)
    assert {p: delivered[p] for p in people} == {p: 1 for p in people}, "no duplicate, no loss"
    assert delivered[CHANNEL] == 1
    assert_marked_sent_only_when_slack_has_it(standin, nudge_db)
    assert {row[2] for row in log_rows(nudge_db)} == {"sent"}
