"""`transition-bot nudge --now [--force]` as an operator runs it: a process that sends one round and exits."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.nudges import service
from bot.runtime import Runtime
from tests.conftest import ADMIN
from tests.nudges.conftest import ALICE, CHANNEL, CHLOE, GONE, add, load_book, posts_by_recipient
from tests.slack_standin import TOKEN, Fault, SlackStandIn, text_of

ROOT = Path(__file__).resolve().parents[2]


def nudge(standin: SlackStandIn, database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    today = dt.datetime.now(ZoneInfo("Europe/Paris")).date()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        # This checkout's code, not whichever copy of the package the interpreter has installed.
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": database_url,
        "ADMIN_USER_IDS": ADMIN,
        "NUDGE_CHANNEL": CHANNEL,
        "TRANSITION_DEADLINE": (today + dt.timedelta(days=10)).isoformat(),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "nudge", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_nudge_now_sends_one_round_then_nothing_more_the_same_day(
    rt: Runtime, standin: SlackStandIn, database_url: str, tmp_path: Path
) -> None:
    load_book(rt)
    done = nudge(standin, database_url, tmp_path, "--now")
    assert done.returncode == 0, done.stderr
    assert "2 digests and 1 channel summary sent" in done.stdout
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
    alice = next(c for c in standin.calls_to("chat.postMessage") if c.args["channel"] == ALICE)
    assert "10 days left" in text_of(alice.args)
    assert len(standin.calls_to("files.completeUploadExternal")) == 1
    again = nudge(standin, database_url, tmp_path, "--now")
    assert again.returncode == 0, again.stderr
    assert "3 already sent today" in again.stdout
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
    forced = nudge(standin, database_url, tmp_path, "--now", "--force")
    assert forced.returncode == 0, forced.stderr
    assert posts_by_recipient(standin) == {ALICE: 2, CHLOE: 2, CHANNEL: 2}
    assert "Traceback" not in done.stderr + again.stderr + forced.stderr


def test_nudge_now_skips_a_deactivated_owner_whose_partners_still_count_in_the_channel(
    rt: Runtime, standin: SlackStandIn, database_url: str, tmp_path: Path
) -> None:
    load_book(rt)
    standin.add_person(GONE, "gone", "gone@example.com", deleted=True)
    add(rt, "LNK-8000", "Gone Partner SARL", GONE)
    done = nudge(standin, database_url, tmp_path, "--now")
    assert done.returncode == 0, done.stderr
    assert "2 digests and 1 channel summary sent" in done.stdout and "1 owner deactivated" in done.stdout
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
    summary = next(c for c in standin.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL)
    assert "4 of 14 partners registered" in text_of(summary.args)
    assert GONE in done.stderr and "gone@example.com" not in done.stderr + done.stdout


def test_nudge_now_refuses_while_paused_unless_forced(
    rt: Runtime, standin: SlackStandIn, database_url: str, tmp_path: Path
) -> None:
    load_book(rt)
    service.set_paused(rt, actor=ADMIN, paused=True)
    refused = nudge(standin, database_url, tmp_path, "--now")
    assert refused.returncode == 1
    assert "paused" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert posts_by_recipient(standin) == {}
    forced = nudge(standin, database_url, tmp_path, "--now", "--force")
    assert forced.returncode == 0, forced.stderr
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}


def test_nudge_without_now_says_how_to_use_it(standin: SlackStandIn, database_url: str, tmp_path: Path) -> None:
    done = nudge(standin, database_url, tmp_path)
    assert done.returncode == 2
    assert "--now" in done.stderr


def test_nudge_now_exits_1_when_a_send_failed_and_a_second_run_sends_it(
    rt: Runtime, standin: SlackStandIn, database_url: str, tmp_path: Path
) -> None:
    """For cron: a round where Slack refused a send is no success; running it again retries what failed."""
    load_book(rt)
    standin.fail_next("chat.postMessage", *[Fault(500)] * 4)  # outlasts the client's retries: one send fails
    failed = nudge(standin, database_url, tmp_path, "--now")
    assert failed.returncode == 1, failed.stderr
    assert "; 1 failed (" in failed.stdout and "Traceback" not in failed.stderr  # with Slack's reason
    again = nudge(standin, database_url, tmp_path, "--now")
    assert again.returncode == 0, again.stderr
    assert "1 digest and 0 channel summaries sent; 2 already sent today" in again.stdout
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
