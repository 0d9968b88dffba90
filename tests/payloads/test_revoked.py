"""tokens_revoked and app_uninstalled: nothing is sent, /healthz says so, and a reinstall resumes by itself."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

import pytest

from bot.installation import Gate, revoked
from bot.nudges.scheduler import sweep_job, tick
from tests.conftest import RunningBot
from tests.nudges.conftest import ALICE, add
from tests.payloads.test_samples import load, post
from tests.slack_standin import TOKEN, SlackStandIn


def healthz(bot: RunningBot) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{bot.url}/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize("sample", ["event_tokens_revoked", "event_app_uninstalled"])
def test_a_revoked_bot_sends_nothing_says_so_and_resumes_after_a_reinstall(
    sample: str, bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rt = bot.rt
    add(rt, "LNK-0001", "Réseaux Dupont", ALICE)
    assert healthz(bot) == (
        200,
        {"ok": True, "database": "up", "slack": "ok", "questions": "semantic", "answer_fit": "shipped"},
    )

    standin.revoked.add(TOKEN)
    assert post(bot, load(sample), event_id="Ev0REVOKED1")[0] == 200
    standin.wait_for(lambda s: healthz(bot)[0] == 503)
    assert healthz(bot)[1] == {
        "ok": False,
        "database": "up",
        "slack": "revoked",
        "questions": "semantic",
        "answer_fit": "shipped",
    }

    # What `transition-bot scheduler` does in its own process: it reads the revocation from the database.
    gate = Gate(rt)
    for _ in range(3):
        tick(rt, gate)
        sweep_job(rt, gate)
    assert standin.calls_to("chat.postMessage") == []
    skipped = [r.getMessage() for r in caplog.records if "skipped: Slack revoked the bot" in r.getMessage()]
    assert skipped == [
        f"nudge round skipped: Slack revoked the bot ({sample.removeprefix('event_')}); waiting for a reinstall"
    ]

    standin.revoked.clear()  # reinstalled: auth.test succeeds again
    tick(rt, gate)
    assert healthz(bot) == (
        200,
        {"ok": True, "database": "up", "slack": "ok", "questions": "semantic", "answer_fit": "shipped"},
    )
    assert [c.args["channel"] for c in standin.calls_to("chat.postMessage")] == [ALICE, "C0SALES01"]


def test_a_user_token_revoked_leaves_the_bot_speaking(bot: RunningBot) -> None:
    assert post(bot, load("event_tokens_revoked_user_only"), event_id="Ev0REVOKED2")[0] == 200
    bot.stop()  # the work after the ack is done
    assert revoked(bot.rt) is None
