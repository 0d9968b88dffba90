"""What an operator watches: /metrics moves with requests, refusals, nudges and questions; /healthz is quick."""

from __future__ import annotations

import time
import urllib.request

from prometheus_client import REGISTRY

from bot.nudges.rounds import Mode, run_round
from tests.conftest import ADMIN, RunningBot
from tests.fuzz.conftest import OWNER, seed_partners, settle
from tests.slack_standin import SlackStandIn


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(bot: RunningBot) -> str:
    with urllib.request.urlopen(f"{bot.url}/metrics", timeout=5) as response:
        return response.read().decode()


def test_metrics_count_requests_refusals_latency_nudges_and_questions(bot: RunningBot, standin: SlackStandIn) -> None:
    seed_partners(bot.rt)
    before = {
        "commands": value("transition_requests_total", kind="command", outcome="200"),
        "acks": value("transition_ack_seconds_count", kind="command"),
        "refused": value("transition_http_responses_total", path="/slack/events", status="401"),
        "unverified": value("transition_requests_total", kind="unverified", outcome="401"),
        "digests": value("transition_nudges_total", kind="digest", outcome="sent"),
        "questions": sum(
            value("transition_questions_total", outcome=o) for o in ("answered", "unknown", "expert", "unanswered")
        ),
    }
    for _ in range(3):
        bot.sender.command("/partner", "help", OWNER)
    bot.sender.command("/partner", "help", OWNER, signature="v0=" + "0" * 64)
    bot.sender.direct_message(OWNER, "When is the registration deadline?")
    _, _, key = bot.sender.command("/transition", "What is the Cisco Registered Partner level?", ADMIN)
    standin.wait_response(key)
    run_round(bot.rt, mode=Mode.FORCE, chart=None)
    settle(standin)

    assert value("transition_requests_total", kind="command", outcome="200") - before["commands"] >= 4
    assert value("transition_ack_seconds_count", kind="command") - before["acks"] >= 4
    assert value("transition_http_responses_total", path="/slack/events", status="401") - before["refused"] == 1
    # Timed around the whole request: global middleware runs before Bolt's listeners, so timing
    # there saw no ack and no status (every outcome was "?" before).
    assert value("transition_requests_total", kind="unverified", outcome="401") - before["unverified"] == 1
    assert value("transition_nudges_total", kind="digest", outcome="sent") - before["digests"] >= 1
    questions = sum(
        value("transition_questions_total", outcome=o) for o in ("answered", "unknown", "expert", "unanswered")
    )
    assert questions - before["questions"] >= 2
    text = scrape(bot)
    for name in ("transition_ack_seconds_bucket", "transition_nudges_total", "transition_questions_total"):
        assert name in text


def test_healthz_is_quick_and_takes_head(bot: RunningBot) -> None:
    started = time.perf_counter()
    request = urllib.request.Request(f"{bot.url}/healthz", method="HEAD")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
    assert time.perf_counter() - started < 0.5
