"""The baseline: a bare Bolt app whose one command listener only acks, on the bot's own waitress set-up.

    python -m tests.bench.bare_app PORT COMMAND SLACK_API_URL

Same signing secret, same Bolt mode (process_before_response, as bot/app.py), same `serve()` with
the same thread count as `transition-bot run`: the difference to the bot is the bot's own work.
"""

from __future__ import annotations

import logging
import sys

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.config import Settings
from bot.server import serve
from tests.slack_standin import SIGNING_SECRET, TOKEN


def main() -> None:
    port, command, api_url = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token=TOKEN, base_url=api_url),  # Bolt calls auth.test once, as for the bot
        token_verification_enabled=False,
        process_before_response=True,
        logger=logging.getLogger("bolt"),
    )

    @app.command(command)
    def only_ack(ack: Ack) -> None:
        ack()

    logging.basicConfig(level=logging.WARNING)
    serve(SlackRequestHandler(app), port=port, threads=Settings(_env_file=None).http_threads, host="127.0.0.1")  # type: ignore[call-arg]


if __name__ == "__main__":
    main()
