"""Every slash command, fuzzed over HTTP: no 5xx, an answer each time, nothing unhandled, no change by a stranger."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import RunningBot
from tests.fuzz.conftest import FUZZ, STRANGER, USERS, assert_clean, hostile_text, seed_partners, settle, snapshot
from tests.slack_standin import SlackStandIn, text_of

COMMANDS = ["/partner", "/transition"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_stranger_fuzzing_a_command_changes_nothing_and_always_gets_an_answer(
    command: str, bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    seed_partners(bot.rt)
    before = snapshot(bot.rt)

    @FUZZ
    @given(text=hostile_text)
    def send(text: str) -> None:
        status, _, key = bot.sender.command(command, text, STRANGER)
        assert status == 200
        reply = standin.wait_response(key, timeout=5)
        assert text_of(reply).strip()

    send()
    settle(standin)
    assert snapshot(bot.rt) == before
    assert_clean(standin, caplog)


@pytest.mark.parametrize("command", COMMANDS)
def test_anyone_fuzzing_a_command_never_breaks_the_bot(
    command: str, bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    seed_partners(bot.rt)

    @FUZZ
    @given(text=hostile_text, user=st.sampled_from(USERS), channel=st.sampled_from(["C0SALES01", "D0ALICE01", ""]))
    def send(text: str, user: str, channel: str) -> None:
        status, _, _ = bot.sender.command(command, text, user, channel=channel)
        assert status < 500

    send()
    settle(standin)
    assert_clean(standin, caplog)
