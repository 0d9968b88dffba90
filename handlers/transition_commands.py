"""`/transition` slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import transition
from bot.questions import asking
from bot.runtime import Runtime
from handlers.common import ack_then_question, command_args, deliver, respond_with


def register(app: App, rt: Runtime) -> None:
    """Listen for `/transition`."""

    def transition_command(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        args = command_args(body)
        outcome = transition.handle(rt, user_id=args.user_id, text=args.text, channel_id=args.channel_id)
        deliver(outcome, body=body, respond=respond, client=client)

    def busy(respond: Respond) -> None:
        respond_with(respond, asking.busy_reply())

    def asks(body: dict[str, Any]) -> bool:
        return transition.is_question(command_args(body).text)

    app.command(rt.settings.transition_command)(
        ack_then_question(app, rt.questions, transition_command, busy=busy, asks=asks)
    )
