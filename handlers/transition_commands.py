"""`/transition` slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import transition
from bot.runtime import Runtime
from handlers.common import ack_now, after_ack, deliver


def register(app: App, rt: Runtime) -> None:
    """Listen for `/transition`."""

    @after_ack
    def transition_command(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        outcome = transition.handle(
            rt, user_id=body.get("user_id") or "", text=body.get("text") or "", channel_id=body.get("channel_id") or ""
        )
        deliver(outcome, body=body, respond=respond, client=client)

    app.command(rt.settings.transition_command)(ack=ack_now, lazy=[transition_command])
