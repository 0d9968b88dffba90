"""Text that tries to ping or break formatting is shown inert everywhere the bot echoes it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.nudges.rounds import Mode, run_round
from tests.conftest import ADMIN, RunningBot
from tests.fuzz.conftest import FUZZ, OWNER, assert_clean, seed_partners, settle
from tests.slack_standin import SlackStandIn, text_of

# What a person may type (or a CSV may hold) to ping or to format; none may reach Slack raw.
LIVE = ["<!channel>", "<!here>", "<!everyone>", "<@U0VICTIM1>", "<#C0SECRET1>", "<https://evil.example|click>"]
EVIL = " ".join(LIVE) + " *b* _i_ ~s~ `c` ```x``` > q"


def everything_sent(standin: SlackStandIn) -> str:
    """The raw JSON of every message, response and view the bot sent: what Slack would render."""
    return "\n".join(
        [json.dumps(r["payload"], ensure_ascii=False) for r in standin.responses]
        + [json.dumps(c.args, ensure_ascii=False) for c in standin.calls]
    )


def assert_inert(standin: SlackStandIn) -> None:
    sent = everything_sent(standin)
    for live in LIVE:
        assert live not in sent, f"{live} reached Slack raw"


def test_notes_names_and_errors_echoed_back_are_inert(
    bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    seed_partners(bot.rt)  # LNK-0002's name is itself built to ping
    for text in [
        f"update LNK-0001 contacted {EVIL}",
        "show LNK-0001",
        "show LNK-0002",
        "find Evil",
        "mine",
        f"find {EVIL}",
        f"show {EVIL}",
        f"update {EVIL} registered",
        f"update LNK-0001 {EVIL}",
        f"assign LNK-0001 {EVIL}",
        EVIL,
    ]:
        _, _, key = bot.sender.command("/partner", text, OWNER)
        standin.wait_response(key)
    for text in [EVIL, f"nudge {EVIL}", f"What is the deadline? {EVIL}"]:
        _, _, key = bot.sender.command("/transition", text, OWNER)
        standin.wait_response(key)
    bot.sender.direct_message(OWNER, f"Quand est la date limite ? {EVIL}")
    bot.sender.mention(OWNER, f"{EVIL} who do I call?")
    settle(standin)
    assert "&lt;!channel&gt;" in everything_sent(standin)  # it was shown, escaped
    assert_inert(standin)
    assert_clean(standin, caplog)


def test_nudges_show_partner_names_inert(bot: RunningBot, standin: SlackStandIn) -> None:
    seed_partners(bot.rt)
    _, _, key = bot.sender.command("/partner", f"update LNK-0002 contacted {EVIL}", OWNER)
    standin.wait_response(key)
    run_round(bot.rt, mode=Mode.FORCE, chart=None)
    settle(standin)
    digests = [c for c in standin.calls_to("chat.postMessage") if c.args.get("channel") == OWNER]
    assert digests, "the owner got no digest"
    assert "&lt;!channel&gt; Evil" in json.dumps(digests[0].args, ensure_ascii=False)
    assert_inert(standin)


def test_the_update_modal_echoes_inert(bot: RunningBot, standin: SlackStandIn) -> None:
    seed_partners(bot.rt)
    bot.sender.command("/partner", "update", OWNER)  # no arguments: the form opens
    bot.sender.command("/partner", "update LNK-0002", OWNER)
    settle(standin)
    assert_inert(standin)


def test_any_mix_of_markup_in_a_note_comes_back_inert(bot: RunningBot, standin: SlackStandIn) -> None:
    seed_partners(bot.rt)
    pieces = st.sampled_from([*LIVE, "a", "&", "<", ">", "é", "\u202e", "|", "!", "@", "#"])

    @FUZZ
    @given(text=st.lists(pieces, min_size=1).map("".join))
    def run(text: str) -> None:
        _, _, key = bot.sender.command("/partner", f"update LNK-0001 in progress {text}", ADMIN)
        standin.wait_response(key)
        _, _, key = bot.sender.command("/partner", "show LNK-0001", ADMIN)
        standin.wait_response(key)
        assert_inert(standin)

    run()


ODD = "nul\x00 rtl\u202eevil\u202c zwj👩‍👩‍👧 flag🇫🇷 e\u0301\u0301\u0301 bom\ufeff 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"


def test_odd_unicode_in_a_note_is_kept_readable_and_overlong_text_is_refused_whole(
    bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    seed_partners(bot.rt)
    _, _, key = bot.sender.command("/partner", f"update LNK-0001 contacted {ODD}", OWNER)
    assert "Contacted" in text_of(standin.wait_response(key))
    _, _, key = bot.sender.command("/partner", "show LNK-0001", OWNER)
    shown = text_of(standin.wait_response(key))
    assert "\x00" not in shown and "\u202e" not in shown  # dropped: they would hide or reorder text
    assert "👩‍👩‍👧" in shown and "🇫🇷" in shown and "𝔘𝔫𝔦𝔠𝔬𝔡𝔢" in shown

    _, _, key = bot.sender.command("/partner", "update LNK-0001 registered " + "é" * 5001, OWNER)
    refused = text_of(standin.wait_response(key))
    assert "nothing was changed" in refused.replace("*", "").lower()
    for command in ("/partner", "/transition"):
        _, _, key = bot.sender.command(command, "x" * 6000 + ODD, OWNER)
        assert text_of(standin.wait_response(key)).strip()
    settle(standin)
    assert_clean(standin, caplog)
