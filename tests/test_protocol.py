"""The bot over real HTTP: url_verification, slash commands, health, event redelivery."""

from __future__ import annotations

import json
import urllib.request

from tests.conftest import ADMIN, RunningBot
from tests.slack_standin import SlackStandIn, text_of


def test_url_verification_echoes_the_challenge(bot: RunningBot) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-42", "token": "x"}).encode()
    status, data, _ = bot.sender.post(body, "application/json")
    assert status == 200
    assert b"c-42" in data


def test_partner_help_is_acknowledged_then_answered(bot: RunningBot, standin: SlackStandIn) -> None:
    status, _body, key = bot.sender.command("/partner", "help", "U0ALICE01")
    assert status == 200
    reply = standin.wait_response(key)
    assert "/partner update" in text_of(reply)
    assert reply["response_type"] == "ephemeral"


def test_transition_deadline_counts_days_left(bot: RunningBot, standin: SlackStandIn) -> None:
    _, _, key = bot.sender.command("/transition", "deadline", ADMIN)
    text = text_of(standin.wait_response(key))
    assert "16 September 2008" in text
    assert "14 days left" in text


def test_healthz_reports_the_database(bot: RunningBot) -> None:
    with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read())["database"] == "up"


def test_metrics_are_exposed(bot: RunningBot) -> None:
    bot.sender.command("/partner", "help", "U0ALICE01")
    with urllib.request.urlopen(f"{bot.url}/metrics", timeout=5) as response:
        assert b"transition_requests_total" in response.read()


def test_unknown_path_is_404(bot: RunningBot) -> None:
    try:
        urllib.request.urlopen(f"{bot.url}/nope", timeout=5)
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
    else:
        raise AssertionError("expected 404")


def test_unknown_partner_subcommand_says_how_to_write_it(bot: RunningBot, standin: SlackStandIn) -> None:
    _, _, key = bot.sender.command("/partner", "delete everything <!channel>", "U0ALICE01")
    text = text_of(standin.wait_response(key))
    assert "/partner help" in text
    assert "<!channel>" not in text
    assert "`delete everything @channel`" in text  # as typed: plain text that pings nobody


def test_slack_entities_in_command_text_are_undone(bot: RunningBot, standin: SlackStandIn) -> None:
    # Slack sends `&` typed in a slash command as `&amp;`; the help text quotes it back, escaped once.
    _, _, key = bot.sender.command("/partner", "frobnicate A &amp; B", "U0ALICE01")
    text = text_of(standin.wait_response(key))
    assert "A &amp; B" in text
    assert "&amp;amp;" not in text
