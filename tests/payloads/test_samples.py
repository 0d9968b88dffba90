"""Slack's documented payloads, each posted signed to the real HTTP server: 200 within 3 s, silence or the one reply.

The samples in samples/ follow Slack's Events API and interactivity formats as documented, with the
fields an Enterprise Grid or Slack Connect workspace adds (enterprise_id, is_ext_shared_channel,
authorizations). Each says how Slack sends it (JSON or a form's `payload`) and what the bot should do.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY

from tests.conftest import RunningBot
from tests.slack_standin import SlackStandIn, text_of

SAMPLES = Path(__file__).parent / "samples"
SENDING = ("chat.postMessage", "chat.postEphemeral", "views.publish", "views.open")


def load(name: str) -> dict[str, Any]:
    return dict(json.loads((SAMPLES / f"{name}.json").read_text()))


def post(
    bot: RunningBot, sample: dict[str, Any], *, event_id: str, retry_num: int | None = None
) -> tuple[int, bytes, float]:
    """Send a sample as Slack does: events as JSON, interactions as a form's `payload`."""
    body = json.loads(json.dumps(sample["body"]).replace("RESPONSE_URL", bot.sender.standin.response_url("sample")))
    if sample["encoding"] == "json":
        if "event_id" in body:
            body["event_id"] = event_id
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return bot.sender.post(json.dumps(body).encode(), "application/json", headers=headers)
    form = urllib.parse.urlencode({"payload": json.dumps(body)}).encode()
    return bot.sender.post(form, "application/x-www-form-urlencoded")


def sent(standin: SlackStandIn) -> list[tuple[str, dict[str, Any]]]:
    return [(c.method, c.args) for c in standin.calls if c.method in SENDING]


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or "Traceback" in r.getMessage() or r.levelno >= 40]


@pytest.mark.parametrize("name", sorted(p.stem for p in SAMPLES.glob("*.json")))
def test_each_sample_is_acknowledged_and_gets_silence_or_its_one_reply(
    name: str, bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sample = load(name)
    status, body, took = post(bot, sample, event_id=f"Ev{abs(hash(name)) % 10**10:010d}")
    assert status == 200, body
    assert took < 3.0
    bot.stop()  # waits for the work after the ack: whatever the bot would send has been sent
    calls = sent(standin)
    expect = sample["expect"]
    if expect == "silence":
        assert calls == [] and standin.responses == []
    elif expect == "answer":
        ((method, args),) = calls
        assert method == "chat.postMessage" and args["channel"] == "D0ALICE01"
        assert "16" in text_of(args)  # the deadline, 16 September
    elif expect == "text_only":
        ((method, args),) = calls
        assert method == "chat.postMessage" and args["channel"] == "D0ALICE01"
        assert "I read only text" in args["text"]
    elif expect == "home":
        ((method, args),) = calls
        assert method == "views.publish" and args["user_id"] == "U0NEVERSEEN"
    elif expect == "form_errors":
        assert json.loads(body)["response_action"] == "errors"
        assert calls == [] and standin.responses == []  # the refusal is shown once, in the form
    else:
        raise AssertionError(f"{name}: unknown expectation {expect}")
    assert tracebacks(caplog) == []
    assert standin.problems == []


def unhandled(kind: str) -> float:
    return REGISTRY.get_sample_value("transition_unhandled_requests_total", {"kind": kind}) or 0.0


def test_an_unhandled_request_is_logged_on_one_line_and_counted(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = unhandled("block_actions")
    status, _, _ = post(bot, load("block_actions_unknown_action"), event_id="-")
    assert status == 200
    assert unhandled("block_actions") == before + 1
    lines = [r.getMessage() for r in caplog.records if "unhandled" in r.getMessage()]
    assert lines == ["acknowledged an unhandled block_actions: retired_button"]
    with urllib.request.urlopen(f"{bot.url}/metrics", timeout=5) as response:
        assert 'transition_unhandled_requests_total{kind="block_actions"}' in response.read().decode()


def test_a_retried_unhandled_event_gets_the_same_answer_each_time(bot: RunningBot) -> None:
    sample = load("event_reaction_added_unhandled")
    before = unhandled("event_callback")
    first = post(bot, sample, event_id="Ev0RETRIED01")
    again = post(bot, sample, event_id="Ev0RETRIED01", retry_num=1)
    assert (first[0], first[1]) == (again[0], again[1]) == (200, b"")
    assert unhandled("event_callback") == before + 1  # the retry is a redelivery, not a second request


def test_a_retried_question_is_answered_once(bot: RunningBot, standin: SlackStandIn) -> None:
    sample = load("message_im_file_share_with_text")
    assert post(bot, sample, event_id="Ev0RETRIED02")[0] == 200
    assert post(bot, sample, event_id="Ev0RETRIED02", retry_num=1)[0] == 200
    bot.stop()
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_app_rate_limited_is_logged_and_counted(bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    before = REGISTRY.get_sample_value("transition_events_rate_limited_total") or 0.0
    assert post(bot, load("event_app_rate_limited"), event_id="-")[0] == 200
    assert REGISTRY.get_sample_value("transition_events_rate_limited_total") == before + 1
    assert any("rate-limited" in r.getMessage() for r in caplog.records)
