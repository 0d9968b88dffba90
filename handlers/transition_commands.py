"""`/transition` slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import transition
from bot.runtime import Runtime
from handlers.common import ack_then, command_args, deliver


def register(app: App, rt: Runtime) -> None:
    """Listen for `/transition`."""

    def transition_command(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        args = command_args(body)
        outcome = transition.handle(rt, user_id=args.user_id, text=args.text, channel_id=args.channel_id)
        deliver(outcome, body=body, respond=respond, client=client)

    app.command(rt.settings.transition_command)(ack_then(app, transition_command))
