"""No token, secret or message text in any log line: in-process and from the `transition-bot run` process."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import logs
from bot.ids import Action, Block, Field, View
from handlers.common import ack_then
from tests.bench import process
from tests.conftest import ADMIN, RunningBot
from tests.slack_standin import SIGNING_SECRET, TOKEN, Fault, SlackSender, SlackStandIn

SECRET = "Zebra7781Quokka"  # distinctive words a person typed; they must never reach a log
FORBIDDEN = (SECRET, SECRET.lower(), TOKEN, SIGNING_SECRET, "xoxb-")


def drive(sender: SlackSender, standin: SlackStandIn) -> None:
    """Send the bot every kind of request, each carrying the secret text."""
    text = f"{SECRET} <!channel> {{'text': '{SECRET}'}} [{SECRET}]"
    for command, words in [
        ("/partner", f"update LNK-0001 registered {text}"),
        ("/partner", f"show {SECRET}"),
        ("/partner", f"find {SECRET}"),
        ("/partner", text),
        ("/transition", f"What about {text}?"),
        ("/transition", f"nudge {SECRET}"),
    ]:
        for user in ("U0ALICE01", ADMIN):
            sender.command(command, words, user)
    sender.direct_message("U0ALICE01", f"Quand est la date limite ? {text}")
    sender.mention("U0ALICE01", f"{text} what is the deadline?")
    for action in Action:
        sender.click("U0ALICE01", action.value, f'{{"partner_id": "LNK-0001", "note": "{SECRET}"}}')
    for view in View:
        sender.interaction(
            {
                "type": "view_submission",
                "team": {"id": "T0STANDIN"},
                "user": {"id": "U0ALICE01"},
                "api_app_id": "A0STANDIN",
                "trigger_id": "1.trigger",
                "view": {
                    "id": "V1",
                    "type": "modal",
                    "callback_id": view.value,
                    "private_metadata": SECRET,
                    "state": {
                        "values": {
                            b.value: {f.value: {"type": "plain_text_input", "value": text} for f in Field}
                            for b in Block
                        }
                    },
                },
            }
        )
    # A forged request and one that Bolt cannot read.
    sender.post(f"text={SECRET}".encode(), "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    sender.post(f"\x97{SECRET}".encode("latin-1"), "application/x-www-form-urlencoded")


def settle(standin: SlackStandIn) -> None:
    last = -1
    for _ in range(50):
        now = len(standin.calls) + len(standin.responses)
        if now == last:
            return
        last = now
        time.sleep(0.3)


def assert_nothing_secret(text: str) -> None:
    for word in FORBIDDEN:
        assert word not in text, f"{word!r} leaked into the logs"


@pytest.fixture
def production_logs() -> Iterator[io.StringIO]:
    """Logging exactly as `transition-bot` configures it, at its most verbose level, into a buffer."""
    root = logging.getLogger()
    saved: tuple[list[logging.Handler], int] = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in logs._LIBRARIES}
    stream = io.StringIO()
    logs.configure("DEBUG", stream=stream)
    yield stream
    root.handlers[:], _ = saved
    root.setLevel(saved[1])
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_no_secret_reaches_the_logs_in_process(
    bot: RunningBot, standin: SlackStandIn, production_logs: io.StringIO
) -> None:
    # Listeners that fail with the user's text in their exception, on the ack path and after it
    # (registered as every surface registers its work after the ack).
    def failing_ack(ack: Any, body: dict[str, Any]) -> None:
        raise ValueError(body["text"])

    def failing_work(body: dict[str, Any]) -> None:
        raise KeyError(body["text"])

    bot.app.command("/zebra")(ack=failing_ack, lazy=[])
    bot.app.command("/quokka")(ack_then(bot.app, failing_work))
    standin.fail_next("chat.postMessage", Fault(status=500), Fault(status=429, retry_after=0))

    drive(bot.sender, standin)
    bot.sender.command("/zebra", f"{SECRET} boom", "U0ALICE01")
    bot.sender.command("/quokka", f"{SECRET} boom", "U0ALICE01")
    settle(standin)

    output = production_logs.getvalue()
    assert "unhandled ValueError" in output and "unhandled KeyError" in output  # the failures were logged
    assert_nothing_secret(output)


def test_no_secret_reaches_the_logs_of_the_bot_process(tmp_path: Path, standin: SlackStandIn) -> None:
    env = process.bot_env(
        database_url=f"sqlite:///{tmp_path / 'bot.db'}", api_url=standin.api_url, home=tmp_path, LOG_LEVEL="DEBUG"
    )
    bot = process.start(["run", "--no-scheduler"], env=env, workdir=tmp_path, port=process.free_port())
    try:
        standin.fail_next("chat.postMessage", Fault(status=500))
        drive(SlackSender(bot.events_url, standin), standin)
        settle(standin)
    finally:
        code = bot.stop()
    output = bot.log_text()
    assert code == 0
    assert "listening on" in output
    assert "Traceback" not in output
    assert_nothing_secret(output)
